import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { X509_CODES } from "./codes.ts";

/**
 * A minimal, bounded DER reader: enough to slice the signed part out of
 * certificates and CRLs byte-exactly and to walk vendor extensions (Intel's
 * SGX extensions, AMD's VCEK TCB extensions). Every read is bounds-checked,
 * and only DER is accepted, not BER (X.690 §10–11; docs/evidence/x509.md):
 * definite lengths in the fewest octets, OID arcs without 0x80 padding,
 * BOOLEAN as 0x00/0xFF, minimal INTEGERs, BIT STRING padding bits zero.
 * Each of those has its own code; anything else malformed is EVIDENCE_DER_MALFORMED.
 */

/**
 * One element as read: where it is, not copies of it. `raw` and `value` are views made on first use (a
 * certificate has ~100 elements, most of which are only walked through, and two views each were a good part of a
 * cold verification's parsing and of its garbage).
 */
export class Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** Identifier and length octets. */
  readonly headerLength: number;
  /** Contents octets. */
  readonly length: number;
  /** Where the identifier octet is, counted from the start of the outermost buffer read. */
  readonly offset: number;
  /** The buffer the element was read from, and where its identifier octet is in it. */
  readonly #bytes: Uint8Array;
  readonly #start: number;
  #raw: Uint8Array | undefined;
  #value: Uint8Array | undefined;

  constructor(bytes: Uint8Array, start: number, tag: number, headerLength: number, length: number, offset: number) {
    this.#bytes = bytes;
    this.#start = start;
    this.tag = tag;
    this.headerLength = headerLength;
    this.length = length;
    this.offset = offset;
    this.#raw = undefined;
    this.#value = undefined;
  }

  /** Where the contents octets start, on the same scale as `offset`. */
  get valueOffset(): number {
    return this.offset + this.headerLength;
  }

  /** The length of the whole element: identifier, length and contents octets. */
  get size(): number {
    return this.headerLength + this.length;
  }

  /** The whole element: identifier, length and value. */
  get raw(): Uint8Array {
    return (this.#raw ??= this.#bytes.subarray(this.#start, this.#start + this.headerLength + this.length));
  }

  /** The contents octets. */
  get value(): Uint8Array {
    return (this.#value ??= this.#bytes.subarray(this.#start + this.headerLength, this.#start + this.headerLength + this.length));
  }

  /** `read` applied to the buffer and the bounds of the contents in it: for readers that walk them in place. */
  readContents<T>(read: (bytes: Uint8Array, start: number, end: number) => T): T {
    return read(this.#bytes, this.#start + this.headerLength, this.#start + this.headerLength + this.length);
  }

  /** The child elements of a constructed element, read in place (no view of the contents is made for it). */
  children(field: string): Tlv[] {
    const out: Tlv[] = [];
    const end = this.#start + this.headerLength + this.length;
    const shift = this.offset - this.#start;
    for (let o = this.#start + this.headerLength; o < end; ) {
      const child = readTlvWithin(this.#bytes, o, end, field, shift);
      out.push(child);
      o += child.headerLength + child.length;
    }
    return out;
  }
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

type DerCode = (typeof X509_CODES)[keyof typeof X509_CODES];

/** Throws a format error naming the field and the byte offset. */
export function derFail(
  field: string,
  offset: number,
  message: string,
  details?: Record<string, unknown>,
  code: DerCode = X509_CODES.EVIDENCE_DER_MALFORMED,
): never {
  throw new EvidenceFormatError(code, `malformed DER in ${field}: ${message}`, {
    at: { field, offset },
    ...(details ? { details } : {}),
  });
}

/**
 * Reads one element starting at `offset` of `bytes`; `base` is where `bytes`
 * starts in the outermost buffer (so errors and `Tlv.offset` are absolute).
 */
export function readTlv(bytes: Uint8Array, offset: number, field: string, base = 0): Tlv {
  return readTlvWithin(bytes, offset, bytes.length, field, base);
}

/** readTlv for an element that must end by `end` (its parent's end) in `bytes`; `shift` maps an index in `bytes` to an absolute offset. */
function readTlvWithin(bytes: Uint8Array, offset: number, end: number, field: string, shift: number): Tlv {
  const at = shift + offset;
  if (offset + 2 > end) derFail(field, at, "element header runs past the end");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) derFail(field, at, "high tag numbers are not used here");
  const lenByte = bytes[offset + 1]!;
  let headerLength = 2;
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else {
    const n = lenByte & 0x7f;
    if (n === 0) derFail(field, at, "indefinite length (BER, not DER)", undefined, X509_CODES.DER_LENGTH_NOT_MINIMAL);
    if (n > 4) derFail(field, at, "unsupported length form", { lengthOctets: n });
    if (offset + 2 + n > end) derFail(field, at, "length runs past the end");
    if (bytes[offset + 2] === 0)
      derFail(field, at, "length has a leading zero octet", { lengthOctets: n }, X509_CODES.DER_LENGTH_NOT_MINIMAL);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[offset + 2 + i]!;
    if (length < 0x80)
      derFail(field, at, `length ${length} in the long form`, { length, lengthOctets: n }, X509_CODES.DER_LENGTH_NOT_MINIMAL);
    headerLength += n;
  }
  if (offset + headerLength + length > end)
    derFail(field, at, "element runs past the end", { length, available: end - offset - headerLength });
  return new Tlv(bytes, offset, tag, headerLength, length, at);
}

/**
 * Where the element at `o` of `v` ends, when readTlv would read its header there with `end` as its parent's end
 * (a tag number below 31, a definite length in its fewest octets and at most 4 of them, the element within `end`);
 * -1 otherwise. For readers that walk DER in place and leave every refusal, with its message, to the element reader.
 */
export function elementEndAt(v: Uint8Array, o: number, end: number): number {
  if (o + 2 > end || (v[o]! & 0x1f) === 0x1f) return -1;
  const lenByte = v[o + 1]!;
  if (lenByte < 0x80) return o + 2 + lenByte <= end ? o + 2 + lenByte : -1;
  const n = lenByte & 0x7f;
  if (n === 0 || n > 4 || o + 2 + n > end || v[o + 2] === 0) return -1;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + v[o + 2 + i]!;
  if (length < 0x80 || o + 2 + n + length > end) return -1;
  return o + 2 + n + length;
}

/** Where the contents of the element at `o` start, for an element elementEndAt accepted. */
export function contentStartAt(v: Uint8Array, o: number): number {
  const lenByte = v[o + 1]!;
  return o + 2 + (lenByte < 0x80 ? 0 : lenByte & 0x7f);
}

/** Reads a whole buffer that must be exactly one element of the given tag. */
export function readSingle(bytes: Uint8Array, tag: number, field: string, base = 0): Tlv {
  const tlv = readTlv(bytes, 0, field, base);
  if (tlv.tag !== tag) derFail(field, base, `expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  if (tlv.size !== bytes.length) {
    derFail(
      field,
      base + tlv.size,
      "trailing bytes after the element",
      { trailing: bytes.length - tlv.size },
      X509_CODES.DER_TRAILING_DATA,
    );
  }
  return tlv;
}

/** The child elements of a constructed element. */
export function childrenOf(parent: Tlv, field: string): Tlv[] {
  return parent.children(field);
}

/**
 * The children of a SEQUENCE whose last field is the `max`-th: an element
 * after it (e.g. after a certificate's signatureValue) is refused, not ignored.
 */
export function childrenUpTo(parent: Tlv, max: number, field: string): Tlv[] {
  const out = childrenOf(parent, field);
  if (out.length > max) {
    derFail(
      field,
      out[max]!.offset,
      `${out.length - max} element(s) after the last field`,
      { elements: out.length, want: max },
      X509_CODES.DER_TRAILING_DATA,
    );
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, field: string): Tlv {
  if (tlv === undefined) derFail(field, 0, "missing element");
  if (tlv.tag !== tag) derFail(field, tlv.offset, `expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/**
 * Decodes OBJECT IDENTIFIER contents. Refuses an empty OID, an arc padded
 * with a leading 0x80 octet (`55 80 1d 13` is not 2.5.29.19) and a last arc
 * whose continuation bit is set. `offset` is where the contents start, for messages.
 */
export function decodeOid(value: Uint8Array, field = "OID", offset = 0): string {
  if (value.length === 0) derFail(field, offset, "empty OBJECT IDENTIFIER", undefined, X509_CODES.DER_OID_INVALID);
  // The text is built arc by arc (no array of arcs to join: OIDs are read for every certificate field).
  let out = "";
  // Arcs can exceed 2^53 (e.g. UUID OIDs under 2.25): switch to BigInt only when a number would overflow.
  let acc = 0;
  let big: bigint | undefined;
  let start = true;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (start && b === 0x80)
      derFail(
        field,
        offset + i,
        "OID arc with a leading 0x80 octet (not minimal)",
        { oid: Buffer.from(value).toString("hex") },
        X509_CODES.DER_OID_INVALID,
      );
    start = false;
    if (big === undefined && acc < 2 ** 45) acc = acc * 128 + (b & 0x7f);
    else big = ((big ?? BigInt(acc)) << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      if (out === "") {
        // The first subidentifier packs two arcs: 40·X + Y, with X ≤ 2 (and Y unbounded when X = 2).
        if (big === undefined) {
          const x = acc < 40 ? 0 : acc < 80 ? 1 : 2;
          out = `${x}.${acc - 40 * x}`;
        } else {
          out = `2.${big - 80n}`;
        }
      } else {
        out += `.${big ?? acc}`;
      }
      acc = 0;
      big = undefined;
      start = true;
    }
  }
  if (!start)
    derFail(
      field,
      offset + value.length - 1,
      "OID ends inside an arc",
      { oid: Buffer.from(value).toString("hex") },
      X509_CODES.DER_OID_INVALID,
    );
  return out;
}

/** An OBJECT IDENTIFIER element, tag checked, decoded strictly. */
export function readOid(tlv: Tlv | undefined, field: string): string {
  const t = expectTag(tlv, DER.OID, field);
  return (t.length === 3 ? t.readContents(idCeOid) : undefined) ?? decodeOid(t.value, field, t.valueOffset);
}

/** "2.5.29.x" for x below 128 (id-ce: every certificate and CRL extension RFC 5280 defines), made once. */
const ID_CE_OIDS: readonly string[] = Object.freeze(Array.from({ length: 128 }, (_, x) => `2.5.29.${x}`));

/** The id-ce OID whose three contents octets (55 1d x) are `d[start, end)`, read without decoding; else undefined. */
function idCeOid(d: Uint8Array, start: number, end: number): string | undefined {
  return end - start === 3 && d[start] === 0x55 && d[start + 1] === 0x1d && d[start + 2]! < 0x80 ? ID_CE_OIDS[d[start + 2]!] : undefined;
}

/** A BOOLEAN element: one octet, 0x00 or 0xFF (X.690 §11.1). */
export function decodeBoolean(tlv: Tlv | undefined, field: string): boolean {
  const t = expectTag(tlv, DER.BOOLEAN, field);
  if (t.value.length !== 1 || (t.value[0] !== 0x00 && t.value[0] !== 0xff)) {
    derFail(
      field,
      t.valueOffset,
      "BOOLEAN must be one octet, 0x00 or 0xFF",
      { value: Buffer.from(t.value).toString("hex") },
      X509_CODES.DER_BOOLEAN_INVALID,
    );
  }
  return t.value[0] === 0xff;
}

/**
 * Checks that INTEGER (or ENUMERATED) contents are minimal (X.690 §8.3.2):
 * not empty, no 0x00 before an octet < 0x80, no 0xFF before an octet ≥ 0x80.
 */
export function checkMinimalInteger(value: Uint8Array, field: string, offset = 0): void {
  if (value.length === 0) derFail(field, offset, "empty INTEGER", undefined, X509_CODES.DER_INTEGER_NOT_MINIMAL);
  if (value.length > 1 && ((value[0] === 0x00 && value[1]! < 0x80) || (value[0] === 0xff && value[1]! >= 0x80))) {
    derFail(
      field,
      offset,
      "INTEGER with a redundant leading octet",
      { value: Buffer.from(value.subarray(0, 4)).toString("hex") },
      X509_CODES.DER_INTEGER_NOT_MINIMAL,
    );
  }
}

/** Decodes a non-negative, minimally encoded DER INTEGER that fits a JS number. */
export function decodeSmallInteger(value: Uint8Array, field: string, offset = 0): number {
  checkMinimalInteger(value, field, offset);
  if (value.length > 7) derFail(field, offset, "integer out of range", { length: value.length });
  if ((value[0]! & 0x80) !== 0) derFail(field, offset, "negative integer");
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

/** A non-negative INTEGER (or ENUMERATED, by `tag`) element that fits a JS number. */
export function readSmallInteger(tlv: Tlv | undefined, field: string, tag: number = DER.INTEGER): number {
  const t = expectTag(tlv, tag, field);
  return decodeSmallInteger(t.value, field, t.valueOffset);
}

/**
 * BIT STRING contents checked as DER (X.690 §11.2): the unused-bits count is
 * 0–7, 0 when there are no bits, and the unused bits are zero. With `namedBits`
 * (keyUsage and other NamedBitLists) trailing zero bits must also be removed.
 */
export function checkBitString(tlv: Tlv, field: string, namedBits = false): { unused: number; bytes: Uint8Array } {
  const v = tlv.value;
  const fail = (why: string, details?: Record<string, unknown>): never =>
    derFail(field, tlv.valueOffset, why, details, X509_CODES.DER_BIT_STRING_INVALID);
  if (v.length === 0) fail("BIT STRING without its unused-bits octet");
  const unused = v[0]!;
  if (unused > 7) fail(`${unused} unused bits`, { unused });
  if (v.length === 1 && unused !== 0) fail("an empty BIT STRING with unused bits", { unused });
  const last = v.length > 1 ? v[v.length - 1]! : 0;
  if ((last & ((1 << unused) - 1)) !== 0) fail("non-zero padding bits", { unused, last });
  if (namedBits && v.length > 1 && (last & (1 << unused)) === 0) fail("a named-bit list with trailing zero bits", { unused, last });
  return { unused, bytes: v.subarray(1) };
}
