import { InfrastructureError, VerificationError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { hexOf } from "../../util/hexOf.ts";
import { mergeCollateral, type CollateralSet } from "../../collateral/types.ts";
import { bytesEqual, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { INTEL_SGX_ROOT_CA } from "../../pki/roots.ts";
import { parseCertificate } from "../../pki/x509/certificate.ts";
import { X509_CODES } from "../../pki/x509/codes.ts";
import type { CollateralFreshnessOptions, CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import type { TcbStatus } from "@keepledger/sdk/internal/kinds/index";
import { hash } from "node:crypto";
import type { AzureCvmClaims } from "@keepledger/sdk/internal/tee/azure-cvm/claims";
import { AZCVM_VERIFY_CODES } from "./codes.ts";
import {
  DCAP_CODES,
  SNP_VERIFY_CODES,
  isTdDebug,
  parsePckExtensions,
  verifyPckChain,
  verifyQeReportBinding,
  verifyQeReportSignature,
  verifyQuoteSignature,
  verifySnpReport,
  verifyTdxQuote,
  type PlatformInfo,
  type SnpClaims,
  type TdxClaims,
  type VerifierContext,
} from "./hardwareVerifiers.ts";
import type { AzureCvmEvidence } from "./parseAzureEvidence.ts";
import type { AzureCvmVerifiedEvidence } from "@keepledger/sdk/internal/tee/azure-cvm/measurement";

export type { AzureCvmVerifiedEvidence } from "@keepledger/sdk/internal/tee/azure-cvm/measurement";
import { attestationKey, sha256, verifyTpmQuote } from "./verifyTpmQuote.ts";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";

export interface VerifyAzureEvidenceOptions {
  collateral: CollateralSet;
  /** Verify "as of" this time. */
  at: Date;
  /** Roots to trust instead of the pinned AMD ARKs / Intel root. Tests only. */
  trustedRoots?: readonly TrustedRoot[];
  freshness?: CollateralFreshnessOptions;
  caches?: VerifierContext;
  /** When given, the TPM quote's extraData must equal it (AZCVM_NONCE_MISMATCH otherwise). */
  expectedNonce?: Uint8Array;
  /** UNSAFE, as for SEV-SNP: verify the ASK without AMD's CRL when the collateral has none. */
  dangerouslyAllowMissingAmdCrl?: boolean;
}

interface HardwareResult {
  measurement: Uint8Array;
  reportData: Uint8Array;
  snp: SnpClaims | null;
  tdx: TdxClaims | null;
  tcb: { status: TcbStatus; advisoryIds: string[] };
  debug: boolean;
  collateralHash: Hex;
  expiresAt: Date;
  platform: PlatformInfo;
  collateralUsed: CollateralStamp[];
}

/** Intel collateral the TCB status needs; any of these missing means "unknown", not "invalid". */
const TCB_COLLATERAL_MISSING: ReadonlySet<string> = new Set<string>([
  X509_CODES.CRL_MISSING,
  DCAP_CODES.DCAP_TCB_INFO_MISSING,
  DCAP_CODES.DCAP_TCB_INFO_MISMATCH,
  DCAP_CODES.DCAP_QE_IDENTITY_MISSING,
  DCAP_CODES.DCAP_TCB_SIGNING_CERT_MISSING,
]);

/**
 * Verifies parsed Azure CVM evidence as of `options.at`, in the order each piece vouches for the next:
 * 1. the hardware report — SEV-SNP from VMPL 0 through the SNP verifier (VCEK from the evidence or the
 *    collateral → ASK → pinned ARK, AMD CRL required unless allowed missing), or TDX through the DCAP
 *    signatures (PCK chain to the pinned root, QE report, quote) with the TD quote body equal to the TDREPORT;
 * 2. SHA-256(runtime data) == REPORT_DATA[0..32]: the runtime data, hence the AK, are the hardware's;
 * 3. the TPM quote's signature with that AK, and its PCR digest against the supplied PCR values;
 * 4. the nonce (extraData), when the caller expects one;
 * 5. TDX only: the TCB status from Intel collateral, which must be there (AZCVM_TDX_TCB_UNKNOWN otherwise).
 * Pure: no I/O, no clock. Throws VerificationError (or InfrastructureError for missing collateral).
 */
export function verifyAzureEvidence(evidence: AzureCvmEvidence, options: VerifyAzureEvidenceOptions): AzureCvmVerifiedEvidence {
  // SEV-SNP: one call verifies the report, its chain and (unless allowed missing) AMD's CRL. TDX: the quote's
  // signatures and PCK chain now, its TCB status from Intel collateral last, so that forged evidence is refused
  // as forged and only genuine evidence can come out as "TCB status unknown".
  const snp = evidence.hardware.kind === "snp" ? verifySnpHardware(evidence, options) : undefined;
  const tdxFmspc = evidence.hardware.kind === "tdx" ? verifyTdxSignatures(evidence, options) : undefined;
  const reportData = evidence.hardware.kind === "snp" ? evidence.hardware.report.reportData : evidence.hardware.tdReport.reportData;

  const runtimeHash = sha256(evidence.hcl.runtimeData);
  if (!bytesEqual(runtimeHash, reportData.subarray(0, 32))) {
    throw new VerificationError(
      AZCVM_VERIFY_CODES.AZCVM_RUNTIME_DATA_UNBOUND,
      "SHA-256 of the runtime data is not in the hardware report's REPORT_DATA",
      {
        at: { field: "hcl.runtime_data" },
        details: { runtimeDataSha256: toHex(runtimeHash), reportData: toHex(reportData) },
      },
    );
  }

  const ak = attestationKey(evidence.runtimeData.akPub, options.caches?.evidenceKeys);
  verifyTpmQuote(evidence.tpmQuote, ak, evidence.pcrs);
  const attest = evidence.tpmQuote.attest;
  if (options.expectedNonce !== undefined && !bytesEqual(options.expectedNonce, attest.extraData)) {
    throw new VerificationError(AZCVM_VERIFY_CODES.AZCVM_NONCE_MISMATCH, "the TPM quote's extraData is not the expected nonce", {
      at: { field: "tpm_quote.extraData" },
      details: { got: toHex(attest.extraData), want: toHex(options.expectedNonce) },
    });
  }

  const hw = snp ?? verifyTdxTcb(evidence, options, tdxFmspc!);
  const spki = ak.spki;
  const pcrs: Record<number, Hex> = {};
  for (const i of attest.pcrSelection) pcrs[i] = hexOf(evidence.pcrs[i]!);
  const rd = evidence.runtimeData;
  const claims: AzureCvmClaims = {
    hardware: evidence.hardware.kind,
    hardwareMeasurement: hexOf(hw.measurement),
    hardwareReportData: hexOf(hw.reportData),
    snp: hw.snp,
    tdx: hw.tdx,
    pcrs,
    nonce: hexOf(attest.extraData),
    akSpkiSha256: `0x${hash("sha256", spki, "hex")}`,
    vmId: rd.vmConfiguration.vmUniqueId ?? null,
    vmConfiguration: { ...rd.vmConfiguration },
    userData: rd.userData ? hexOf(rd.userData) : null,
    tpm: {
      firmwareVersion: `0x${attest.firmwareVersion.toString(16).padStart(16, "0")}`,
      qualifiedSigner: hexOf(attest.qualifiedSigner),
      resetCount: attest.resetCount,
      restartCount: attest.restartCount,
      clock: attest.clock.toString(),
    },
    debug: hw.debug,
  };
  return {
    ok: true,
    tee: "azure-cvm",
    claims,
    tcb: hw.tcb,
    debug: hw.debug,
    evidenceHash: evidenceKeccak(evidence.raw),
    collateralHash: hw.collateralHash,
    expiresAt: hw.expiresAt,
    verifiedAt: options.at,
    platform: { ...hw.platform, hardware: evidence.hardware.kind },
    collateralUsed: hw.collateralUsed,
  };
}

function verifySnpHardware(evidence: AzureCvmEvidence, options: VerifyAzureEvidenceOptions): HardwareResult {
  if (evidence.hardware.kind !== "snp") throw new Error("unreachable");
  const { report, vcekDer } = evidence.hardware;
  // Only the paravisor at VMPL 0 vouches for the runtime data; the guest's own reports (VMPL 1..3) vouch for nothing here.
  if (report.vmpl !== 0) {
    throw new VerificationError(
      AZCVM_VERIFY_CODES.AZCVM_SNP_VMPL_INVALID,
      `the SEV-SNP report is from VMPL ${report.vmpl}, not the paravisor's VMPL 0`,
      {
        at: { field: "hcl.hw_report.VMPL", offset: 32 + 0x30 },
        details: { vmpl: report.vmpl },
      },
    );
  }
  // The VCEK the evidence carries is collateral like any other: selected and chain-verified by the SNP verifier.
  const collateral = vcekDer
    ? mergeCollateral(options.collateral, {
        certificates: [parseCertificate(vcekDer, "vcek", options.caches?.pki)],
        crls: [],
        intelDocuments: [],
      })
    : options.collateral;
  let r;
  try {
    r = verifySnpReport(report, {
      collateral,
      at: options.at,
      dangerouslyAllowMissingCrl: options.dangerouslyAllowMissingAmdCrl === true,
      ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
      ...(options.freshness ? { freshness: options.freshness } : {}),
      ...(options.caches ? { context: options.caches } : {}),
    });
  } catch (error) {
    // As the SEV-SNP adapter does: a missing AMD CRL is retryable, not a verdict on the evidence.
    if (isKeepledgerError(error) && error.code === X509_CODES.CRL_MISSING) {
      throw new InfrastructureError(
        SNP_VERIFY_CODES.SNP_CRL_UNAVAILABLE,
        `no AMD CRL for the ${report.productLine ?? "report's"} signing chain`,
        {
          details: { productLine: report.productLine ?? null, ...error.details },
          cause: error,
        },
      );
    }
    throw error;
  }
  return {
    measurement: report.measurement,
    reportData: report.reportData,
    snp: r.claims,
    tdx: null,
    tcb: r.tcb,
    debug: r.debug,
    collateralHash: r.collateralHash,
    expiresAt: r.expiresAt,
    // The chip id goes to the platform facts, where platform revocation (checkRevocations) reads it.
    platform: { ...r.platform, amdChipId: r.claims.chipId },
    collateralUsed: r.collateralUsed ?? [],
  };
}

/** The TD quote's signatures, its PCK chain to the Intel root (CRLs applied when present) and its equality with the TDREPORT; returns the FMSPC. */
function verifyTdxSignatures(evidence: AzureCvmEvidence, options: VerifyAzureEvidenceOptions): string {
  if (evidence.hardware.kind !== "tdx") throw new Error("unreachable");
  const { quote } = evidence.hardware;
  const context = options.caches;
  const roots = options.trustedRoots ?? [INTEL_SGX_ROOT_CA];
  const pck = verifyPckChain(quote, {
    collateral: options.collateral,
    roots,
    at: options.at,
    requireCrls: false,
    ...(context ? { context } : {}),
  });
  const fmspc = parsePckExtensions(pck.leaf, context).fmspc;
  verifyQeReportSignature(quote, pck.leaf, context);
  verifyQeReportBinding(quote);
  verifyQuoteSignature(quote, context);
  checkTdQuoteMatchesTdReport(evidence);
  return fmspc;
}

/** The full DCAP verification with Intel collateral: the TCB status, or AZCVM_TDX_TCB_UNKNOWN when the collateral is not there. */
function verifyTdxTcb(evidence: AzureCvmEvidence, options: VerifyAzureEvidenceOptions, fmspc: string): HardwareResult {
  if (evidence.hardware.kind !== "tdx") throw new Error("unreachable");
  const { quote, tdReport } = evidence.hardware;
  const context = options.caches;
  let r;
  try {
    r = verifyTdxQuote(quote, {
      collateral: options.collateral,
      at: options.at,
      ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
      ...(options.freshness ? { freshness: options.freshness } : {}),
      ...(context ? { context } : {}),
    });
  } catch (error) {
    if (isKeepledgerError(error) && TCB_COLLATERAL_MISSING.has(error.code)) {
      throw new InfrastructureError(
        AZCVM_VERIFY_CODES.AZCVM_TDX_TCB_UNKNOWN,
        `TCB status unknown without collateral: no usable Intel TCB Info, TD QE Identity or CRLs for FMSPC ${fmspc}`,
        { at: { field: "collateral" }, details: { fmspc, missing: error.code, quoteVerified: true }, cause: error },
      );
    }
    throw error;
  }
  return {
    measurement: quote.body.mrTd,
    reportData: tdReport.reportData,
    snp: null,
    tdx: r.claims,
    tcb: r.tcb,
    debug: isTdDebug(quote.body.tdAttributes),
    collateralHash: r.collateralHash,
    expiresAt: r.expiresAt,
    platform: r.platform,
    collateralUsed: r.collateralUsed ?? [],
  };
}

/** TEE_TCB_INFO's size in the TDREPORT (TDX Module ABI), of the 256 bytes before TDINFO; the rest is reserved. */
const TEE_TCB_INFO_SIZE = 239;

/**
 * The TDREPORT is only MAC'd: it counts because the signed TD quote repeats it byte for byte, and because its own
 * REPORTMACSTRUCT hashes (TEE_TCB_INFO_HASH, TEE_INFO_HASH: SHA-384 of the whole TEE_TCB_INFO and TDINFO, TDX Module
 * ABI) must hold — which binds the parts of those structures the quote does not repeat (valid bits, reserved tails).
 * What stays unbound is REPORTTYPE's subtype and version, CPUSVN, the reserved fields and the MAC (docs/threat-model.md).
 */
function checkTdQuoteMatchesTdReport(evidence: AzureCvmEvidence): void {
  if (evidence.hardware.kind !== "tdx") return;
  const { quote, tdReport } = evidence.hardware;
  const b = quote.body;
  const fromQuote = {
    teeTcbInfo: [b.teeTcbSvn, b.mrSeam, b.mrSignerSeam, b.seamAttributes],
    tdInfo: [b.tdAttributes, b.xfam, b.mrTd, b.mrConfigId, b.mrOwner, b.mrOwnerConfig, b.rtmr0, b.rtmr1, b.rtmr2, b.rtmr3],
  };
  const join = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
  const differs: string[] = [];
  if (!bytesEqual(b.reportData, tdReport.reportData)) differs.push("REPORT_DATA");
  if (!bytesEqual(join(fromQuote.teeTcbInfo), tdReport.teeTcbInfo)) differs.push("TEE_TCB_INFO");
  if (!bytesEqual(join(fromQuote.tdInfo), tdReport.tdInfo)) differs.push("TDINFO");
  const raw = tdReport.raw;
  const sha384 = (bytes: Uint8Array): Uint8Array => new Uint8Array(hash("sha384", bytes, "buffer"));
  if (!bytesEqual(sha384(raw.subarray(256, 256 + TEE_TCB_INFO_SIZE)), raw.subarray(32, 80))) differs.push("TEE_TCB_INFO_HASH");
  if (!bytesEqual(sha384(raw.subarray(512, 1024)), raw.subarray(80, 128))) differs.push("TEE_INFO_HASH");
  if (differs.length > 0) {
    throw new VerificationError(
      AZCVM_VERIFY_CODES.AZCVM_TD_QUOTE_MISMATCH,
      `the TD quote is not of the HCL report's TDREPORT (${differs.join(", ")} differ)`,
      {
        at: { field: "td_quote.body" },
        details: { differs },
      },
    );
  }
}
