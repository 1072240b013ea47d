/**
 * GPU launch requirements: how many attested GPUs, of which models (chip / project / SKU), with at least
 * which driver and VBIOS versions. Pure checks over verified claims, for a composite (CPU + GPUs) appraisal.
 * Not part of the on-chain LaunchPolicy (docs/evidence/nvidia-gpu.md, "Launch policy"): a standalone GPU
 * verdict is judged by its measurement, the two RIM digests, which pin the driver and VBIOS exactly.
 */
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { deny } from "../launchPolicyHelpers.ts";
import type { NvidiaGpuClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/claims";

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

/** Compares dotted versions component by component in `radix`; a missing component counts as 0. */
export function compareVersions(a: string, b: string, radix: 10 | 16): number {
  const pa = a.split(".").map((p) => parseInt(p, radix));
  const pb = b.split(".").map((p) => parseInt(p, radix));
  if ([...pa, ...pb].some((n) => !Number.isFinite(n))) throw new RangeError(`not a dotted version: "${a}" / "${b}"`);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function chipOf(gpu: NvidiaGpuClaims): string {
  return (gpu.hardwareModel.split(" ")[0] ?? "").toUpperCase();
}

function isModel(gpu: NvidiaGpuClaims, m: GpuModel): boolean {
  return (
    (m.chip === undefined || m.chip.toUpperCase() === chipOf(gpu)) &&
    (m.project === undefined || m.project === gpu.project) &&
    (m.projectSku === undefined || m.projectSku === gpu.projectSku) &&
    (m.chipSku === undefined || m.chipSku === gpu.chipSku)
  );
}

/** Throws a PolicyError naming the GPU (by index), what it has and what the policy allows. */
export function checkGpuLaunchRequirements(gpus: readonly NvidiaGpuClaims[], req: GpuLaunchRequirements): void {
  if (gpus.length < req.minGpus) {
    deny(GPU_LAUNCH_CODES.POLICY_GPU_COUNT_BELOW_MINIMUM, `${gpus.length} attested GPU(s), the policy requires at least ${req.minGpus}`, {
      got: gpus.length,
      min: req.minGpus,
    });
  }
  for (const [i, gpu] of gpus.entries()) {
    if (req.allowedModels.length > 0 && !req.allowedModels.some((m) => isModel(gpu, m))) {
      deny(
        GPU_LAUNCH_CODES.POLICY_GPU_MODEL_NOT_ALLOWED,
        `GPU ${i} (${chipOf(gpu)} ${gpu.project}/${gpu.projectSku}/${gpu.chipSku}) is not an allowed model`,
        {
          gpu: i,
          got: { chip: chipOf(gpu), project: gpu.project, projectSku: gpu.projectSku, chipSku: gpu.chipSku },
          allowed: req.allowedModels,
        },
      );
    }
    if (req.minDriverVersion !== null && compareVersions(gpu.driverVersion, req.minDriverVersion, 10) < 0) {
      deny(
        GPU_LAUNCH_CODES.POLICY_GPU_DRIVER_BELOW_MINIMUM,
        `GPU ${i} runs driver ${gpu.driverVersion}, the policy requires ${req.minDriverVersion} or later`,
        {
          gpu: i,
          got: gpu.driverVersion,
          min: req.minDriverVersion,
        },
      );
    }
    if (req.minVbiosVersion !== null && compareVersions(gpu.vbiosVersion, req.minVbiosVersion, 16) < 0) {
      deny(
        GPU_LAUNCH_CODES.POLICY_GPU_VBIOS_BELOW_MINIMUM,
        `GPU ${i} has VBIOS ${gpu.vbiosVersion}, the policy requires ${req.minVbiosVersion} or later`,
        {
          gpu: i,
          got: gpu.vbiosVersion,
          min: req.minVbiosVersion,
        },
      );
    }
  }
}
