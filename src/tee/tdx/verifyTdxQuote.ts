import type { TdxQuote } from "../dcap/types.ts";
import { hexOf } from "../../util/hexOf.ts";
import { u64Hex } from "../dcap/u64Hex.ts";
import { verifyDcapQuote, type DcapPlatformInfo, type VerifyDcapQuoteOptions } from "../dcap/verifyDcapQuote.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { withLazyEvidenceHash } from "../lazyEvidenceHash.ts";

export type VerifyTdxQuoteOptions = VerifyDcapQuoteOptions;
export type VerifyTdxQuoteResult = VerifiedEvidence<"tdx"> & { platform: DcapPlatformInfo };

/** TD_ATTRIBUTES bit 0 (TUD.DEBUG): the TD runs in debug mode and the host can read its state. */
export function isTdDebug(tdAttributes: Uint8Array): boolean {
  return (tdAttributes[0]! & 0x01) !== 0;
}

/** Verifies a parsed TDX quote (v4 or v5) against Intel collateral as of `options.at`; throws a KeepledgerError otherwise. */
export function verifyTdxQuote(quote: TdxQuote, options: VerifyTdxQuoteOptions): VerifyTdxQuoteResult {
  const r = verifyDcapQuote(quote, options);
  const b = quote.body;
  return withLazyEvidenceHash(
    {
      ok: true,
      tee: "tdx",
      claims: {
        mrtd: hexOf(b.mrTd),
        rtmr0: hexOf(b.rtmr0),
        rtmr1: hexOf(b.rtmr1),
        rtmr2: hexOf(b.rtmr2),
        rtmr3: hexOf(b.rtmr3),
        mrConfigId: hexOf(b.mrConfigId),
        mrOwner: hexOf(b.mrOwner),
        mrOwnerConfig: hexOf(b.mrOwnerConfig),
        xfam: u64Hex(b.xfam),
        tdAttributes: u64Hex(b.tdAttributes),
        reportData: hexOf(b.reportData),
      },
      tcb: r.tcb,
      debug: isTdDebug(b.tdAttributes),
      collateralHash: r.collateralHash,
      collateralUsed: r.collateralUsed,
      expiresAt: r.expiresAt,
      verifiedAt: options.at,
      platform: r.platform,
    },
    quote.raw,
  );
}
