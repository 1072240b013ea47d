/**
 * Where the length fields are, for the fuzzer's length lies. In a Nitro
 * document: every CBOR head with a length (byte and text strings, arrays,
 * maps) in the COSE_Sign1 envelope and in the payload and protected header it
 * wraps, and every DER length in the certificates the payload carries. In a
 * DER certificate: every definite length.
 */
import type { LengthField } from "./mutate.ts";

interface Walk {
  fields: LengthField[];
  bytes: Uint8Array;
}

/** Records the head at `at` and returns the offset after the whole item, or -1 when it is not well-formed CBOR. */
function walkCbor(w: Walk, at: number, end: number, depth: number): number {
  if (at >= end || depth > 16) return -1;
  const initial = w.bytes[at]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  let length: number;
  let next: number;
  if (info < 24) {
    length = info;
    next = at + 1;
  } else if (info <= 26) {
    const size = info === 24 ? 1 : info === 25 ? 2 : 4;
    if (at + 1 + size > end) return -1;
    length = 0;
    for (let k = 0; k < size; k++) length = length * 256 + w.bytes[at + 1 + k]!;
    next = at + 1 + size;
    if (major >= 2 && major <= 5) w.fields.push({ name: `cbor@${at}`, offset: at + 1, size: size as 1 | 2 | 4, endian: "be" });
  } else {
    return -1;
  }
  if (info < 24 && major >= 2 && major <= 5) w.fields.push({ name: `cbor-head@${at}`, offset: at, size: 1, endian: "be" });
  switch (major) {
    case 0:
    case 1:
    case 7:
      return next;
    case 2:
    case 3: {
      const stop = next + length;
      if (stop > end) return -1;
      // A byte string may wrap CBOR (the payload, the protected header) or DER (certificates).
      if (major === 2 && length > 0) {
        const inner: Walk = { fields: [], bytes: w.bytes };
        if (walkCbor(inner, next, stop, depth + 1) === stop) w.fields.push(...inner.fields);
        else if (w.bytes[next] === 0x30) walkDer(w, next, stop, 0);
      }
      return stop;
    }
    case 4:
    case 5: {
      let p = next;
      for (let k = 0; k < length * (major === 5 ? 2 : 1); k++) {
        p = walkCbor(w, p, end, depth + 1);
        if (p < 0) return -1;
      }
      return p;
    }
    case 6:
      return walkCbor(w, next, end, depth + 1);
    default:
      return -1;
  }
}

/** Records the DER lengths of the TLVs in [at, end), descending into constructed ones. */
function walkDer(w: Walk, at: number, end: number, depth: number): void {
  let p = at;
  while (p < end && depth < 12) {
    const tag = w.bytes[p]!;
    if (p + 1 >= end) return;
    const first = w.bytes[p + 1]!;
    let length: number;
    let header: number;
    if (first < 0x80) {
      length = first;
      header = 2;
      w.fields.push({ name: `der@${p}`, offset: p + 1, size: 1, endian: "be" });
    } else {
      const size = first & 0x7f;
      if (size === 0 || size > 2 || p + 2 + size > end) return;
      length = size === 1 ? w.bytes[p + 2]! : (w.bytes[p + 2]! << 8) | w.bytes[p + 3]!;
      header = 2 + size;
      w.fields.push({ name: `der@${p}`, offset: p + 2, size: size as 1 | 2, endian: "be" });
    }
    const body = p + header;
    if (body + length > end) return;
    if (tag & 0x20) walkDer(w, body, body + length, depth + 1);
    p = body + length;
  }
}

export function derLengthFields(der: Uint8Array): LengthField[] {
  const w: Walk = { fields: [], bytes: der };
  walkDer(w, 0, der.length, 0);
  return w.fields;
}

export function cborLengthFields(document: Uint8Array): LengthField[] {
  const w: Walk = { fields: [], bytes: document };
  walkCbor(w, 0, document.length, 0);
  return w.fields;
}
