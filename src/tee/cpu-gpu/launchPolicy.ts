/**
 * Why composite evidence is not an approved composite measurement whose CPU part it shares: other GPU RIMs
 * than the pinned set, or a GPU requirement (count, model, driver, VBIOS) it misses. The requirements are in
 * the approved value itself (measurement.ts), read from chain by every validator; this only names the refusal.
 */
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { fromHex } from "@keepledger/sdk/internal/util/bytes";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { deny } from "../launchPolicyHelpers.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { cpuGpuMismatch } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";

/** Declared under "policy/launch" with the other kinds' launch codes (docs/errors.md). */
export const CPU_GPU_LAUNCH_CODES = defineErrorCodes("policy/launch", {
  POLICY_GPU_RIMS_NOT_APPROVED: {
    stage: "policy",
    description:
      "The composite's CPU part is approved but its GPUs' driver and VBIOS RIMs are not the RIM set the approved cpu-gpu measurement pins.",
  },
});

/** Throws the specific PolicyError when the CPU part matches `value` but the GPUs do not; returns otherwise. */
export function explainCpuGpuMismatch(evidence: VerifiedEvidence<"cpu-gpu">, value: Hex): void {
  const why = cpuGpuMismatch(evidence.claims, fromHex(value));
  if (why === null || why === "cpu") return;
  if (why === "rims") {
    deny(CPU_GPU_LAUNCH_CODES.POLICY_GPU_RIMS_NOT_APPROVED, "the GPUs' RIMs are not the RIM set the approved measurement pins", {
      got: evidence.claims.gpuRimSetDigest,
      gpus: evidence.claims.gpus.map((g) => ({ driverRim: g.driverRim.tagId, vbiosRim: g.vbiosRim.tagId })),
    });
  }
  deny(why.code, why.message, why.details);
}
