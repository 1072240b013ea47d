import { sgxFacts } from "@keepledger/sdk/internal/tee/sgx/facts";
import { checkSgxLaunchPolicy } from "./launchPolicy.ts";
import type { SgxQuote } from "../dcap/types.ts";
import { parseSgxQuote } from "./parseSgxQuote.ts";
import type { TeeAdapter } from "../adapter.ts";
import { checkEvidenceBytes } from "../dcap/checkEvidenceBytes.ts";
import { collateralRequestFor } from "../dcap/collateralRequestFor.ts";
import { acrossVerifications } from "../verifierContext.ts";
import { detectDcapQuote } from "../dcap/detectDcapQuote.ts";
import { verifySgxQuote } from "./verifySgxQuote.ts";

/** Intel SGX DCAP quotes (v3, ECDSA P-256). Strict: every unsafe switch of verifySgxQuote stays off. */
export const sgxAdapter: TeeAdapter<"sgx", SgxQuote> = {
  ...sgxFacts,
  checkLaunchPolicy: checkSgxLaunchPolicy,
  detect: (bytes) => detectDcapQuote(bytes) === "sgx",
  parse: (bytes, context) => parseSgxQuote(bytes, { pckChains: acrossVerifications(context)?.pckChains }),
  collateralRequests: (quote, context) => [collateralRequestFor(quote, context)],
  verify(quote, context) {
    checkEvidenceBytes(quote, context.evidence);
    return verifySgxQuote(quote, {
      collateral: context.collateral,
      at: context.at,
      ...(context.trustedRoots ? { trustedRoots: context.trustedRoots } : {}),
      ...(context.freshness ? { freshness: context.freshness } : {}),
      context: context.caches,
    });
  },
};
