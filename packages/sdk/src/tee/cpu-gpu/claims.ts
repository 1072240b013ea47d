/** What verified composite (CPU TEE + NVIDIA GPUs) evidence says (ClaimsByKind["cpu-gpu"]); bytes are 0x-hex so claims serialize as JSON. */
import type { TeeKind } from "../../kinds/index.ts";
import type { Hex } from "../../util/bytes.ts";
import type { NvidiaGpuClaims } from "../nvidia-gpu/claims.ts";

export interface CpuGpuClaims {
  /** The CPU part, verified by its own kind's adapter. */
  cpu: {
    tee: TeeKind;
    /** The CPU kind's own claims (ClaimsByKind[tee]). */
    claims: unknown;
    /** The measurement hash of the CPU kind's default measurement of this evidence (docs/ids.md). */
    measurementHash: Hex;
    /** The CPU evidence's bound bytes (its report data, as its kind's facts read them). */
    reportData: Hex;
  };
  /** The GPUs in container order, each verified by the nvidia-gpu adapter. */
  gpus: NvidiaGpuClaims[];
  /** The 32-byte binding every GPU's SPDM nonce equals: the first 32 bytes of the CPU report data. */
  binding: Hex;
  /**
   * Whether the CPU report data is exactly its kind's binding form of `binding` (hash ‖ zero padding for a
   * 64-byte REPORTDATA): only then does the composite bind a key (a Keep's binding check reads it).
   */
  cpuReportDataCanonical: boolean;
  /** keccak256 over the GPUs' 96-byte nvidia-gpu measurement values sorted ascending (container order does not count). */
  gpuRimSetDigest: Hex;
}
