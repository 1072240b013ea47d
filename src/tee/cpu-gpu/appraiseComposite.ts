/**
 * The composite verdict of one CPU TEE and its GPUs, each already verified by its own adapter: every GPU's
 * SPDM nonce must be the CPU evidence's binding hash (the first 32 bytes of its report data), the GPU
 * launch requirements must hold, and the verdict takes the CPU's TCB, is debug when any part is, and
 * expires with the earliest part. Measurement (66 bytes, fixed): CPU kind code (1) ‖ CPU measurement hash
 * (32) ‖ GPU count (1) ‖ keccak256 of the GPUs' 96-byte measurement values in container order (32).
 */
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { teeKindCode } from "@keepledger/sdk/internal/ids/enums";
import { bytesEqual, concatBytes, fromHex, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Bytes } from "@keepledger/sdk/internal/util/keccak256";
import { factsOf, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import type { TeeKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { NvidiaGpuClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/claims";
import { checkGpuLaunchRequirements, type GpuLaunchRequirements } from "../nvidia-gpu/launchPolicy.ts";
import { encodeNvidiaGpuMeasurement, nvidiaGpuMeasurementFromClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";

export const COMPOSITE_VERIFY_CODES = defineErrorCodes("tee/cpu-gpu/verify", {
  COMPOSITE_GPU_BINDING_MISMATCH: {
    stage: "verification",
    description: "A GPU's SPDM nonce is not the binding hash the CPU evidence carries: the GPU is bound to another Keep (or key).",
  },
  COMPOSITE_CPU_UNBOUND: {
    stage: "verification",
    description: "The CPU evidence of a composite carries no report data, so its GPUs cannot be bound to it.",
  },
  COMPOSITE_CPU_KIND_INVALID: {
    stage: "verification",
    description: "The CPU part of a composite is not a CPU TEE kind (a GPU, or a composite).",
  },
});

export interface CompositeClaims {
  cpu: { tee: TeeKind; claims: unknown; measurementHash: Hex };
  gpus: NvidiaGpuClaims[];
  /** The 32-byte binding hash every part carries. */
  binding: Hex;
}

export interface CompositeAppraisal {
  claims: CompositeClaims;
  measurement: Hex;
  debug: boolean;
  tcb: VerifiedEvidence["tcb"];
  expiresAt: Date;
}

export const COMPOSITE_MEASUREMENT_LENGTH = 66;

export function appraiseComposite(
  cpu: VerifiedEvidence,
  gpus: readonly VerifiedEvidence<"nvidia-gpu">[],
  requirements: GpuLaunchRequirements,
): CompositeAppraisal {
  if (cpu.tee === "nvidia-gpu")
    throw new VerificationError(COMPOSITE_VERIFY_CODES.COMPOSITE_CPU_KIND_INVALID, "the CPU part is GPU evidence");
  const bound = (factsOf(cpu.tee).reportData.of as (c: unknown) => Uint8Array | null)(cpu.claims);
  if (bound === null || bound.length < 32)
    throw new VerificationError(COMPOSITE_VERIFY_CODES.COMPOSITE_CPU_UNBOUND, "the CPU evidence carries no binding");
  const binding = bound.subarray(0, 32);
  for (const [i, gpu] of gpus.entries()) {
    if (!bytesEqual(fromHex(gpu.claims.nonce), binding)) {
      throw new VerificationError(
        COMPOSITE_VERIFY_CODES.COMPOSITE_GPU_BINDING_MISMATCH,
        `GPU ${i}'s nonce is not the CPU evidence's binding hash`,
        {
          details: { gpu: i, nonce: gpu.claims.nonce, binding: toHex(binding) },
        },
      );
    }
  }
  checkGpuLaunchRequirements(
    gpus.map((g) => g.claims),
    requirements,
  );
  const cpuMeasurement = (
    factsOf(cpu.tee).measurement.fromVerified as (e: VerifiedEvidence, o: object) => Parameters<typeof measurementHash>[0]
  )(cpu, {});
  const cpuHash = measurementHash(cpuMeasurement);
  const gpuValues = gpus.map((g) => fromHex(encodeNvidiaGpuMeasurement(nvidiaGpuMeasurementFromClaims(g.claims))));
  const measurement = toHex(
    concatBytes(
      Uint8Array.of(teeKindCode(cpu.tee)),
      fromHex(cpuHash),
      Uint8Array.of(gpus.length),
      keccak256Bytes(concatBytes(...gpuValues)),
    ),
  );
  return {
    claims: {
      cpu: { tee: cpu.tee, claims: cpu.claims, measurementHash: cpuHash },
      gpus: gpus.map((g) => g.claims),
      binding: toHex(binding),
    },
    measurement,
    debug: cpu.debug || gpus.some((g) => g.debug),
    tcb: cpu.tcb,
    expiresAt: [cpu.expiresAt, ...gpus.map((g) => g.expiresAt)].reduce((a, b) => (b < a ? b : a)),
  };
}

/** How a composite's parts are verified: each by its own kind's adapter, with that kind's collateral and roots. */
export interface CompositePartVerifiers {
  cpu(bytes: Uint8Array): VerifiedEvidence;
  gpu(bytes: Uint8Array, index: number): VerifiedEvidence<"nvidia-gpu">;
}

/** Parses the container, verifies every part (any failure refuses the whole), then appraises them together. */
export function verifyComposite(
  parsed: { cpu: Uint8Array; gpus: readonly Uint8Array[] },
  verifiers: CompositePartVerifiers,
  requirements: GpuLaunchRequirements,
): CompositeAppraisal {
  const cpu = verifiers.cpu(parsed.cpu);
  const gpus = parsed.gpus.map((g, i) => verifiers.gpu(g, i));
  return appraiseComposite(cpu, gpus, requirements);
}
