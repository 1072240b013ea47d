import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifierContext } from "../verifierContext.ts";
import type { CollateralSet } from "../../collateral/types.ts";
import type { SnpReport } from "./parseSnpReport.ts";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { isSignedBy } from "../../pki/x509/verifyCertificateChain.ts";
import { SNP_VERIFY_CODES } from "./codes.ts";
import { readVekExtensions, type VekExtensions } from "./vekExtensions.ts";

export interface SelectedSnpCertificates {
  vek: ParsedCertificate;
  extensions: VekExtensions;
  /** The ASK (for a VCEK) or ASVK (for a VLEK) named as the VEK's issuer. */
  intermediate: ParsedCertificate;
}

const KEY_NAME = { vcek: "VCEK", vlek: "VLEK" } as const;

/**
 * Picks the VCEK/VLEK and its issuer out of collateral that may hold many
 * certificates (a directory, a cache). Selection only ranks candidates; every
 * property it ranks by is checked again, with its own error, by the verifier.
 * Preference: hwID equal to CHIP_ID, then certificate TCB equal to
 * REPORTED_TCB, then valid at `at`, then collateral order.
 */
export function selectSnpCertificates(
  report: SnpReport,
  collateral: CollateralSet,
  at: Date,
  context?: VerifierContext,
): SelectedSnpCertificates {
  const want = report.keyInfo.signingKey;
  const candidates: Array<{ cert: ParsedCertificate; ext: VekExtensions; score: number }> = [];
  let firstProblem: VerificationError | undefined;
  for (const cert of collateral.certificates) {
    if (cert.isCa) continue;
    let ext: VekExtensions | undefined;
    try {
      ext = readVekExtensions(cert, context);
    } catch (e) {
      firstProblem ??= e as VerificationError;
      continue;
    }
    if (ext === undefined || ext.kind !== want) continue;
    candidates.push({ cert, ext, score: score(report, cert, ext, at) });
  }
  if (candidates.length === 0) {
    if (firstProblem) throw firstProblem;
    throw new VerificationError(SNP_VERIFY_CODES.SNP_VEK_MISSING, `the collateral holds no ${KEY_NAME[want]} certificate`, {
      at: { field: "KEY_INFO.SIGNING_KEY", offset: 0x48 },
      details: { signingKey: want, certificates: collateral.certificates.length },
    });
  }
  const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));

  const issuers = collateral.certificates.filter((c) => c.subject === best.cert.issuer && c !== best.cert);
  const intermediate = issuers.find((c) => isSignedBy(best.cert, c, context?.pki)) ?? issuers[0];
  if (!intermediate) {
    throw new VerificationError(
      SNP_VERIFY_CODES.SNP_ASK_MISSING,
      `the collateral holds no ${want === "vlek" ? "ASVK" : "ASK"} that issued the ${KEY_NAME[want]}`,
      { details: { issuer: best.cert.issuer } },
    );
  }
  return { vek: best.cert, extensions: best.ext, intermediate };
}

function score(report: SnpReport, cert: ParsedCertificate, ext: VekExtensions, at: Date): number {
  let s = 0;
  if (ext.hwID !== undefined && bytesEqual(ext.hwID, report.chipId.subarray(0, ext.hwID.length))) s += 4;
  const r = report.reportedTcb;
  if (ext.blSPL === r.bootloader && ext.teeSPL === r.tee && ext.snpSPL === r.snp && ext.ucodeSPL === r.microcode && ext.fmcSPL === r.fmc)
    s += 2;
  if (cert.notBefore <= at && at <= cert.notAfter) s += 1;
  return s;
}
