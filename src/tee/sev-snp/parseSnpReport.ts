import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { AmdProductLine } from "../../pki/roots.ts";
import { SNP_FORMAT_CODES } from "./formatCodes.ts";
import {
  P384_SCALAR_SIZE,
  SNP_ECDSA_COMPONENT_SIZE,
  SNP_REPORT_SIZE,
  SNP_REPORT_VERSIONS,
  SNP_SIG_ALGO_ECDSA_P384_SHA384,
  SNP_SIGNED_LENGTH,
  type SnpReportVersion,
} from "./layout.ts";
import { decodePlatformInfo, decodeSnpPolicy, type SnpPlatformInfo, type SnpPolicy } from "./policy.ts";
import { productLineFromCpuid } from "./productLine.ts";
import { decodeTcbVersion, tcbLayoutOf, type SnpTcbVersion, type TcbLayout } from "./tcbVersion.ts";

export interface SnpFirmwareVersion {
  major: number;
  minor: number;
  build: number;
}

/** KEY_INFO at 0x48. */
export interface SnpKeyInfo {
  authorKeyEn: boolean;
  /** The host masked the chip key (MASK_CHIP_KEY). */
  maskChipKey: boolean;
  /** SIGNING_KEY: 0 = VCEK, 1 = VLEK (7 = unsigned is rejected at parse). */
  signingKey: "vcek" | "vlek";
}

/** A parsed SEV-SNP ATTESTATION_REPORT. Byte fields are views into `raw`. */
export interface SnpReport {
  raw: Uint8Array;
  /** Bytes 0x000..0x29F, what the VCEK/VLEK signed. */
  signedBytes: Uint8Array;
  version: SnpReportVersion;
  guestSvn: number;
  policy: bigint;
  policyDecoded: SnpPolicy;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  signatureAlgorithm: 1;
  currentTcb: SnpTcbVersion;
  platformInfo: bigint;
  platformInfoDecoded: SnpPlatformInfo;
  keyInfo: SnpKeyInfo;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  reportIdMa: Uint8Array;
  reportedTcb: SnpTcbVersion;
  /** v3+: CPUID family (base + extended), model (extended << 4 | base) and stepping. */
  cpuid: { family: number; model: number; stepping: number } | undefined;
  chipId: Uint8Array;
  committedTcb: SnpTcbVersion;
  currentVersion: SnpFirmwareVersion;
  committedVersion: SnpFirmwareVersion;
  launchTcb: SnpTcbVersion;
  /** v5 only. */
  launchMitigationVector: bigint | undefined;
  /** v5 only. */
  currentMitigationVector: bigint | undefined;
  /** r and s as 48-byte big-endian integers (converted from the report's 72-byte little-endian fields). */
  signature: { r: Uint8Array; s: Uint8Array };
  /**
   * The product line the report itself indicates: from CPUID for v3+; for v2,
   * "Turin" when CHIP_ID has Turin's shape (8 bytes then zeros) and undefined
   * otherwise (Milan or Genoa: the verifier decides from the issuing ASK).
   */
  productLine: AmdProductLine | undefined;
  productLineSource: "cpuid" | "chip-id" | undefined;
  /** The TCB_VERSION layout used to decode the four TCB fields. */
  tcbLayout: TcbLayout;
}

/** What parseSnpReport returns. */
export type ParseSnpReportResult = SnpReport;

/** Reads `n` bytes that the ABI reserves as must-be-zero. */
function mustBeZero(c: ByteCursor, n: number, field: string): void {
  const start = c.offset;
  const bytes = c.bytesOf(n, field);
  const i = bytes.findIndex((b) => b !== 0);
  if (i >= 0) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_RESERVED_NONZERO, `reserved field ${field} is not zero`, {
      at: { field, offset: start + i },
      details: { got: `0x${bytes[i]!.toString(16).padStart(2, "0")}`, want: "0x00" },
    });
  }
}

function firmwareVersion(c: ByteCursor, field: string): SnpFirmwareVersion {
  const build = c.u8(`${field}.BUILD`);
  const minor = c.u8(`${field}.MINOR`);
  const major = c.u8(`${field}.MAJOR`);
  mustBeZero(c, 1, `${field}.reserved`);
  return { major, minor, build };
}

/** A 72-byte little-endian scalar → 48 bytes big-endian; the 24 padding bytes must be zero. */
function ecdsaComponent(c: ByteCursor, field: string): Uint8Array {
  const start = c.offset;
  const le = c.bytesOf(SNP_ECDSA_COMPONENT_SIZE, field);
  const pad = le.subarray(P384_SCALAR_SIZE).findIndex((b) => b !== 0);
  if (pad >= 0) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_SIGNATURE_MALFORMED, `signature ${field} does not fit 48 bytes`, {
      at: { field, offset: start + P384_SCALAR_SIZE + pad },
    });
  }
  return le.slice(0, P384_SCALAR_SIZE).reverse();
}

function checkLength(bytes: Uint8Array): void {
  if (bytes.length === 0) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "SEV-SNP report is empty", {
      at: { field: "ATTESTATION_REPORT", offset: 0 },
    });
  }
  if (bytes.length < SNP_REPORT_SIZE) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_TRUNCATED, "SEV-SNP report is shorter than 1184 bytes", {
      at: { field: "ATTESTATION_REPORT", offset: bytes.length },
      details: { got: bytes.length, want: SNP_REPORT_SIZE },
    });
  }
  if (bytes.length > SNP_REPORT_SIZE) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_TRAILING_BYTES, "SEV-SNP report is longer than 1184 bytes", {
      at: { field: "ATTESTATION_REPORT", offset: SNP_REPORT_SIZE },
      details: { got: bytes.length, want: SNP_REPORT_SIZE },
    });
  }
}

/**
 * Parses a 1184-byte SEV-SNP ATTESTATION_REPORT, version 2, 3 or 5, without
 * any cryptography. Every must-be-zero field is enforced (see
 * docs/evidence/sev-snp.md for the list); anything else fails with an
 * EvidenceFormatError naming the field and offset.
 */
export function parseSnpReport(bytes: Uint8Array): ParseSnpReportResult {
  checkLength(bytes);
  const c = new ByteCursor(bytes);

  const version = c.u32le("VERSION");
  if (!(SNP_REPORT_VERSIONS as readonly number[]).includes(version)) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_REPORT_VERSION_UNSUPPORTED, `unsupported SEV-SNP report version ${version}`, {
      at: { field: "VERSION", offset: 0 },
      details: { got: version, want: [...SNP_REPORT_VERSIONS] },
    });
  }
  const guestSvn = c.u32le("GUEST_SVN");
  const policy = c.u64le("POLICY");
  const policyDecoded = decodeSnpPolicy(policy);
  const familyId = c.bytesOf(16, "FAMILY_ID");
  const imageId = c.bytesOf(16, "IMAGE_ID");
  const vmpl = c.u32le("VMPL");
  const signatureAlgorithm = c.u32le("SIGNATURE_ALGO");
  if (signatureAlgorithm !== SNP_SIG_ALGO_ECDSA_P384_SHA384) {
    throw new EvidenceFormatError(
      SNP_FORMAT_CODES.SNP_SIGNATURE_ALGORITHM_UNSUPPORTED,
      `unsupported signature algorithm ${signatureAlgorithm}`,
      {
        at: { field: "SIGNATURE_ALGO", offset: 0x34 },
        details: { got: signatureAlgorithm, want: SNP_SIG_ALGO_ECDSA_P384_SHA384 },
      },
    );
  }
  const currentTcbRaw = c.bytesOf(8, "CURRENT_TCB");
  const platformInfo = c.u64le("PLATFORM_INFO");
  const keyInfo = parseKeyInfo(c);
  mustBeZero(c, 4, "reserved (0x4C)");
  const reportData = c.bytesOf(64, "REPORT_DATA");
  const measurement = c.bytesOf(48, "MEASUREMENT");
  const hostData = c.bytesOf(32, "HOST_DATA");
  const idKeyDigest = c.bytesOf(48, "ID_KEY_DIGEST");
  const authorKeyDigest = c.bytesOf(48, "AUTHOR_KEY_DIGEST");
  const reportId = c.bytesOf(32, "REPORT_ID");
  const reportIdMa = c.bytesOf(32, "REPORT_ID_MA");
  const reportedTcbRaw = c.bytesOf(8, "REPORTED_TCB");
  let cpuid: SnpReport["cpuid"];
  if (version >= 3) {
    cpuid = { family: c.u8("CPUID_FAM_ID"), model: c.u8("CPUID_MOD_ID"), stepping: c.u8("CPUID_STEP") };
    mustBeZero(c, 21, "reserved (0x18B)");
  } else {
    mustBeZero(c, 24, "reserved (0x188)");
  }
  const chipId = c.bytesOf(64, "CHIP_ID");
  const committedTcbRaw = c.bytesOf(8, "COMMITTED_TCB");
  const currentVersion = firmwareVersion(c, "CURRENT_VERSION");
  const committedVersion = firmwareVersion(c, "COMMITTED_VERSION");
  const launchTcbRaw = c.bytesOf(8, "LAUNCH_TCB");
  let launchMitigationVector: bigint | undefined;
  let currentMitigationVector: bigint | undefined;
  if (version >= 5) {
    launchMitigationVector = c.u64le("LAUNCH_MIT_VECTOR");
    currentMitigationVector = c.u64le("CURRENT_MIT_VECTOR");
    mustBeZero(c, 0x2a0 - 0x208, "reserved (0x208)");
  } else {
    mustBeZero(c, 0x2a0 - 0x1f8, "reserved (0x1F8)");
  }
  const r = ecdsaComponent(c, "SIGNATURE.R");
  const s = ecdsaComponent(c, "SIGNATURE.S");
  mustBeZero(c, 512 - 2 * SNP_ECDSA_COMPONENT_SIZE, "SIGNATURE.reserved");
  c.end("ATTESTATION_REPORT");

  const { productLine, productLineSource } = productLineOf(cpuid, chipId);
  const tcbLayout = tcbLayoutOf(productLine);
  const [currentTcb, reportedTcb, committedTcb, launchTcb] = [currentTcbRaw, reportedTcbRaw, committedTcbRaw, launchTcbRaw].map((raw) =>
    decodeTcbVersion(raw, tcbLayout),
  ) as [SnpTcbVersion, SnpTcbVersion, SnpTcbVersion, SnpTcbVersion];

  return {
    raw: bytes,
    signedBytes: bytes.subarray(0, SNP_SIGNED_LENGTH),
    version: version as SnpReportVersion,
    guestSvn,
    policy,
    policyDecoded,
    familyId,
    imageId,
    vmpl,
    signatureAlgorithm: 1,
    currentTcb,
    platformInfo,
    platformInfoDecoded: decodePlatformInfo(platformInfo),
    keyInfo,
    reportData,
    measurement,
    hostData,
    idKeyDigest,
    authorKeyDigest,
    reportId,
    reportIdMa,
    reportedTcb,
    cpuid,
    chipId,
    committedTcb,
    currentVersion,
    committedVersion,
    launchTcb,
    launchMitigationVector,
    currentMitigationVector,
    signature: { r, s },
    productLine,
    productLineSource,
    tcbLayout,
  };
}

function parseKeyInfo(c: ByteCursor): SnpKeyInfo {
  const offset = c.offset;
  const v = c.u32le("KEY_INFO");
  if (v >>> 5 !== 0) {
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_RESERVED_NONZERO, "reserved bits 5..31 of KEY_INFO are not zero", {
      at: { field: "KEY_INFO", offset },
      details: { got: `0x${v.toString(16)}` },
    });
  }
  const key = (v >>> 2) & 7;
  if (key !== 0 && key !== 1) {
    const why = key === 7 ? "the report is not signed (SIGNING_KEY = 7)" : `SIGNING_KEY ${key} is reserved`;
    throw new EvidenceFormatError(SNP_FORMAT_CODES.SNP_SIGNING_KEY_UNSUPPORTED, why, {
      at: { field: "KEY_INFO.SIGNING_KEY", offset },
      details: { got: key, want: [0, 1] },
    });
  }
  return { authorKeyEn: (v & 1) === 1, maskChipKey: (v & 2) === 2, signingKey: key === 0 ? "vcek" : "vlek" };
}

function productLineOf(
  cpuid: SnpReport["cpuid"],
  chipId: Uint8Array,
): { productLine: AmdProductLine | undefined; productLineSource: SnpReport["productLineSource"] } {
  if (cpuid) {
    const productLine = productLineFromCpuid(cpuid.family, cpuid.model);
    if (!productLine) {
      throw new EvidenceFormatError(
        SNP_FORMAT_CODES.SNP_PRODUCT_UNKNOWN,
        `unknown AMD product (CPUID family 0x${cpuid.family.toString(16)}, model 0x${cpuid.model.toString(16)})`,
        { at: { field: "CPUID_FAM_ID", offset: 0x188 }, details: { family: cpuid.family, model: cpuid.model } },
      );
    }
    return { productLine, productLineSource: "cpuid" };
  }
  // v2: Turin's CHIP_ID is an 8-byte id followed by zeros; Milan/Genoa use all 64 bytes.
  const head = chipId.subarray(0, 8).some((b) => b !== 0);
  const tail = chipId.subarray(8).some((b) => b !== 0);
  if (head && !tail) return { productLine: "Turin", productLineSource: "chip-id" };
  return { productLine: undefined, productLineSource: undefined };
}
