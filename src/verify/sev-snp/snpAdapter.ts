import { UsageError } from "../../errors/KeepledgerError.ts";
import { SNP_REPORT_SIZE } from "../../evidence/sev-snp/layout.ts";
import { parseSnpReport, type SnpReport } from "../../evidence/sev-snp/parseSnpReport.ts";
import { bytesEqual } from "../../util/bytes.ts";
import type { TeeAdapter } from "../adapter.ts";
import { SNP_VERIFY_CODES } from "./codes.ts";
import { snpCollateralRequests } from "./snpCollateralRequests.ts";
import { verifySnpReport } from "./verifySnpReport.ts";

/**
 * Whether the bytes look like an SEV-SNP report: exactly 1184 bytes, a u32
 * VERSION of 2..5 and SIGNATURE_ALGO 1 at 0x34. SGX/TDX quotes start with a
 * u16 version (3, 4, 5) and the u16 attestation key type 2, so read as a u32
 * their first field is ≥ 0x20000 and can never pass; Nitro documents start
 * with a CBOR tag or array byte. Never throws.
 */
export function detectSnpReport(bytes: Uint8Array): boolean {
  if (bytes.length !== SNP_REPORT_SIZE) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0x00, true);
  return version >= 2 && version <= 5 && view.getUint32(0x34, true) === 1;
}

/** AMD SEV-SNP in the adapter registry: detect → parse → collateral → verify. */
export const snpAdapter: TeeAdapter<"sev-snp", SnpReport> = {
  kind: "sev-snp",
  detect: detectSnpReport,
  parse: parseSnpReport,
  collateralRequests: (report) => snpCollateralRequests(report),
  verify(report, context) {
    if (!bytesEqual(context.evidence, report.raw)) {
      throw new UsageError(SNP_VERIFY_CODES.SNP_EVIDENCE_MISMATCH, "the evidence to verify is not the report that was parsed", {
        details: { parsed: report.raw.length, evidence: context.evidence.length },
      });
    }
    return verifySnpReport(report, {
      collateral: context.collateral,
      at: context.at,
      ...(context.trustedRoots === undefined ? {} : { trustedRoots: context.trustedRoots }),
      ...(context.freshness === undefined ? {} : { freshness: context.freshness }),
    });
  },
};
