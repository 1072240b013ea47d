import type { SgxQuote } from "../dcap/types.ts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { hexOf } from "../../util/hexOf.ts";
import { u64Hex } from "../dcap/u64Hex.ts";
import { evidenceHashOf } from "../dcap/dcapHashes.ts";
import { verifyDcapQuote, type DcapPlatformInfo, type VerifyDcapQuoteOptions } from "../dcap/verifyDcapQuote.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";

export type VerifySgxQuoteOptions = VerifyDcapQuoteOptions;
export type VerifySgxQuoteResult = VerifiedEvidence<"sgx"> & { platform: DcapPlatformInfo };

/** SGX ATTRIBUTES.FLAGS bit 1: the enclave was launched in debug mode (its memory can be read). */
export function isSgxDebug(attributes: Uint8Array): boolean {
  return (attributes[0]! & 0x02) !== 0;
}

/** Verifies a parsed SGX quote against Intel collateral as of `options.at`; throws a KeepledgerError otherwise. */
export function verifySgxQuote(quote: SgxQuote, options: VerifySgxQuoteOptions): VerifySgxQuoteResult {
  const r = verifyDcapQuote(quote, options);
  const b = quote.body;
  // The getter below captures only the bytes it hashes: V8 keeps an object literal's getter (and its closure's
  // variables) until a full collection, so capturing the parsed quote kept every quote until then.
  const raw = quote.raw;
  let evidenceHash: Hex | undefined;
  return {
    ok: true,
    tee: "sgx",
    claims: {
      mrenclave: hexOf(b.mrEnclave),
      mrsigner: hexOf(b.mrSigner),
      isvProdId: b.isvProdId,
      isvSvn: b.isvSvn,
      reportData: hexOf(b.reportData),
      attributes: u64Hex(b.attributes.subarray(0, 8)),
      xfrm: u64Hex(b.attributes.subarray(8, 16)),
    },
    tcb: r.tcb,
    debug: isSgxDebug(b.attributes),
    // Computed when first read: a composite's CPU part is verified for its claims, and only the composite's
    // own hash is recorded (a 5 KB quote's keccak256 is ~20 µs).
    // eslint-disable-next-line no-restricted-syntax -- its closure holds only the quote bytes
    get evidenceHash() {
      return (evidenceHash ??= evidenceHashOf(raw));
    },
    collateralHash: r.collateralHash,
    collateralUsed: r.collateralUsed,
    expiresAt: r.expiresAt,
    verifiedAt: options.at,
    platform: r.platform,
  };
}
