/**
 * GPU launch requirements: how many attested GPUs, of which models (chip / project / SKU), with at least
 * which driver and VBIOS versions, checked over verified claims with typed policy codes. The requirements
 * themselves and their pure predicate (gpuRequirementFailure) are on the facts side (measurement.ts), since a
 * composite Keep's approved measurement carries them (src/tee/cpu-gpu/measurement.ts, docs/evidence/cpu-gpu.md);
 * a standalone GPU verdict is judged by its measurement, the two RIM digests, which pin driver and VBIOS exactly.
 */
import { deny } from "../launchPolicyHelpers.ts";
import type { NvidiaGpuClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/claims";
import { gpuRequirementFailure, type GpuLaunchRequirements } from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";

export {
  compareVersions,
  defaultGpuLaunchRequirements,
  GPU_LAUNCH_CODES,
  gpuRequirementFailure,
  type GpuLaunchRequirements,
  type GpuModel,
} from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";

/** Throws a PolicyError naming the GPU (by index), what it has and what the policy allows. */
export function checkGpuLaunchRequirements(gpus: readonly NvidiaGpuClaims[], req: GpuLaunchRequirements): void {
  const failure = gpuRequirementFailure(gpus, req);
  if (failure !== null) deny(failure.code, failure.message, failure.details);
}
