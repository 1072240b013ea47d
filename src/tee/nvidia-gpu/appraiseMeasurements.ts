/**
 * Golden-measurement comparison, as NVIDIA's verifier does it: the active
 * measurements of the driver and VBIOS RIMs are merged (the same active index
 * in both is refused), and each must equal one of its alternatives at report
 * block index + 1. NVDEC0 rule: RIM index 35 measures the NVDEC0 video
 * decoder's firmware, which is not loaded when the GPU reports NVDEC0 status
 * 0x55 (disabled); NVIDIA's verifier then skips that index. Here it is still
 * compared (a match counts), but a mismatch there is waived, not fatal.
 */
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import { NVGPU_VERIFY_CODES } from "./codes.ts";
import { STATUS_DISABLED } from "./parseOpaqueData.ts";
import type { MeasurementBlock } from "./parseSpdmReport.ts";
import type { GoldenMeasurement } from "./rim/parseRim.ts";

export const NVDEC0_RIM_INDEX = 35;

export interface AppraisalResult {
  /** Active golden measurements compared and matched. */
  matched: number;
  /** Indices whose mismatch the NVDEC0 rule waived. */
  waived: number[];
}

export function appraiseMeasurements(
  blocks: readonly MeasurementBlock[],
  rims: ReadonlyArray<{ name: "driver" | "vbios"; measurements: readonly GoldenMeasurement[] }>,
  nvdec0Status: number | null,
): AppraisalResult {
  const golden = new Map<number, { source: string; m: GoldenMeasurement }>();
  for (const rim of rims) {
    for (const m of rim.measurements) {
      if (!m.active) continue;
      const other = golden.get(m.index);
      if (other) {
        throw new VerificationError(
          NVGPU_VERIFY_CODES.NVGPU_RIM_INDEX_CONFLICT,
          `the ${other.source} and ${rim.name} RIMs both measure index ${m.index}`,
          {
            details: { index: m.index },
          },
        );
      }
      golden.set(m.index, { source: rim.name, m });
    }
  }
  let matched = 0;
  const waived: number[] = [];
  const mismatched: Array<{ index: number; source: string; reported: Uint8Array | null }> = [];
  for (const [index, { source, m }] of [...golden].sort((a, b) => a[0] - b[0])) {
    const reported = blocks[index]?.digest ?? null; // block index = RIM index + 1; blocks[] is 0-based
    if (reported !== null && m.alternatives.some((a) => bytesEqual(a, reported))) matched++;
    else if (index === NVDEC0_RIM_INDEX && nvdec0Status === STATUS_DISABLED) waived.push(index);
    else mismatched.push({ index, source, reported });
  }
  if (mismatched.length > 0) {
    throw new VerificationError(
      NVGPU_VERIFY_CODES.NVGPU_MEASUREMENT_MISMATCH,
      `${mismatched.length} measurement(s) match no golden value`,
      {
        details: { mismatched },
      },
    );
  }
  return { matched, waived };
}
