/**
 * The Azure CVM measurement layout and where the binding sits: pure facts (no node:, no parser or verifier), so
 * the SDK can read them. SHA-256 comes from viem (noble) for the same reason.
 */
import { sha256Bytes } from "../../util/sha256.ts";
import { defineErrorCodes } from "../../errors/catalogue.ts";
import { EvidenceFormatError, UsageError } from "../../errors/KeepledgerError.ts";
import { bytesEqual, fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import type { VerifiedEvidence } from "../types.ts";
import type { AzureCvmClaims } from "./claims.ts";

/** The measurement and binding codes (here, not in codes.ts, because the facts side may import only facts files). */
export const AZCVM_MEASUREMENT_CODES = defineErrorCodes("tee/azure-cvm/measurement", {
  AZCVM_MEASUREMENT_INVALID: {
    stage: "format",
    description:
      "A packed Azure CVM measurement is malformed: not 85 bytes, an unknown hardware type, PCR mask bits above 23, or a hardware measurement of the wrong length.",
  },
  AZCVM_PCR_NOT_QUOTED: {
    stage: "usage",
    description: "A measurement names a PCR that the TPM quote did not select: its value is not attested, so it cannot be measured.",
  },
  AZCVM_BINDING_INVALID: {
    stage: "format",
    description: "A binding hash to place in a TPM quote's extraData is not 32 bytes of hex.",
  },
});

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

/** The verified evidence of this kind (the same object every kind's verifier returns). */
export type AzureCvmVerifiedEvidence = VerifiedEvidence<"azure-cvm">;

/** TPM 2.0 PCRs of the SHA-256 bank: 0..23. */
export const PCR_COUNT = 24;
/** Packed: hardware type (1 byte: 1 SEV-SNP, 2 TDX) ‖ hardware measurement (48) ‖ PCR mask (u32 big-endian) ‖ PCR digest (32). */
export const AZURE_CVM_MEASUREMENT_LENGTH = 85;
const HARDWARE_CODES = { snp: 1, tdx: 2 } as const;
const HARDWARE_BY_CODE: Record<number, "snp" | "tdx"> = { 1: "snp", 2: "tdx" };
const ALL_PCRS = (1 << PCR_COUNT) - 1;
/** The boot chain PCRs a measurement covers when the caller names none (the example: boot manager, Secure Boot policy, UKI). */
export const DEFAULT_MEASURED_PCRS: readonly number[] = [4, 7, 11];

function invalid(message: string, details: Record<string, unknown>): never {
  throw new EvidenceFormatError(AZCVM_MEASUREMENT_CODES.AZCVM_MEASUREMENT_INVALID, message, { details });
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

/** SHA-256 over PCR values (index → 32-byte SHA-256 bank value) in ascending index order of `mask`; null when one is missing. */
export function pcrDigestOf(pcrs: Readonly<Record<number, Hex>>, mask: number): Uint8Array | null {
  const parts: Uint8Array[] = [];
  for (const i of pcrsOfMask(mask)) {
    const v = pcrs[i];
    if (v === undefined) return null;
    parts.push(fromHex(v));
  }
  const all = new Uint8Array(parts.length * 32);
  parts.forEach((p, k) => all.set(p, k * 32));
  return sha256Bytes(all);
}

/** Whether verified claims match an approved packed measurement: same hardware and measurement, and the named PCRs hold the approved values. */
export function azureCvmMeasurementMatches(claims: AzureCvmClaims, value: Uint8Array): boolean {
  const m = decodeAzureCvmMeasurement(value);
  if (m.hardware !== claims.hardware || m.hardwareMeasurement !== claims.hardwareMeasurement) return false;
  const digest = pcrDigestOf(claims.pcrs, m.pcrMask);
  return digest !== null && bytesEqual(digest, fromHex(m.pcrDigest));
}

/** The measurement of verified evidence over the PCRs the policy names (default {@link DEFAULT_MEASURED_PCRS}); each must have been quoted. */
export function azureCvmMeasurementFromVerified(
  evidence: Pick<AzureCvmVerifiedEvidence, "claims">,
  options: { pcrs?: readonly number[] } = {},
): AzureCvmMeasurement {
  const pcrs = options.pcrs ?? DEFAULT_MEASURED_PCRS;
  const mask = pcrMaskOf(pcrs);
  const missing = pcrsOfMask(mask).filter((i) => evidence.claims.pcrs[i] === undefined);
  if (missing.length > 0) {
    throw new UsageError(AZCVM_MEASUREMENT_CODES.AZCVM_PCR_NOT_QUOTED, `PCR ${missing.join(", ")} not in the TPM quote's selection`, {
      details: { missing },
    });
  }
  return {
    tee: "azure-cvm",
    hardware: evidence.claims.hardware,
    hardwareMeasurement: evidence.claims.hardwareMeasurement,
    pcrMask: mask,
    pcrDigest: toHex(pcrDigestOf(evidence.claims.pcrs, mask)!),
  };
}

/** The kind's measurement layout (KindFacts.measurement). */
export const azureCvmMeasurement: MeasurementLayout<"azure-cvm", AzureCvmMeasurement> = {
  length: AZURE_CVM_MEASUREMENT_LENGTH,
  encode: encodeAzureCvmMeasurement,
  decode: (value) => decodeAzureCvmMeasurement(value),
  matches: azureCvmMeasurementMatches,
  fromVerified: (evidence, options) => azureCvmMeasurementFromVerified(evidence, options.pcrs ? { pcrs: options.pcrs } : {}),
};

/**
 * Where the binding hash sits (KindFacts.reportData): the TPM quote's extraData is the 32-byte binding hash
 * itself, as Nitro's user_data is. The hardware REPORT_DATA holds the runtime data hash instead, and the
 * runtime data holds the AK that signed the quote, so the chain is hardware → AK → nonce.
 */
export const AZURE_CVM_REPORT_DATA = {
  length: 32 as const,
  bind(bindingHash: Hex): Hex {
    const bytes = tryFromHex(bindingHash);
    if (!bytes || bytes.length !== 32) {
      throw new EvidenceFormatError(AZCVM_MEASUREMENT_CODES.AZCVM_BINDING_INVALID, "a binding hash is 32 bytes of hex", {
        details: { length: bytes?.length ?? null },
      });
    }
    return toHex(bytes);
  },
  of(claims: AzureCvmClaims): Uint8Array | null {
    return fromHex(claims.nonce);
  },
};
