import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";

/**
 * A minimal, bounded DER reader: enough to slice the signed part out of
 * certificates and CRLs byte-exactly and to walk vendor extensions (Intel's
 * SGX extensions, AMD's VCEK TCB extensions). Every read is bounds-checked.
 */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** The whole element: identifier, length and value. */
  raw: Uint8Array;
  /** The contents octets. */
  value: Uint8Array;
}

export const DER = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function fail(field: string, offset: number, message: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_DER_MALFORMED, `malformed DER in ${field}: ${message}`, {
    at: { field, offset },
    ...(details ? { details } : {}),
  });
}

/** Reads one element starting at `offset`. */
export function readTlv(bytes: Uint8Array, offset: number, field: string): Tlv {
  if (offset + 2 > bytes.length) fail(field, offset, "element header runs past the end");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) fail(field, offset, "high tag numbers are not used here");
  const lenByte = bytes[offset + 1]!;
  let headerLength = 2;
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else {
    const n = lenByte & 0x7f;
    if (n === 0 || n > 4) fail(field, offset, "unsupported length form", { lengthOctets: n });
    if (offset + 2 + n > bytes.length) fail(field, offset, "length runs past the end");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i]!;
    headerLength += n;
  }
  const end = offset + headerLength + length;
  if (end > bytes.length) fail(field, offset, "element runs past the end", { length, available: bytes.length - offset - headerLength });
  return { tag, raw: bytes.subarray(offset, end), value: bytes.subarray(offset + headerLength, end) };
}

/** Reads a whole buffer that must be exactly one element of the given tag. */
export function readSingle(bytes: Uint8Array, tag: number, field: string): Tlv {
  const tlv = readTlv(bytes, 0, field);
  if (tlv.tag !== tag) fail(field, 0, `expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  if (tlv.raw.length !== bytes.length) fail(field, tlv.raw.length, "trailing bytes after element");
  return tlv;
}

/** The child elements of a constructed element. */
export function childrenOf(parent: Tlv, field: string): Tlv[] {
  const out: Tlv[] = [];
  let o = 0;
  while (o < parent.value.length) {
    const child = readTlv(parent.value, o, field);
    out.push(child);
    o += child.raw.length;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, field: string): Tlv {
  if (tlv === undefined) fail(field, 0, "missing element");
  if (tlv.tag !== tag) fail(field, 0, `expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

export function decodeOid(value: Uint8Array): string {
  if (value.length === 0) return "";
  const first = value[0]!;
  const parts: Array<number | bigint> = [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40))];
  // Arcs can exceed 2^53 (e.g. UUID OIDs under 2.25): switch to BigInt only when a number would overflow.
  let acc: number | bigint = 0;
  for (let i = 1; i < value.length; i++) {
    const b = value[i]!;
    if (typeof acc === "number" && acc < 2 ** 45) acc = acc * 128 + (b & 0x7f);
    else acc = (BigInt(acc) << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  return parts.join(".");
}

/** Decodes a non-negative DER INTEGER that fits a JS number. */
export function decodeSmallInteger(value: Uint8Array, field: string): number {
  if (value.length === 0 || value.length > 7) fail(field, 0, "integer out of range", { length: value.length });
  if ((value[0]! & 0x80) !== 0) fail(field, 0, "negative integer");
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}
