import type { CollateralRequest } from "../../collateral/types.ts";
import type { SnpReport } from "./parseSnpReport.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import type { AmdProductLine } from "../../pki/roots.ts";

export interface SnpCollateralRequestsOptions {
  /**
   * The product line to ask for when the report does not say (a version 2
   * report from Milan or Genoa carries no CPUID). Default "Milan", the only
   * product line that shipped SNP firmware producing v2 reports before Genoa.
   */
  defaultProductLine?: AmdProductLine;
}

export function defaultSnpCollateralRequestsOptions(): Required<SnpCollateralRequestsOptions> {
  return { defaultProductLine: "Milan" };
}

/**
 * What to ask AMD KDS (or a directory) for: the VCEK for this chip and
 * REPORTED_TCB plus the product's ASK/ARK chain and CRL, or — for a VLEK,
 * which KDS does not serve — the ASVK chain and CRL.
 */
export function snpCollateralRequests(report: SnpReport, options: SnpCollateralRequestsOptions = {}): CollateralRequest[] {
  const { defaultProductLine } = { ...defaultSnpCollateralRequestsOptions(), ...options };
  const t = report.reportedTcb;
  return [
    {
      vendor: "amd",
      productLine: report.productLine ?? defaultProductLine,
      signingKey: report.keyInfo.signingKey,
      chipId: toHex(report.chipId),
      reportedTcb: {
        bootloader: t.bootloader,
        tee: t.tee,
        snp: t.snp,
        microcode: t.microcode,
        ...(t.fmc === undefined ? {} : { fmc: t.fmc }),
      },
    },
  ];
}
