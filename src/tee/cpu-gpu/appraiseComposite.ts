/**
 * The composite verdict of one CPU TEE and its GPUs, each already verified by its own adapter: every GPU's
 * SPDM nonce must be the CPU evidence's binding (the first 32 bytes of its report data); the verdict takes the
 * CPU's TCB status and platform facts, is debug (insecure) when any part is, and expires with the earliest
 * part. Its claims carry the CPU part's measurement hash and the GPUs' RIM set digest, which the measurement
 * layout (measurement.ts) compares with an approved value.
 */
import { isKeepledgerError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { bytesEqual, concatBytes, fromHex, toHex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import { factsOf, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import type { KindFacts } from "@keepledger/sdk/internal/tee/kind";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { encodeNvidiaGpuMeasurement, nvidiaGpuMeasurementFromClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";
import type { CpuGpuClaims } from "@keepledger/sdk/internal/tee/cpu-gpu/claims";
import { COMPOSITE_CPU_KINDS } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";
import { nativeMeasurementHash } from "../nativeMeasurementHash.ts";

export const COMPOSITE_VERIFY_CODES = defineErrorCodes("tee/cpu-gpu/verify", {
  COMPOSITE_GPU_BINDING_MISMATCH: {
    stage: "verification",
    description: "A GPU's SPDM nonce is not the binding hash the CPU evidence carries: the GPU is bound to another Keep (or key).",
  },
  COMPOSITE_CPU_UNBOUND: {
    stage: "verification",
    description: "The CPU evidence of a composite carries no report data (at least 32 bytes), so its GPUs cannot be bound to it.",
  },
  COMPOSITE_CPU_UNMEASURABLE: {
    stage: "verification",
    description:
      "The CPU part's default measurement cannot be taken from its evidence (an Azure CVM whose TPM quote lacks PCR 4, 7 or 11), so no composite measurement can name it.",
  },
  COMPOSITE_CPU_KIND_INVALID: {
    stage: "verification",
    description: "The CPU part of a composite is not a confidential-VM kind (tdx, sev-snp, azure-cvm, arm-cca, or debug on dev networks).",
  },
});

export interface CompositeAppraisal {
  claims: CpuGpuClaims;
  debug: boolean;
  tcb: VerifiedEvidence["tcb"];
  expiresAt: Date;
  /** keccak256 over the parts' collateral hashes, CPU first, then the GPUs in container order. */
  collateralHash: `0x${string}`;
}

/** keccak256 of the GPUs' 96-byte nvidia-gpu measurement values, sorted ascending so that container order does not count. */
export function gpuRimSetDigest(gpus: readonly VerifiedEvidence<"nvidia-gpu">[]): `0x${string}` {
  const values = gpus.map((g) => encodeNvidiaGpuMeasurement(nvidiaGpuMeasurementFromClaims(g.claims)).toLowerCase()).sort();
  return keccak256Hex(concatBytes(...values.map((v) => fromHex(v))));
}

export function appraiseComposite(cpu: VerifiedEvidence, gpus: readonly VerifiedEvidence<"nvidia-gpu">[]): CompositeAppraisal {
  if (!COMPOSITE_CPU_KINDS.includes(cpu.tee))
    throw new VerificationError(COMPOSITE_VERIFY_CODES.COMPOSITE_CPU_KIND_INVALID, `the CPU part is ${cpu.tee} evidence`, {
      details: { got: cpu.tee, allowed: COMPOSITE_CPU_KINDS },
    });
  const cpuFacts = factsOf(cpu.tee) as KindFacts;
  const bound = cpuFacts.reportData.of(cpu.claims);
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
  let cpuMeasurement: Measurement;
  try {
    cpuMeasurement = (cpuFacts.measurement.fromVerified as (e: VerifiedEvidence, o: object) => Measurement)(cpu, {});
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    throw new VerificationError(COMPOSITE_VERIFY_CODES.COMPOSITE_CPU_UNMEASURABLE, `the ${cpu.tee} part cannot be measured: ${e.message}`, {
      details: { tee: cpu.tee, code: e.code },
      cause: e,
    });
  }
  return {
    claims: {
      cpu: { tee: cpu.tee, claims: cpu.claims, measurementHash: nativeMeasurementHash(cpuMeasurement), reportData: toHex(bound) },
      gpus: gpus.map((g) => g.claims),
      binding: toHex(binding),
      cpuReportDataCanonical: bytesEqual(fromHex(cpuFacts.reportData.bind(toHex(binding))), bound),
      gpuRimSetDigest: gpuRimSetDigest(gpus),
    },
    debug: cpu.debug || gpus.some((g) => g.debug),
    tcb: cpu.tcb,
    expiresAt: [cpu.expiresAt, ...gpus.map((g) => g.expiresAt)].reduce((a, b) => (b < a ? b : a)),
    collateralHash: keccak256Hex(concatBytes(...[cpu, ...gpus].map((p) => fromHex(p.collateralHash)))),
  };
}

/** How a composite's parts are verified: each by its own kind's adapter, with that kind's collateral and roots. */
export interface CompositePartVerifiers {
  cpu(bytes: Uint8Array): VerifiedEvidence;
  gpu(bytes: Uint8Array, index: number): VerifiedEvidence<"nvidia-gpu">;
}

/** Verifies every part (any failure refuses the whole), then appraises them together. */
export function verifyComposite(
  parsed: { cpu: Uint8Array; gpus: readonly Uint8Array[] },
  verifiers: CompositePartVerifiers,
): CompositeAppraisal {
  const cpu = verifiers.cpu(parsed.cpu);
  const gpus = parsed.gpus.map((g, i) => verifiers.gpu(g, i));
  return appraiseComposite(cpu, gpus);
}
