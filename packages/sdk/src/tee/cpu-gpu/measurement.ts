/**
 * The composite (CPU TEE + NVIDIA GPUs) measurement a workload approves: the CPU part's measurement hash,
 * the GPUs' RIM identities and what the workload demands of its GPUs (how many, which models, minimum driver
 * and VBIOS). Fixed 146 bytes packed (docs/evidence/cpu-gpu.md, docs/ids.md):
 *
 *   off len
 *     0   1  CPU kind: its TeeKind code (2 tdx, 3 sev-snp, 5 debug, 7 azure-cvm, 8 arm-cca)
 *     1  32  CPU measurement hash: measurementHashOfValue(CPU kind, the CPU kind's default measurement)
 *    33   1  minimum GPU count, 1..8
 *    34  32  GPU RIM set digest: keccak256 of the GPUs' 96-byte nvidia-gpu values sorted ascending;
 *            zero: any RIMs (each GPU's RIMs are still verified and matched, and the minimums apply)
 *    66  64  two GPU model slots, each chip ‖ project ‖ project SKU ‖ chip SKU (8 bytes each, ASCII, NUL
 *            padded; a zero field matches anything; a zero slot is unused; both unused: any model)
 *   130   8  minimum driver version: 4 × uint16 big-endian ("550.90.07" = 550, 90, 7, 0); zero: none
 *   138   8  minimum VBIOS version: 8 × uint8 ("96.00.9f.00.01" = 96h, 00, 9fh, 00, 01, 0, 0, 0); zero: none
 *
 * The requirements live in the approved value (read from chain by every validator, like the rest of the
 * measurement), not in the Policy struct: the contract checks only the length. Facts side: no parser or verifier.
 */
import { defineErrorCodes } from "../../errors/catalogue.ts";
import { UsageError } from "../../errors/KeepledgerError.ts";
import { teeKindCode, teeKindFromCode } from "../../ids/enums.ts";
import type { TeeKind } from "../../kinds/index.ts";
import { bytesEqual, fromHex, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import {
  gpuRequirementFailure,
  versionParts,
  type GpuLaunchRequirements,
  type GpuModel,
  type GpuRequirementFailure,
} from "../nvidia-gpu/measurement.ts";
import type { CpuGpuClaims } from "./claims.ts";

export const CPU_GPU_USAGE_CODES = defineErrorCodes("tee/cpu-gpu/measurement", {
  CPU_GPU_MEASUREMENT_VALUE_INVALID: {
    stage: "usage",
    description:
      "A composite (cpu-gpu) measurement value is not the 146-byte layout: CPU kind, CPU measurement hash, GPU count 1..8, RIM set digest, two model slots, minimum driver and VBIOS versions (docs/evidence/cpu-gpu.md).",
  },
});

export const CPU_GPU_MEASUREMENT_LENGTH = 146;
export const MAX_COMPOSITE_GPUS = 8;
/** The kinds that may be the CPU part of a composite: confidential VMs (and debug Keeps, dev only). */
export const COMPOSITE_CPU_KINDS: readonly TeeKind[] = ["tdx", "sev-snp", "debug", "azure-cvm", "arm-cca"];
const MODEL_SLOTS = 2;
const FIELD = 8;
const MODEL_FIELDS = ["chip", "project", "projectSku", "chipSku"] as const;
const OFF = { cpuTee: 0, cpuHash: 1, minGpus: 33, rimSet: 34, models: 66, driver: 130, vbios: 138 } as const;

export interface CpuGpuMeasurement {
  tee: "cpu-gpu";
  /** The CPU part's kind (one of COMPOSITE_CPU_KINDS). */
  cpuTee: TeeKind;
  /** The CPU part's measurement hash (32 bytes): `workload measure --tee <cpu kind>` prints it. */
  cpuMeasurementHash: Hex;
  /** At least this many GPUs, 1..8. */
  minGpus: number;
  /** The GPUs' RIM set digest (32 bytes), or null: any RIMs meeting the requirements. */
  gpuRimSetDigest: Hex | null;
  /** Up to two allowed models; empty: any. */
  gpuModels: GpuModel[];
  /** Dotted decimal, up to 4 components of 0..65535; null: none. */
  minDriverVersion: string | null;
  /** Dotted hex, up to 8 components of 00..ff; null: none. */
  minVbiosVersion: string | null;
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new UsageError(CPU_GPU_USAGE_CODES.CPU_GPU_MEASUREMENT_VALUE_INVALID, message, { details });
}

function bytes32(hex: Hex, name: string): Uint8Array {
  const b = tryFromHex(hex);
  if (b === undefined || b.length !== 32) invalid(`${name} is not 32 bytes of hex`, { [name]: hex });
  return b;
}

function cpuKindCode(kind: TeeKind): number {
  if (!COMPOSITE_CPU_KINDS.includes(kind))
    invalid(`${kind} cannot be the CPU part of a composite`, { cpuTee: kind, allowed: COMPOSITE_CPU_KINDS });
  return teeKindCode(kind);
}

function encodeVersion(v: string | null, name: string, radix: 10 | 16, parts: number, width: 1 | 2): Uint8Array {
  const out = new Uint8Array(parts * width);
  if (v === null) return out;
  const p = versionParts(v, radix);
  const max = width === 1 ? 0xff : 0xffff;
  if (p === null || p.length > parts || p.some((n) => n > max) || p.every((n) => n === 0)) {
    invalid(`${name} "${v}" is not a nonzero dotted version of at most ${parts} components of 0..${max}`, { [name]: v });
  }
  p.forEach((n, i) => (width === 1 ? (out[i] = n) : new DataView(out.buffer).setUint16(i * 2, n, false)));
  return out;
}

function decodeVersion(b: Uint8Array, radix: 10 | 16, width: 1 | 2): string | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const parts = Array.from({ length: b.length / width }, (_, i) => (width === 1 ? b[i]! : view.getUint16(i * 2, false)));
  while (parts.length > 1 && parts[parts.length - 1] === 0) parts.pop();
  if (parts.every((n) => n === 0)) return null;
  return parts.map((n) => (radix === 10 ? String(n) : n.toString(16).padStart(2, "0"))).join(".");
}

function encodeField(value: string | undefined, name: string): Uint8Array {
  const out = new Uint8Array(FIELD);
  if (value === undefined) return out;
  if (!/^[\x21-\x7e]{1,8}$/.test(value))
    invalid(`GPU model ${name} "${value}" is not 1 to 8 printable ASCII characters`, { [name]: value });
  out.set(new TextEncoder().encode(value));
  return out;
}

function decodeField(b: Uint8Array, name: string): string | undefined {
  const end = b.indexOf(0) === -1 ? b.length : b.indexOf(0);
  if (b.subarray(end).some((x) => x !== 0) || b.subarray(0, end).some((x) => x < 0x21 || x > 0x7e)) {
    invalid(`GPU model ${name} is not printable ASCII padded with NUL bytes`, { [name]: toHex(b) });
  }
  return end === 0 ? undefined : new TextDecoder().decode(b.subarray(0, end));
}

export function encodeCpuGpuMeasurement(m: CpuGpuMeasurement): Hex {
  const v = new Uint8Array(CPU_GPU_MEASUREMENT_LENGTH);
  v[OFF.cpuTee] = cpuKindCode(m.cpuTee);
  v.set(bytes32(m.cpuMeasurementHash, "cpuMeasurementHash"), OFF.cpuHash);
  if (!Number.isInteger(m.minGpus) || m.minGpus < 1 || m.minGpus > MAX_COMPOSITE_GPUS)
    invalid(`minGpus must be 1..${MAX_COMPOSITE_GPUS}, got ${m.minGpus}`, { minGpus: m.minGpus });
  v[OFF.minGpus] = m.minGpus;
  if (m.gpuRimSetDigest !== null) {
    const d = bytes32(m.gpuRimSetDigest, "gpuRimSetDigest");
    if (d.every((x) => x === 0)) invalid("gpuRimSetDigest is zero: say null for any RIMs", { gpuRimSetDigest: m.gpuRimSetDigest });
    v.set(d, OFF.rimSet);
  }
  if (m.gpuModels.length > MODEL_SLOTS) invalid(`at most ${MODEL_SLOTS} GPU models, got ${m.gpuModels.length}`, { gpuModels: m.gpuModels });
  m.gpuModels.forEach((model, slot) => {
    if (MODEL_FIELDS.every((f) => model[f] === undefined)) invalid(`GPU model ${slot} names no field`, { model });
    MODEL_FIELDS.forEach((f, i) => v.set(encodeField(model[f], f), OFF.models + slot * 4 * FIELD + i * FIELD));
  });
  v.set(encodeVersion(m.minDriverVersion, "minDriverVersion", 10, 4, 2), OFF.driver);
  v.set(encodeVersion(m.minVbiosVersion, "minVbiosVersion", 16, 8, 1), OFF.vbios);
  return toHex(v);
}

export function decodeCpuGpuMeasurement(value: Hex): CpuGpuMeasurement {
  const v = tryFromHex(value);
  if (v === undefined || v.length !== CPU_GPU_MEASUREMENT_LENGTH) {
    invalid(`a cpu-gpu measurement value is ${CPU_GPU_MEASUREMENT_LENGTH} bytes`, { value, length: v?.length ?? null });
  }
  let cpuTee: TeeKind;
  try {
    cpuTee = teeKindFromCode(v[OFF.cpuTee]!);
  } catch {
    invalid(`CPU kind code ${v[OFF.cpuTee]} is not a kind`, { cpuTee: v[OFF.cpuTee] });
  }
  cpuKindCode(cpuTee);
  const rimSet = v.subarray(OFF.rimSet, OFF.rimSet + 32);
  const gpuModels: GpuModel[] = [];
  for (let slot = 0; slot < MODEL_SLOTS; slot++) {
    const model: GpuModel = {};
    MODEL_FIELDS.forEach((f, i) => {
      const start = OFF.models + slot * 4 * FIELD + i * FIELD;
      const field = decodeField(v.subarray(start, start + FIELD), f);
      if (field !== undefined) model[f] = field;
    });
    if (Object.keys(model).length > 0) gpuModels.push(model);
    else if (slot === 0 && v.subarray(OFF.models + 4 * FIELD, OFF.driver).some((x) => x !== 0))
      invalid("GPU model slot 0 is unused but slot 1 is set", { value });
  }
  return {
    tee: "cpu-gpu",
    cpuTee,
    cpuMeasurementHash: toHex(v.subarray(OFF.cpuHash, OFF.cpuHash + 32)),
    minGpus: v[OFF.minGpus]!,
    gpuRimSetDigest: rimSet.every((x) => x === 0) ? null : toHex(rimSet),
    gpuModels,
    minDriverVersion: decodeVersion(v.subarray(OFF.driver, OFF.driver + 8), 10, 2),
    minVbiosVersion: decodeVersion(v.subarray(OFF.vbios, OFF.vbios + 8), 16, 1),
  };
}

/** The GPU requirements an approved value makes. */
export function gpuRequirementsOf(m: CpuGpuMeasurement): GpuLaunchRequirements {
  return { minGpus: m.minGpus, allowedModels: m.gpuModels, minDriverVersion: m.minDriverVersion, minVbiosVersion: m.minVbiosVersion };
}

/** Why verified claims are not an approved value: "cpu" (another CPU kind or measurement), "rims", a GPU requirement, or null (they are). */
export function cpuGpuMismatch(claims: CpuGpuClaims, value: Uint8Array): "cpu" | "rims" | GpuRequirementFailure | null {
  if (value.length !== CPU_GPU_MEASUREMENT_LENGTH) return "cpu";
  let m: CpuGpuMeasurement;
  try {
    m = decodeCpuGpuMeasurement(toHex(value));
  } catch {
    return "cpu";
  }
  if (m.cpuTee !== claims.cpu.tee || !bytesEqual(fromHex(m.cpuMeasurementHash), fromHex(claims.cpu.measurementHash))) return "cpu";
  if (m.gpuRimSetDigest !== null && m.gpuRimSetDigest !== claims.gpuRimSetDigest.toLowerCase()) return "rims";
  return gpuRequirementFailure(claims.gpus, gpuRequirementsOf(m));
}

/** The measurement of verified evidence: its CPU part and exactly its GPUs' RIMs, with no further requirement. */
export function cpuGpuMeasurementFromClaims(claims: CpuGpuClaims): CpuGpuMeasurement {
  return {
    tee: "cpu-gpu",
    cpuTee: claims.cpu.tee,
    cpuMeasurementHash: claims.cpu.measurementHash,
    minGpus: claims.gpus.length,
    gpuRimSetDigest: claims.gpuRimSetDigest,
    gpuModels: [],
    minDriverVersion: null,
    minVbiosVersion: null,
  };
}

/** The binding is 32 bytes: every GPU's SPDM nonce, and the start of the CPU's report data. */
export const CPU_GPU_REPORT_DATA_LENGTH = 32;

export function cpuGpuBind(bindingHash: Hex): Hex {
  return toHex(bytes32(bindingHash, "bindingHash"));
}

/** The binding, when the CPU report data is exactly its kind's binding form of it; otherwise the CPU's report data as it is. */
export function cpuGpuBoundBytes(claims: CpuGpuClaims): Uint8Array {
  return fromHex(claims.cpuReportDataCanonical ? claims.binding : claims.cpu.reportData);
}

/** The kind's KindFacts.measurement. */
export const cpuGpuMeasurement: MeasurementLayout<"cpu-gpu", CpuGpuMeasurement> = {
  length: CPU_GPU_MEASUREMENT_LENGTH,
  encode: encodeCpuGpuMeasurement,
  decode: decodeCpuGpuMeasurement,
  matches: (claims, value) => cpuGpuMismatch(claims, value) === null,
  fromVerified: ({ claims }) => cpuGpuMeasurementFromClaims(claims),
};
