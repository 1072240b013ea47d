/**
 * Byte-level mutations of a valid input for `npm run fuzz`: bit flips, byte
 * sets, truncations, extensions, splices, chunk copies, lies in length fields,
 * and random bytes (optionally behind the kind's own leading bytes, so they
 * get past detection into the parser). One or a few are stacked per input.
 */
import type { Rng } from "./rng.ts";

/** An integer field of the valid input that states a length (or a count, a type, a version). */
export interface LengthField {
  name: string;
  offset: number;
  size: 1 | 2 | 4;
  endian: "le" | "be";
}

/** A mutation that knows the kind's structure (e.g. DER inside the PEM of a quote), applied to the valid input. */
export interface StructuredMutation {
  name: string;
  apply(rng: Rng): { bytes: Uint8Array; op: string };
}

export interface MutationTarget {
  base: Uint8Array;
  lengthFields: readonly LengthField[];
  /** How many leading bytes a "random bytes behind the header" input keeps (enough to be detected as this kind). */
  headerLength: number;
  structured?: readonly StructuredMutation[];
}

export const MUTATIONS = ["bit-flip", "byte-set", "truncate", "extend", "splice", "chunk-copy", "length-lie", "random"] as const;
export type MutationName = (typeof MUTATIONS)[number];

export interface Mutated {
  bytes: Uint8Array;
  /** What was done, e.g. ["bit-flip@1234.5", "truncate@4000"]: printed with a crash. */
  ops: string[];
  /** The first operation (a MutationName or a structured mutation's name): inputs are counted by it. */
  primary: string;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

function bitFlip(b: Uint8Array, rng: Rng): string {
  if (b.length === 0) return "bit-flip(empty)";
  const flips = rng.chance(0.7) ? 1 : rng.between(2, 8);
  const where: string[] = [];
  for (let k = 0; k < flips; k++) {
    const i = rng.below(b.length);
    const bit = rng.below(8);
    b[i]! ^= 1 << bit;
    where.push(`${i}.${bit}`);
  }
  return `bit-flip@${where.join(",")}`;
}

function byteSet(b: Uint8Array, rng: Rng): string {
  if (b.length === 0) return "byte-set(empty)";
  const n = rng.chance(0.7) ? 1 : rng.between(2, 4);
  const where: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = rng.below(b.length);
    const v = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.below(256);
    b[i] = v;
    where.push(`${i}=${v.toString(16)}`);
  }
  return `byte-set@${where.join(",")}`;
}

function randomLength(rng: Rng, around: number): number {
  switch (rng.below(4)) {
    case 0:
      return rng.below(17);
    case 1:
      return Math.max(0, around + rng.between(-4, 4));
    default:
      return rng.below(around * 2 + 1);
  }
}

/** Writes `value` into a field of `size` bytes (truncated to the field's width). */
function writeInt(b: Uint8Array, f: LengthField, value: number): void {
  for (let k = 0; k < f.size; k++) {
    const byte = Math.floor(value / 2 ** (8 * k)) & 0xff;
    const at = f.endian === "le" ? f.offset + k : f.offset + f.size - 1 - k;
    if (at < b.length) b[at] = byte;
  }
}

function readInt(b: Uint8Array, f: LengthField): number {
  let v = 0;
  for (let k = 0; k < f.size; k++) {
    const at = f.endian === "le" ? f.offset + k : f.offset + f.size - 1 - k;
    v += (b[at] ?? 0) * 2 ** (8 * k);
  }
  return v;
}

function lengthLie(b: Uint8Array, rng: Rng, fields: readonly LengthField[]): string {
  if (fields.length === 0) return byteSet(b, rng);
  const f = rng.pick(fields);
  const max = 2 ** (8 * f.size) - 1;
  const actual = readInt(b, f);
  const candidates = [
    0,
    1,
    max,
    max - 1,
    2 ** (8 * f.size - 1),
    actual + 1,
    actual - 1,
    actual + rng.between(2, 64),
    actual - rng.between(2, 64),
    actual * 2,
    b.length,
    b.length + 1,
    rng.below(max + 1),
  ];
  const value = Math.min(max, Math.max(0, rng.pick(candidates)));
  writeInt(b, f, value);
  return `length-lie@${f.name}(${f.offset})=${value}`;
}

/** One generic mutation of `input` (never modified: the result is a new array). */
export function applyMutation(input: Uint8Array, rng: Rng, op: MutationName, target: MutationTarget): { bytes: Uint8Array; op: string } {
  const b = input;
  switch (op) {
    case "bit-flip": {
      const out = b.slice();
      return { bytes: out, op: bitFlip(out, rng) };
    }
    case "byte-set": {
      const out = b.slice();
      return { bytes: out, op: byteSet(out, rng) };
    }
    case "length-lie": {
      const out = b.slice();
      return { bytes: out, op: lengthLie(out, rng, target.lengthFields) };
    }
    case "truncate": {
      const at = rng.chance(0.5) ? rng.below(b.length + 1) : Math.max(0, b.length - rng.between(1, 64));
      return { bytes: b.slice(0, at), op: `truncate@${at}` };
    }
    case "extend": {
      const n = rng.chance(0.5) ? rng.between(1, 16) : rng.between(17, 4096);
      const tail = rng.chance(0.5) ? new Uint8Array(n) : rng.bytes(n);
      const out = new Uint8Array(b.length + n);
      out.set(b);
      out.set(tail, b.length);
      return { bytes: out, op: `extend+${n}${tail.some((x) => x !== 0) ? "" : "(zeros)"}` };
    }
    case "splice": {
      const at = rng.below(b.length + 1);
      const remove = Math.min(b.length - at, rng.chance(0.5) ? rng.below(8) : rng.below(512));
      const insert = rng.chance(0.5) ? rng.bytes(rng.below(64)) : new Uint8Array(rng.below(8));
      const out = new Uint8Array(b.length - remove + insert.length);
      out.set(b.subarray(0, at));
      out.set(insert, at);
      out.set(b.subarray(at + remove), at + insert.length);
      return { bytes: out, op: `splice@${at}-${remove}+${insert.length}` };
    }
    case "chunk-copy": {
      if (b.length === 0) return { bytes: b.slice(), op: "chunk-copy(empty)" };
      const from = rng.below(b.length);
      const to = rng.below(b.length);
      const n = Math.min(rng.between(1, 512), b.length - from);
      const out = b.slice();
      out.set(b.subarray(from, from + Math.min(n, b.length - to)), to);
      return { bytes: out, op: `chunk-copy@${from}->${to}x${n}` };
    }
    case "random": {
      const n = randomLength(rng, target.base.length);
      const out = rng.bytes(n);
      const keep = rng.chance(0.5) ? Math.min(target.headerLength, n) : 0;
      out.set(target.base.subarray(0, keep));
      return { bytes: out, op: `random(${n} bytes${keep > 0 ? `, first ${keep} kept` : ""})` };
    }
  }
}

/** One mutated input: a primary mutation of the valid input, sometimes followed by one or two more. */
export function mutate(target: MutationTarget, rng: Rng): Mutated {
  const structured = target.structured ?? [];
  const choice = rng.below(MUTATIONS.length + structured.length);
  const first =
    choice < MUTATIONS.length
      ? applyMutation(target.base, rng, MUTATIONS[choice]!, target)
      : structured[choice - MUTATIONS.length]!.apply(rng);
  const primary = choice < MUTATIONS.length ? MUTATIONS[choice]! : structured[choice - MUTATIONS.length]!.name;
  let { bytes } = first;
  const ops = [first.op];
  if (primary !== "random" && rng.chance(0.25)) {
    for (let k = rng.between(1, 2); k > 0; k--) {
      const next = applyMutation(bytes, rng, rng.pick(MUTATIONS.filter((m) => m !== "random")), target);
      bytes = next.bytes;
      ops.push(next.op);
    }
  }
  return { bytes, ops, primary };
}
