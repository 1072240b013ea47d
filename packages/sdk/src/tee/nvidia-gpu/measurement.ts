/**
 * The NVIDIA GPU measurement a workload approves: the identities of the two
 * RIMs the GPU's measurements matched — the driver RIM digest then the VBIOS
 * RIM digest (each the SHA-384 of the canonical signed RIM, its XML-DSig
 * DigestValue: stable when NVIDIA re-signs a RIM, changed by any golden
 * value). 96 bytes packed (docs/ids.md). Facts side: no parser or verifier.
 */
import { defineErrorCodes } from "../../errors/catalogue.ts";
import { UsageError } from "../../errors/KeepledgerError.ts";
import { fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import type { NvidiaGpuClaims } from "./claims.ts";

/** Wrong use of the NVIDIA GPU measurement layout (defined here: the facts side imports no codes file). */
export const NVGPU_USAGE_CODES = defineErrorCodes("tee/nvidia-gpu/measurement", {
  NVGPU_MEASUREMENT_VALUE_INVALID: {
    stage: "usage",
    description: "An NVIDIA GPU measurement value is not 96 bytes (the driver RIM digest then the VBIOS RIM digest, 48 bytes each).",
  },
});

export const NVIDIA_GPU_MEASUREMENT_LENGTH = 96;
const DIGEST = 48;

export interface NvidiaGpuMeasurement {
  tee: "nvidia-gpu";
  /** 48-byte SHA-384, hex. */
  driverRimDigest: Hex;
  vbiosRimDigest: Hex;
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new UsageError(NVGPU_USAGE_CODES.NVGPU_MEASUREMENT_VALUE_INVALID, message, { details });
}

function digestOf(hex: Hex, name: string): Uint8Array {
  const bytes = tryFromHex(hex);
  if (bytes === undefined || bytes.length !== DIGEST) invalid(`${name} is not a 48-byte hex digest`, { [name]: hex });
  return bytes;
}

export function encodeNvidiaGpuMeasurement(m: NvidiaGpuMeasurement): Hex {
  const value = new Uint8Array(NVIDIA_GPU_MEASUREMENT_LENGTH);
  value.set(digestOf(m.driverRimDigest, "driverRimDigest"), 0);
  value.set(digestOf(m.vbiosRimDigest, "vbiosRimDigest"), DIGEST);
  return toHex(value);
}

export function decodeNvidiaGpuMeasurement(value: Hex): NvidiaGpuMeasurement {
  const bytes = tryFromHex(value);
  if (bytes === undefined || bytes.length !== NVIDIA_GPU_MEASUREMENT_LENGTH) {
    invalid(`an NVIDIA GPU measurement value is ${NVIDIA_GPU_MEASUREMENT_LENGTH} bytes`, { value, length: bytes?.length ?? null });
  }
  return { tee: "nvidia-gpu", driverRimDigest: toHex(bytes.subarray(0, DIGEST)), vbiosRimDigest: toHex(bytes.subarray(DIGEST)) };
}

/** Whether verified claims are the approved packed value. */
export function nvidiaGpuMeasurementMatches(claims: NvidiaGpuClaims, value: Uint8Array): boolean {
  return (
    value.length === NVIDIA_GPU_MEASUREMENT_LENGTH &&
    toHex(value.subarray(0, DIGEST)) === claims.driverRim.digest.toLowerCase() &&
    toHex(value.subarray(DIGEST)) === claims.vbiosRim.digest.toLowerCase()
  );
}

/** The measurement of verified evidence (options of other kinds, bySigner/withHostData, have no meaning here). */
export function nvidiaGpuMeasurementFromClaims(claims: NvidiaGpuClaims): NvidiaGpuMeasurement {
  return { tee: "nvidia-gpu", driverRimDigest: claims.driverRim.digest, vbiosRimDigest: claims.vbiosRim.digest };
}

/** The SPDM nonce is 32 bytes: it carries the binding hash itself (no padding, unlike a 64-byte REPORTDATA). */
export const NVIDIA_GPU_REPORT_DATA_LENGTH = 32;

export function nvidiaGpuBind(bindingHash: Hex): Hex {
  const bytes = tryFromHex(bindingHash);
  if (bytes === undefined || bytes.length !== NVIDIA_GPU_REPORT_DATA_LENGTH) invalid("a binding hash is 32 bytes", { bindingHash });
  return toHex(bytes);
}

export function nvidiaGpuBoundBytes(claims: NvidiaGpuClaims): Uint8Array {
  return fromHex(claims.nonce);
}

/** The kind's KindFacts.measurement. */
export const nvidiaGpuMeasurement: MeasurementLayout<"nvidia-gpu", NvidiaGpuMeasurement> = {
  length: NVIDIA_GPU_MEASUREMENT_LENGTH,
  encode: encodeNvidiaGpuMeasurement,
  decode: decodeNvidiaGpuMeasurement,
  matches: nvidiaGpuMeasurementMatches,
  fromVerified: ({ claims }) => nvidiaGpuMeasurementFromClaims(claims),
};
