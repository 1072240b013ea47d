import { tdxFacts } from "@keepledger/sdk/internal/tee/tdx/facts";
import { checkTdxLaunchPolicy } from "./launchPolicy.ts";
import type { TdxQuote } from "../dcap/types.ts";
import { parseTdxQuote } from "./parseTdxQuote.ts";
import type { TeeAdapter } from "../adapter.ts";
import { checkEvidenceBytes } from "../dcap/checkEvidenceBytes.ts";
import { collateralRequestFor } from "../dcap/collateralRequestFor.ts";
import { acrossVerifications } from "../verifierContext.ts";
import { detectDcapQuote } from "../dcap/detectDcapQuote.ts";
import { verifyTdxQuote } from "./verifyTdxQuote.ts";

/** Intel TDX DCAP quotes (v4 and v5, TD 1.0 and TD 1.5 bodies, ECDSA P-256). Strict: every unsafe switch stays off. */
export const tdxAdapter: TeeAdapter<"tdx", TdxQuote> = {
  ...tdxFacts,
  checkLaunchPolicy: checkTdxLaunchPolicy,
  detect: (bytes) => detectDcapQuote(bytes) === "tdx",
  parse: (bytes, context) => parseTdxQuote(bytes, { pckChains: acrossVerifications(context)?.pckChains }),
  collateralRequests: (quote, context) => [collateralRequestFor(quote, context)],
  verify(quote, context) {
    checkEvidenceBytes(quote, context.evidence);
    return verifyTdxQuote(quote, {
      collateral: context.collateral,
      at: context.at,
      ...(context.trustedRoots ? { trustedRoots: context.trustedRoots } : {}),
      ...(context.freshness ? { freshness: context.freshness } : {}),
      context: context.caches,
    });
  },
};
