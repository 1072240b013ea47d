import type { CollateralSet } from "../../collateral/types.ts";
import { hexOf } from "../../util/hexOf.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { SnpReport } from "./parseSnpReport.ts";
import { tcbLayoutOf, type SnpTcbVersion } from "./tcbVersion.ts";
import { bytesEqual, concatBytes, fromHex, isAllZero, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { AmdProductLine } from "../../pki/roots.ts";
import { derKeccak } from "../collateralKeccak.ts";
import type { SnpClaims, SnpTcbClaim, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { ParsedCertificate, ParsedCrl } from "../../pki/x509/certificate.ts";
import { P384_CURVE, isUncompressedP384Spki } from "../../pki/p384Spki.ts";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import { verifyCertificateChain, type TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { amdIntermediateName, commonNameOf, verifyAmdSigningChain } from "./amdSigningChain.ts";
import { SNP_VERIFY_CODES } from "./codes.ts";
import { selectSnpCertificates } from "./selectSnpCertificates.ts";
import { chainCrlStamps, uniqueStamps, type CollateralFreshnessOptions } from "../../pki/freshness/collateralStamp.ts";
import { vekTcbBytes, type VekExtensions } from "./vekExtensions.ts";
import type { VerifierContext } from "../verifierContext.ts";
import { withLazyEvidenceHash } from "../lazyEvidenceHash.ts";

export interface VerifySnpReportOptions {
  collateral: CollateralSet;
  /** Verify "as of" this time. */
  at: Date;
  /** Roots to trust instead of the pinned ARKs (matched by CN `ARK-<product line>`). Tests only. */
  trustedRoots?: readonly TrustedRoot[];
  /**
   * UNSAFE, off by default: verify the ASK/ASVK without the ARK's CRL when the collateral has none
   * (a CRL that is present is still applied). Without it a missing CRL is CRL_MISSING.
   */
  dangerouslyAllowMissingCrl?: boolean;
  /** Floor and maximum age for AMD's CRL (per ARK, i.e. per product line): an older CRL is CRL_STALE. */
  freshness?: CollateralFreshnessOptions;
  /** What to remember between verifications (a long-lived verifier's); without it nothing is. */
  context?: VerifierContext;
}

export function defaultVerifySnpReportOptions(): Pick<VerifySnpReportOptions, "dangerouslyAllowMissingCrl"> {
  return { dangerouslyAllowMissingCrl: false };
}

/** TCB components as policy sees them: plain numbers and the 8 raw bytes as hex. */
export type SnpTcbComponents = SnpTcbClaim;

export type VerifySnpReportResult = VerifiedEvidence<"sev-snp">;

const KEY_NAME = { vcek: "VCEK", vlek: "VLEK" } as const;

/**
 * Verifies a parsed SEV-SNP report against collateral, as of `options.at`:
 * 1. picks the VCEK (or VLEK) and its ASK (or ASVK) from the collateral;
 * 2. fixes the product line from the ASK's name, cross-checked with the
 *    report's CPUID (v3+) or CHIP_ID shape (v2) and the VEK's productName;
 * 3. verifies ASK → pinned ARK of that product line with AMD's CRL (required unless dangerouslyAllowMissingCrl);
 * 4. verifies VEK → ASK (validity, RSA-PSS signature);
 * 5. checks (VCEK) hwID equals CHIP_ID and the VEK's TCB extensions equal REPORTED_TCB;
 * 6. verifies the report's ECDSA P-384/SHA-384 signature over bytes 0x000..0x29F.
 * Pure: no I/O, no clock. Throws VerificationError on any failure.
 */
export function verifySnpReport(report: SnpReport, options: VerifySnpReportOptions): VerifySnpReportResult {
  const { collateral, at, trustedRoots, dangerouslyAllowMissingCrl = false, freshness, context } = options;
  const requireCrl = !dangerouslyAllowMissingCrl;
  const { vek, extensions, intermediate } = selectSnpCertificates(report, collateral, at, context);
  const keyName = KEY_NAME[report.keyInfo.signingKey];

  const named = amdIntermediateName(commonNameOf(intermediate));
  if (named) checkProductLine(report, named.productLine, named.signingKey, extensions, keyName);
  // Throws SNP_PRODUCT_UNDETERMINED when the issuer's name is not an AMD one.
  const signing = verifyAmdSigningChain({
    intermediate,
    at,
    crls: collateral.crls,
    requireCrl,
    trustedRoots,
    ...(freshness ? { freshness } : {}),
    caches: context?.pki,
  });
  const productLine = signing.productLine;

  const vekChain = verifyCertificateChain({
    name: `${keyName} chain`,
    chain: [vek, intermediate],
    roots: [signing.chain.root],
    at,
    crls: collateral.crls,
    ...(freshness ? { crlFreshness: freshness } : {}),
    caches: context?.pki,
  });

  checkVekKey(vek, keyName);
  if (report.keyInfo.signingKey === "vcek") checkHwId(report, extensions, productLine);
  checkTcb(report, vek, extensions, productLine, keyName);

  const signature = concatBytes(report.signature.r, report.signature.s);
  if (!verifyWith({ kind: "ecdsa", hash: "sha384" }, report.signedBytes, signature, vek.publicKey, "p1363")) {
    throw new VerificationError(
      SNP_VERIFY_CODES.SNP_REPORT_SIGNATURE_INVALID,
      `the report signature does not verify with the ${keyName} key`,
      {
        at: { field: "SIGNATURE", offset: 0x2a0 },
        details: { vek: vek.fingerprint },
      },
    );
  }

  const crlsUsed = unique([...signing.chain.crlsUsed, ...vekChain.crlsUsed]);
  const ark = signing.chain.root.certificate;
  const expiresAt = new Date(Math.min(signing.chain.expiresAt.getTime(), vekChain.expiresAt.getTime()));
  // Hashed when first read: an Azure CVM's verdict records its evidence file's hash, never its SNP report's.
  return withLazyEvidenceHash(
    {
      ok: true,
      tee: "sev-snp",
      claims: snpClaims(report),
      // AMD publishes no signed TCB-status collateral for SNP: policy compares the TCBs in `platform`.
      tcb: { status: "NotApplicable", advisoryIds: [] },
      debug: report.policyDecoded.debug,
      collateralHash: snpCollateralHash(vek, intermediate, ark, crlsUsed, context),
      expiresAt,
      verifiedAt: at,
      collateralUsed: uniqueStamps([...chainCrlStamps(signing.chain), ...chainCrlStamps(vekChain)]),
      platform: {
        amdProductLine: productLine,
        amdSigningKey: report.keyInfo.signingKey,
        reportVersion: report.version,
        vmpl: report.vmpl,
        currentTcb: tcbComponents(report.currentTcb),
        reportedTcb: tcbComponents(report.reportedTcb),
        committedTcb: tcbComponents(report.committedTcb),
        launchTcb: tcbComponents(report.launchTcb),
        policyDecoded: { ...report.policyDecoded },
        platformInfo: { ...report.platformInfoDecoded },
      },
    },
    report.raw,
  );
}

/** The claims a workload policy matches on, all 0x-prefixed lowercase hex. */
export function snpClaims(report: SnpReport): SnpClaims {
  return {
    measurement: hexOf(report.measurement),
    hostData: hexOf(report.hostData),
    reportData: hexOf(report.reportData),
    chipId: hexOf(report.chipId),
    policy: `0x${report.policy.toString(16)}`,
    reportedTcb: hexOf(report.reportedTcb.raw),
    vmpl: report.vmpl,
    guestPolicy: {
      smt: report.policyDecoded.smt,
      migrateMa: report.policyDecoded.migrateMa,
      debug: report.policyDecoded.debug,
      singleSocket: report.policyDecoded.singleSocket,
    },
    tcb: {
      reported: tcbComponents(report.reportedTcb),
      committed: tcbComponents(report.committedTcb),
      current: tcbComponents(report.currentTcb),
      launch: tcbComponents(report.launchTcb),
    },
  };
}

/**
 * keccak256(keccak256(VEK DER) ‖ keccak256(ASK DER) ‖ keccak256(ARK DER) ‖ keccak256(CRL DER)…),
 * the CRLs in the order the chain used them (docs/evidence/sev-snp.md).
 */
export function snpCollateralHash(
  vek: ParsedCertificate,
  intermediate: ParsedCertificate,
  ark: ParsedCertificate,
  crls: readonly ParsedCrl[],
  context?: VerifierContext,
): Hex {
  return keccak256Hex(concatBytes(...[vek, intermediate, ark, ...crls].map((item) => fromHex(derKeccak(item, context)))));
}

export function tcbComponents(tcb: SnpTcbVersion): SnpTcbComponents {
  return {
    raw: hexOf(tcb.raw),
    bootloader: tcb.bootloader,
    tee: tcb.tee,
    snp: tcb.snp,
    microcode: tcb.microcode,
    ...(tcb.fmc === undefined ? {} : { fmc: tcb.fmc }),
  };
}

function checkProductLine(report: SnpReport, fromAsk: AmdProductLine, askKey: "vcek" | "vlek", ext: VekExtensions, keyName: string): void {
  if (askKey !== report.keyInfo.signingKey) {
    throw new VerificationError(
      SNP_VERIFY_CODES.SNP_SIGNING_KEY_MISMATCH,
      `the report names the ${keyName} but its issuer is an ${askKey === "vlek" ? "ASVK" : "ASK"}`,
      {
        at: { field: "KEY_INFO.SIGNING_KEY", offset: 0x48 },
        details: { report: report.keyInfo.signingKey, chain: askKey },
      },
    );
  }
  const mismatch = (why: string, details: Record<string, unknown>): never => {
    throw new VerificationError(SNP_VERIFY_CODES.SNP_PRODUCT_MISMATCH, why, { details });
  };
  if (report.productLine !== undefined && report.productLine !== fromAsk) {
    mismatch(`the report is from ${report.productLine} (${report.productLineSource}) but its ASK is for ${fromAsk}`, {
      report: report.productLine,
      source: report.productLineSource,
      ask: fromAsk,
    });
  }
  // A v2 report has no CPUID: its TCB fields were decoded in the layout its CHIP_ID shape implies.
  if (tcbLayoutOf(fromAsk) !== report.tcbLayout) {
    mismatch(`the report's TCB layout (${report.tcbLayout}) does not fit ${fromAsk}`, { layout: report.tcbLayout, ask: fromAsk });
  }
  const namedLine = ext.productName.split("-")[0];
  if (namedLine !== fromAsk) {
    mismatch(`the ${keyName} is for "${ext.productName}" but its ASK is for ${fromAsk}`, { productName: ext.productName, ask: fromAsk });
  }
}

function checkVekKey(vek: ParsedCertificate, keyName: string): void {
  // The common form (AMD's) is read from the bytes; any other is asked of OpenSSL.
  if (isUncompressedP384Spki(vek.spki)) return;
  const curve = vek.publicKey.asymmetricKeyDetails?.namedCurve;
  if (vek.publicKey.asymmetricKeyType !== "ec" || curve !== P384_CURVE) {
    throw new VerificationError(SNP_VERIFY_CODES.SNP_VEK_MALFORMED, `the ${keyName} does not certify a P-384 key`, {
      details: { keyType: vek.publicKey.asymmetricKeyType, curve },
    });
  }
}

function checkTcb(report: SnpReport, vek: ParsedCertificate, ext: VekExtensions, productLine: AmdProductLine, keyName: string): void {
  const want = vekTcbBytes(vek, ext, productLine);
  if (!bytesEqual(want, report.reportedTcb.raw)) {
    throw new VerificationError(SNP_VERIFY_CODES.SNP_TCB_MISMATCH, `the ${keyName} is for another TCB than the report's REPORTED_TCB`, {
      at: { field: "REPORTED_TCB", offset: 0x180 },
      details: {
        got: toHex(report.reportedTcb.raw),
        want: toHex(want),
        vek: { blSPL: ext.blSPL, teeSPL: ext.teeSPL, snpSPL: ext.snpSPL, ucodeSPL: ext.ucodeSPL, fmcSPL: ext.fmcSPL },
      },
    });
  }
}

/**
 * Milan/Genoa: hwID is the 64-byte CHIP_ID. Turin: KDS issues an 8-byte hwID,
 * the first 8 bytes of CHIP_ID, whose other 56 bytes are zero on Turin.
 */
function checkHwId(report: SnpReport, ext: VekExtensions, productLine: AmdProductLine): void {
  const hwId = ext.hwID!;
  const chip = report.chipId;
  const ok =
    hwId.length === 64
      ? bytesEqual(hwId, chip)
      : productLine === "Turin" && bytesEqual(hwId, chip.subarray(0, 8)) && isAllZero(chip.subarray(8));
  if (!ok) {
    throw new VerificationError(SNP_VERIFY_CODES.SNP_HWID_MISMATCH, "the VCEK's hwID does not match the report's CHIP_ID", {
      at: { field: "CHIP_ID", offset: 0x1a0 },
      details: { got: toHex(chip), want: toHex(hwId), productLine },
    });
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
