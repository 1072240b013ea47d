import { createHash } from "node:crypto";
import { EvidenceFormatError, UsageError } from "../../errors/KeepledgerError.ts";
import { bytesEqual, fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { AzureCvmClaims } from "./claims.ts";
import { AZCVM_FORMAT_CODES, AZCVM_VERIFY_CODES } from "./codes.ts";
import { PCR_COUNT } from "./parseTpmQuote.ts";
import type { AzureCvmVerifiedEvidence } from "./verifyAzureEvidence.ts";

/**
 * An approved Azure CVM measurement: the hardware measurement of the paravisor (SEV-SNP MEASUREMENT or
 * TDX MRTD) plus the PCRs the workload policy names, as a mask and the digest of their values.
 */
export interface AzureCvmMeasurement {
  tee: "azure-cvm";
  hardware: "snp" | "tdx";
  /** 48 bytes. */
  hardwareMeasurement: Hex;
  /** Bit i set: PCR i is measured (bits 0..23 only). */
  pcrMask: number;
  /** SHA-256 over the measured PCRs' SHA-256-bank values, in ascending index order (what TPM2_Quote would sign for that selection). */
  pcrDigest: Hex;
}

/** Packed: hardware type (1 byte: 1 SEV-SNP, 2 TDX) ‖ hardware measurement (48) ‖ PCR mask (u32 big-endian) ‖ PCR digest (32). */
export const AZURE_CVM_MEASUREMENT_LENGTH = 85;
const HARDWARE_CODES = { snp: 1, tdx: 2 } as const;
const HARDWARE_BY_CODE: Record<number, "snp" | "tdx"> = { 1: "snp", 2: "tdx" };
const ALL_PCRS = (1 << PCR_COUNT) - 1;
/** The boot chain PCRs a measurement covers when the caller names none (the example: boot manager, Secure Boot policy, UKI). */
export const DEFAULT_MEASURED_PCRS: readonly number[] = [4, 7, 11];

function invalid(message: string, details: Record<string, unknown>): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_MEASUREMENT_INVALID, message, { details });
}

function check(m: AzureCvmMeasurement): { hw: Uint8Array; digest: Uint8Array } {
  if (HARDWARE_CODES[m.hardware] === undefined) invalid(`unknown hardware ${String(m.hardware)}`, { hardware: m.hardware });
  const hw = tryFromHex(m.hardwareMeasurement);
  if (!hw || hw.length !== 48) invalid("the hardware measurement is not 48 bytes of hex", { hardwareMeasurement: m.hardwareMeasurement });
  if (!Number.isInteger(m.pcrMask) || m.pcrMask < 0 || m.pcrMask > ALL_PCRS)
    invalid("the PCR mask has bits above PCR 23", { pcrMask: m.pcrMask });
  const digest = tryFromHex(m.pcrDigest);
  if (!digest || digest.length !== 32) invalid("the PCR digest is not 32 bytes of hex", { pcrDigest: m.pcrDigest });
  return { hw, digest };
}

export function encodeAzureCvmMeasurement(m: AzureCvmMeasurement): Hex {
  const { hw, digest } = check(m);
  const out = new Uint8Array(AZURE_CVM_MEASUREMENT_LENGTH);
  out[0] = HARDWARE_CODES[m.hardware];
  out.set(hw, 1);
  new DataView(out.buffer).setUint32(49, m.pcrMask, false);
  out.set(digest, 53);
  return toHex(out);
}

export function decodeAzureCvmMeasurement(value: Hex | Uint8Array): AzureCvmMeasurement {
  const bytes = typeof value === "string" ? tryFromHex(value) : value;
  if (!bytes || bytes.length !== AZURE_CVM_MEASUREMENT_LENGTH) {
    invalid(`an Azure CVM measurement is ${AZURE_CVM_MEASUREMENT_LENGTH} bytes`, { length: bytes?.length ?? null });
  }
  const hardware = HARDWARE_BY_CODE[bytes[0]!];
  if (!hardware) invalid(`unknown hardware type ${bytes[0]}`, { hardware: bytes[0] });
  const pcrMask = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(49, false);
  if (pcrMask > ALL_PCRS) invalid("the PCR mask has bits above PCR 23", { pcrMask });
  return { tee: "azure-cvm", hardware, hardwareMeasurement: toHex(bytes.subarray(1, 49)), pcrMask, pcrDigest: toHex(bytes.subarray(53)) };
}

export function pcrMaskOf(pcrs: readonly number[]): number {
  let mask = 0;
  for (const i of pcrs) {
    if (!Number.isInteger(i) || i < 0 || i >= PCR_COUNT) invalid(`PCR ${i} is not 0..23`, { pcr: i });
    mask |= 1 << i;
  }
  return mask >>> 0;
}

export function pcrsOfMask(mask: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < PCR_COUNT; i++) if ((mask >>> i) & 1) out.push(i);
  return out;
}

/** SHA-256 over the claims' values of the PCRs in `mask`; null when a PCR of the mask was not quoted. */
function claimedPcrDigest(claims: AzureCvmClaims, mask: number): Uint8Array | null {
  const h = createHash("sha256");
  for (const i of pcrsOfMask(mask)) {
    const v = claims.pcrs[i];
    if (v === undefined) return null;
    h.update(fromHex(v));
  }
  return new Uint8Array(h.digest());
}

/** Whether verified claims match an approved packed measurement: same hardware and measurement, and the named PCRs hold the approved values. */
export function azureCvmMeasurementMatches(claims: AzureCvmClaims, value: Uint8Array): boolean {
  const m = decodeAzureCvmMeasurement(value);
  if (m.hardware !== claims.hardware || m.hardwareMeasurement !== claims.hardwareMeasurement) return false;
  const digest = claimedPcrDigest(claims, m.pcrMask);
  return digest !== null && bytesEqual(digest, fromHex(m.pcrDigest));
}

/** The measurement of verified evidence over the PCRs the policy names (default {@link DEFAULT_MEASURED_PCRS}); each must have been quoted. */
export function azureCvmMeasurementFromVerified(
  evidence: AzureCvmVerifiedEvidence,
  options: { pcrs?: readonly number[] } = {},
): AzureCvmMeasurement {
  const pcrs = options.pcrs ?? DEFAULT_MEASURED_PCRS;
  const mask = pcrMaskOf(pcrs);
  const missing = pcrsOfMask(mask).filter((i) => evidence.claims.pcrs[i] === undefined);
  if (missing.length > 0) {
    throw new UsageError(AZCVM_VERIFY_CODES.AZCVM_PCR_NOT_QUOTED, `PCR ${missing.join(", ")} not in the TPM quote's selection`, {
      details: { missing },
    });
  }
  return {
    tee: "azure-cvm",
    hardware: evidence.claims.hardware,
    hardwareMeasurement: evidence.claims.hardwareMeasurement,
    pcrMask: mask,
    pcrDigest: toHex(claimedPcrDigest(evidence.claims, mask)!),
  };
}
