/**
 * The composite (CPU TEE + GPUs) evidence container: one CPU evidence and 1..8 NVIDIA GPU evidences,
 * all bound to the same binding hash. Small and strict — every length checked, nothing after the last part:
 *
 *   0  magic "KLCG" (4) | version 0x01 (1) | GPU count n, 1..8 (1) | CPU length (4, BE) | CPU evidence
 *   .. n × { GPU length (4, BE) | GPU evidence }
 *
 * Parsing only (no crypto): each part is verified by its own kind's adapter.
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { MAX_COMPOSITE_GPUS } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";

export const COMPOSITE_FORMAT_CODES = defineErrorCodes("tee/cpu-gpu/format", {
  COMPOSITE_MAGIC_INVALID: { stage: "format", description: 'The composite evidence does not start with "KLCG" and version 1.' },
  COMPOSITE_GPU_COUNT_INVALID: { stage: "format", description: "A composite evidence container holds 1 to 8 GPU evidences." },
  COMPOSITE_PART_LENGTH_INVALID: {
    stage: "format",
    description:
      "A part of the composite evidence is empty, larger than its limit (CPU 1 MiB, GPU 256 KiB) or runs past the end of the container.",
  },
  COMPOSITE_TRAILING_BYTES: { stage: "format", description: "Bytes follow the last GPU evidence of a composite container." },
  COMPOSITE_CPU_EVIDENCE_UNKNOWN: {
    stage: "format",
    description:
      "The CPU part of a composite container is not evidence of exactly one confidential-VM kind (tdx, sev-snp, azure-cvm, arm-cca, or a debug Keep).",
  },
  COMPOSITE_GPU_EVIDENCE_UNKNOWN: { stage: "format", description: "A GPU part of a composite container is not NVIDIA GPU evidence." },
});

export const COMPOSITE_MAGIC = Uint8Array.of(0x4b, 0x4c, 0x43, 0x47); // "KLCG"
export const COMPOSITE_VERSION = 1;
const MAX_CPU = 1024 * 1024;
const MAX_GPU = 256 * 1024;
const HEADER = 4 + 1 + 1;

export interface CompositeEvidence {
  cpu: Uint8Array;
  gpus: Uint8Array[];
}

function fail(code: string, message: string, offset: number): never {
  throw new EvidenceFormatError(code, message, { at: { offset } });
}

/** Whether the bytes start like a composite container. Never throws. */
export function detectCompositeEvidence(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER && COMPOSITE_MAGIC.every((b, i) => bytes[i] === b) && bytes[4] === COMPOSITE_VERSION;
}

export function parseCompositeEvidence(bytes: Uint8Array): CompositeEvidence {
  if (!detectCompositeEvidence(bytes)) fail(COMPOSITE_FORMAT_CODES.COMPOSITE_MAGIC_INVALID, 'not a "KLCG" version 1 container', 0);
  const n = bytes[5]!;
  if (n < 1 || n > MAX_COMPOSITE_GPUS) fail(COMPOSITE_FORMAT_CODES.COMPOSITE_GPU_COUNT_INVALID, `${n} GPU evidences; 1 to 8 allowed`, 5);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = HEADER;
  const part = (max: number, name: string): Uint8Array => {
    if (at + 4 > bytes.length) fail(COMPOSITE_FORMAT_CODES.COMPOSITE_PART_LENGTH_INVALID, `${name}: no length`, at);
    const length = view.getUint32(at, false);
    if (length === 0 || length > max || at + 4 + length > bytes.length) {
      fail(
        COMPOSITE_FORMAT_CODES.COMPOSITE_PART_LENGTH_INVALID,
        `${name}: length ${length} (limit ${max}, ${bytes.length - at - 4} left)`,
        at,
      );
    }
    const out = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return out;
  };
  const cpu = part(MAX_CPU, "CPU evidence");
  const gpus = Array.from({ length: n }, (_, i) => part(MAX_GPU, `GPU evidence ${i}`));
  if (at !== bytes.length)
    fail(COMPOSITE_FORMAT_CODES.COMPOSITE_TRAILING_BYTES, `${bytes.length - at} bytes after the last GPU evidence`, at);
  return { cpu, gpus };
}

export function encodeCompositeEvidence(e: CompositeEvidence): Uint8Array {
  if (e.gpus.length < 1 || e.gpus.length > MAX_COMPOSITE_GPUS) throw new RangeError("1 to 8 GPU evidences");
  const len = (b: Uint8Array) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, b.length, false);
    return out;
  };
  const parts = [
    COMPOSITE_MAGIC,
    Uint8Array.of(COMPOSITE_VERSION, e.gpus.length),
    len(e.cpu),
    e.cpu,
    ...e.gpus.flatMap((g) => [len(g), g]),
  ];
  return new Uint8Array(Buffer.concat(parts));
}
