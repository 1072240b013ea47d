import type { VerifierContext } from "../../src/tee/verifierContext.ts";
/** Runs a DCAP fixture set end to end (parse + verify) and reduces the outcome to what a tamper test compares. */
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import { verifyDcapQuote, type VerifyDcapQuoteOptions } from "../../src/tee/dcap/verifyDcapQuote.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { loadDcapSet, type DcapSet } from "./dcapFixtures.ts";

/** The sets, with the one unsafe switch each incomplete set needs to reach its expected outcome. */
export const DCAP_SETS: Array<{ kind: "sgx" | "tdx"; name: string; unsafe: Partial<VerifyDcapQuoteOptions> }> = [
  { kind: "sgx", name: "dcapqvl-sgx", unsafe: {} },
  { kind: "sgx", name: "enarx-steward-icelake-xeon", unsafe: { dangerouslyAllowMissingQeIdentity: true } },
  { kind: "tdx", name: "dcapqvl-tdx", unsafe: {} },
  { kind: "tdx", name: "dcapqvl-tdx-v5-no-tcb-match", unsafe: {} },
  { kind: "tdx", name: "oasis-tdx-no-tcb-match", unsafe: { dangerouslyAllowMissingCrls: true } },
];

export type Outcome = { ok: true; digest: string; certificates: string } | { ok: false; code: string };

/** Verifies `bytes` with the set's collateral and time; an untyped throw is rethrown (the tests' failure). */
export function outcomeOf(set: DcapSet, unsafe: Partial<VerifyDcapQuoteOptions>, bytes: Uint8Array, context?: VerifierContext): Outcome {
  try {
    const quote = parseDcapQuote(bytes, context ? { pckChains: context.pckChains } : {});
    const r = verifyDcapQuote(quote, { collateral: set.collateral, at: set.at, ...unsafe, ...(context ? { context } : {}) });
    const body = quote.tee === "sgx" ? quote.body.raw : quote.body.raw;
    return {
      ok: true,
      // What a verifier vouches for: the signed body, the TCB rating and the collateral it was rated with.
      digest: JSON.stringify({
        tee: quote.tee,
        body: toHex(body),
        header: toHex(quote.signedRegion),
        tcb: r.tcb,
        collateralHash: r.collateralHash,
        platform: r.platform,
      }),
      certificates: quote.signature.pckChain.certificates.map(toHex).join(","),
    };
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { ok: false, code: e.code };
  }
}

export function loadSet(kind: "sgx" | "tdx", name: string): DcapSet {
  return loadDcapSet(kind, name);
}
