import type { CollateralRequest } from "../../collateral/types.ts";
import { collateralRequestFor, snpCollateralRequests, type VerifierContext } from "./hardwareVerifiers.ts";
import type { AzureCvmEvidence } from "./parseAzureEvidence.ts";

/**
 * What the embedded hardware report needs, exactly as for the bare kind: AMD's VCEK, ASK/ARK and CRL for the
 * SNP report (the file's own VCEK is used too), or Intel's TCB Info, TD QE Identity and CRLs for the TD quote's FMSPC.
 */
export function azureCvmCollateralRequests(evidence: AzureCvmEvidence, caches?: VerifierContext): CollateralRequest[] {
  return evidence.hardware.kind === "snp"
    ? snpCollateralRequests(evidence.hardware.report)
    : [collateralRequestFor(evidence.hardware.quote, caches)];
}
