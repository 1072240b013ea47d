import type { SgxQuote } from "../dcap/types.ts";
import { hexOf } from "../../util/hexOf.ts";
import { u64Hex } from "../dcap/u64Hex.ts";
import { verifyDcapQuote, type DcapPlatformInfo, type VerifyDcapQuoteOptions } from "../dcap/verifyDcapQuote.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { withLazyEvidenceHash } from "../lazyEvidenceHash.ts";

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
  return withLazyEvidenceHash(
    {
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
      collateralHash: r.collateralHash,
      collateralUsed: r.collateralUsed,
      expiresAt: r.expiresAt,
      verifiedAt: options.at,
      platform: r.platform,
    },
    quote.raw,
  );
}
