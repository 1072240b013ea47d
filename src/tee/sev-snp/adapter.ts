import { snpFacts } from "@keepledger/sdk/internal/tee/sev-snp/facts";
import { checkSnpLaunchPolicy } from "./launchPolicy.ts";
import { InfrastructureError, UsageError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { SNP_REPORT_SIZE } from "./layout.ts";
import { parseSnpReport, type SnpReport } from "./parseSnpReport.ts";
import { sameBytes } from "../../util/bufferView.ts";
import type { TeeAdapter } from "../adapter.ts";
import { X509_CODES } from "../../pki/x509/codes.ts";
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

export interface SnpAdapterOptions {
  /**
   * UNSAFE, off by default. Verifies the ASK/ASVK without AMD's CRL when no collateral source has it
   * (a CRL that is present is still applied): a revoked ASK would go unnoticed. For development
   * networks and vectors without a published CRL only; never on a production validator.
   */
  dangerouslyAllowMissingCrl?: boolean;
}

export function defaultSnpAdapterOptions(): Required<SnpAdapterOptions> {
  return { dangerouslyAllowMissingCrl: false };
}

/**
 * AMD SEV-SNP in the adapter registry: detect → parse → collateral → verify. AMD's CRL for the
 * product line is required: without one the evidence is refused as retryable (SNP_CRL_UNAVAILABLE),
 * since KDS or a directory may have it later, unless `dangerouslyAllowMissingCrl` is set.
 */
export function createSnpAdapter(options: SnpAdapterOptions = {}): TeeAdapter<"sev-snp", SnpReport> {
  const { dangerouslyAllowMissingCrl } = { ...defaultSnpAdapterOptions(), ...options };
  return {
    ...snpFacts,
    checkLaunchPolicy: checkSnpLaunchPolicy,
    detect: detectSnpReport,
    parse: parseSnpReport,
    collateralRequests: (report) => snpCollateralRequests(report),
    verify(report, context) {
      if (!sameBytes(context.evidence, report.raw)) {
        throw new UsageError(SNP_VERIFY_CODES.SNP_EVIDENCE_MISMATCH, "the evidence to verify is not the report that was parsed", {
          details: { parsed: report.raw.length, evidence: context.evidence.length },
        });
      }
      try {
        return verifySnpReport(report, {
          collateral: context.collateral,
          at: context.at,
          dangerouslyAllowMissingCrl,
          ...(context.trustedRoots === undefined ? {} : { trustedRoots: context.trustedRoots }),
          ...(context.freshness === undefined ? {} : { freshness: context.freshness }),
          context: context.caches,
        });
      } catch (error) {
        if (isKeepledgerError(error) && error.code === X509_CODES.CRL_MISSING) {
          throw new InfrastructureError(
            SNP_VERIFY_CODES.SNP_CRL_UNAVAILABLE,
            `no AMD CRL for the ${report.productLine ?? "report's"} signing chain could be had; try again when KDS or a collateral directory serves it`,
            {
              details: { productLine: report.productLine ?? null, signingKey: report.keyInfo.signingKey, ...error.details },
              cause: error,
            },
          );
        }
        throw error;
      }
    },
  };
}

/** The production SEV-SNP adapter: AMD's CRL required. */
export const snpAdapter: TeeAdapter<"sev-snp", SnpReport> = createSnpAdapter();
