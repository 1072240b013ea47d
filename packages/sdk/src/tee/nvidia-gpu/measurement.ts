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

// ===== GPU requirements (what a composite Keep's approved measurement may demand of its GPUs) =====

/** Declared under "policy/launch" with the other kinds' launch codes (docs/errors.md). */
export const GPU_LAUNCH_CODES = defineErrorCodes("policy/launch", {
  POLICY_GPU_COUNT_BELOW_MINIMUM: {
    stage: "policy",
    description: "Fewer attested GPUs than the policy requires are bound to the Keep.",
  },
  POLICY_GPU_MODEL_NOT_ALLOWED: {
    stage: "policy",
    description: "An attested GPU's chip, project, project SKU or chip SKU is not among the models the policy allows.",
  },
  POLICY_GPU_DRIVER_BELOW_MINIMUM: {
    stage: "policy",
    description: "An attested GPU runs a driver older than the policy's minimum driver version.",
  },
  POLICY_GPU_VBIOS_BELOW_MINIMUM: {
    stage: "policy",
    description: "An attested GPU's VBIOS is older than the policy's minimum VBIOS version.",
  },
});

/** A model a GPU may be: each field given must match (chip compared case-insensitively with the device CA's chip, e.g. "GH100"). */
export interface GpuModel {
  chip?: string;
  project?: string;
  projectSku?: string;
  chipSku?: string;
}

export interface GpuLaunchRequirements {
  /** At least this many attested GPUs (default 0). */
  minGpus: number;
  /** The models allowed; empty allows any. */
  allowedModels: GpuModel[];
  /** Minimum driver version, dotted decimal ("550.90.07"); null for none. */
  minDriverVersion: string | null;
  /** Minimum VBIOS version, dotted hex as NVIDIA prints it ("96.00.9f.00.01"); null for none. */
  minVbiosVersion: string | null;
}

export function defaultGpuLaunchRequirements(): GpuLaunchRequirements {
  return { minGpus: 0, allowedModels: [], minDriverVersion: null, minVbiosVersion: null };
}

/** The components of a dotted version in `radix`, or null when a component is not a number. */
export function versionParts(v: string, radix: 10 | 16): number[] | null {
  const digits = radix === 10 ? /^[0-9]{1,9}$/ : /^[0-9a-fA-F]{1,8}$/;
  const parts = v.split(".");
  return parts.every((p) => digits.test(p)) ? parts.map((p) => parseInt(p, radix)) : null;
}

/** Compares dotted versions component by component in `radix`; a missing component counts as 0. */
export function compareVersions(a: string, b: string, radix: 10 | 16): number {
  const pa = versionParts(a, radix);
  const pb = versionParts(b, radix);
  if (pa === null || pb === null) throw new RangeError(`not a dotted version: "${a}" / "${b}"`);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The GPU's chip as its device CA names it ("GH100 A01 GSP BROM" → "GH100"). */
export function gpuChipOf(gpu: NvidiaGpuClaims): string {
  return (gpu.hardwareModel.split(" ")[0] ?? "").toUpperCase();
}

function isModel(gpu: NvidiaGpuClaims, m: GpuModel): boolean {
  return (
    (m.chip === undefined || m.chip.toUpperCase() === gpuChipOf(gpu)) &&
    (m.project === undefined || m.project === gpu.project) &&
    (m.projectSku === undefined || m.projectSku === gpu.projectSku) &&
    (m.chipSku === undefined || m.chipSku === gpu.chipSku)
  );
}

/** A GPU version at least `min`; a GPU version that is not dotted numbers is below any minimum. */
function atLeast(got: string, min: string, radix: 10 | 16): boolean {
  if (versionParts(got, radix) === null) return false;
  return compareVersions(got, min, radix) >= 0;
}

export interface GpuRequirementFailure {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** The first requirement the GPUs miss (count, then each GPU's model, driver and VBIOS), or null when all hold. Pure. */
export function gpuRequirementFailure(gpus: readonly NvidiaGpuClaims[], req: GpuLaunchRequirements): GpuRequirementFailure | null {
  if (gpus.length < req.minGpus) {
    return {
      code: GPU_LAUNCH_CODES.POLICY_GPU_COUNT_BELOW_MINIMUM,
      message: `${gpus.length} attested GPU(s), the policy requires at least ${req.minGpus}`,
      details: { got: gpus.length, min: req.minGpus },
    };
  }
  for (const [i, gpu] of gpus.entries()) {
    if (req.allowedModels.length > 0 && !req.allowedModels.some((m) => isModel(gpu, m))) {
      return {
        code: GPU_LAUNCH_CODES.POLICY_GPU_MODEL_NOT_ALLOWED,
        message: `GPU ${i} (${gpuChipOf(gpu)} ${gpu.project}/${gpu.projectSku}/${gpu.chipSku}) is not an allowed model`,
        details: {
          gpu: i,
          got: { chip: gpuChipOf(gpu), project: gpu.project, projectSku: gpu.projectSku, chipSku: gpu.chipSku },
          allowed: req.allowedModels,
        },
      };
    }
    if (req.minDriverVersion !== null && !atLeast(gpu.driverVersion, req.minDriverVersion, 10)) {
      return {
        code: GPU_LAUNCH_CODES.POLICY_GPU_DRIVER_BELOW_MINIMUM,
        message: `GPU ${i} runs driver ${gpu.driverVersion}, the policy requires ${req.minDriverVersion} or later`,
        details: { gpu: i, got: gpu.driverVersion, min: req.minDriverVersion },
      };
    }
    if (req.minVbiosVersion !== null && !atLeast(gpu.vbiosVersion, req.minVbiosVersion, 16)) {
      return {
        code: GPU_LAUNCH_CODES.POLICY_GPU_VBIOS_BELOW_MINIMUM,
        message: `GPU ${i} has VBIOS ${gpu.vbiosVersion}, the policy requires ${req.minVbiosVersion} or later`,
        details: { gpu: i, got: gpu.vbiosVersion, min: req.minVbiosVersion },
      };
    }
  }
  return null;
}
