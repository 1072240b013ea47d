import { ByteCursor } from "../ByteCursor.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { EVIDENCE_CODES } from "../codes.ts";
import { CBOR_CODES } from "./codes.ts";

/**
 * A strict well-formedness check for CBOR (RFC 8949) over untrusted bytes,
 * run before cbor-x ever sees them. cbor-x is a fast, permissive decoder: it
 * keeps the last of duplicate map keys, accepts any encoding length, and
 * gives meaning to tags (28/29 shared references, 27 "generic objects", 105
 * records, typed arrays). Nitro documents need none of that, so this scan
 * admits only the CBOR they use — integers, byte and text strings, arrays,
 * maps, false/true/null — in shortest form, with unique integer or text map
 * keys, bounded nesting, and no trailing bytes.
 */

export const MAJOR = { UINT: 0, NINT: 1, BYTES: 2, TEXT: 3, ARRAY: 4, MAP: 5, TAG: 6, SIMPLE: 7 } as const;

/** The head of one CBOR data item. */
export interface CborHead {
  major: number;
  /** The additional-information bits (0..31). */
  info: number;
  /** The argument: a count, a length, an integer or a simple value; undefined for indefinite length. */
  value: number | bigint | undefined;
  /** Absolute offset of the initial byte. */
  offset: number;
}

export interface ScanCborOptions {
  /** Names the region being scanned in errors ("payload", "protected header"). */
  field: string;
  /**
   * Whether arrays and maps may have indefinite length. AWS's NSM encodes the
   * payload map with indefinite length, so signed bytes allow it; the unsigned
   * envelope does not (there it would only be a way to re-encode a document).
   */
  allowIndefiniteContainers: boolean;
  /** Deepest nesting of arrays and maps allowed (a Nitro payload needs 2). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 8;

const MIN_FOR_INFO: Record<number, bigint> = { 24: 24n, 25: 0x100n, 26: 0x1_0000n, 27: 0x1_0000_0000n };
const SIMPLE_FALSE = 20;
const SIMPLE_NULL = 22;
const BREAK = 0xff;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function fail(code: keyof typeof CBOR_CODES, message: string, field: string, offset: number, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(CBOR_CODES[code], message, { at: { field, offset }, ...(details ? { details } : {}) });
}

/** Reads one head, insisting on the shortest encoding of its argument. */
export function readCborHead(cursor: ByteCursor, field: string): CborHead {
  const offset = cursor.offset;
  const initial = cursor.u8(field);
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return { major, info, value: info, offset };
  if (info === 31) return { major, info, value: undefined, offset };
  if (info > 27)
    fail("NITRO_CBOR_MALFORMED", `reserved CBOR additional information ${info} in ${field}`, field, offset, { initialByte: initial });
  // Major type 7 with 25..27 is a float; 24 is a one-byte simple value. Neither occurs in a Nitro document.
  if (major === MAJOR.SIMPLE)
    fail("NITRO_CBOR_UNSUPPORTED", `CBOR floats and extended simple values are not used in ${field}`, field, offset, {
      initialByte: initial,
    });
  let value: number | bigint;
  if (info === 24) value = cursor.u8(field);
  else if (info === 25) value = cursor.u16be(field);
  else if (info === 26) value = cursor.u32be(field);
  else value = cursor.u64be(field);
  if (BigInt(value) < MIN_FOR_INFO[info]!) {
    fail("NITRO_CBOR_NON_CANONICAL", `CBOR argument ${value} in ${field} is not in its shortest form`, field, offset, {
      value: BigInt(value),
      bytes: 1 << (info - 24),
    });
  }
  if (typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER)) value = Number(value);
  return { major, info, value, offset };
}

/**
 * A length or count as a number. Every element takes at least one byte, so a
 * count beyond the remaining bytes is a lie: fail before looping over it.
 */
function lengthOf(head: CborHead, cursor: ByteCursor, field: string): number {
  const v = head.value!;
  if (typeof v === "bigint" || v > cursor.remaining) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_TRUNCATED, `evidence truncated: CBOR length ${v} in ${field} runs past the end`, {
      at: { field, offset: head.offset },
      details: { need: v, have: cursor.remaining },
    });
  }
  return v;
}

function atBreak(cursor: ByteCursor, field: string): boolean {
  if (cursor.remaining === 0) cursor.u8(field); // throws EVIDENCE_TRUNCATED
  return cursor.bytes[cursor.position] === BREAK;
}

/** Checks one data item at the cursor and advances past it. */
export function scanCborItem(cursor: ByteCursor, options: ScanCborOptions, depth = 0): void {
  const { field } = options;
  const head = readCborHead(cursor, field);
  const indefinite = head.value === undefined;
  switch (head.major) {
    case MAJOR.UINT:
    case MAJOR.NINT:
      if (indefinite) fail("NITRO_CBOR_MALFORMED", `an integer cannot have indefinite length in ${field}`, field, head.offset);
      return;
    case MAJOR.BYTES:
    case MAJOR.TEXT: {
      if (indefinite)
        fail("NITRO_CBOR_INDEFINITE_LENGTH", `chunked (indefinite-length) strings are not accepted in ${field}`, field, head.offset);
      const body = cursor.bytesOf(lengthOf(head, cursor, field), field);
      if (head.major === MAJOR.TEXT) {
        try {
          utf8.decode(body);
        } catch {
          fail("NITRO_CBOR_MALFORMED", `a CBOR text string in ${field} is not valid UTF-8`, field, head.offset);
        }
      }
      return;
    }
    case MAJOR.ARRAY:
    case MAJOR.MAP: {
      if (depth >= (options.maxDepth ?? DEFAULT_MAX_DEPTH)) {
        fail("NITRO_CBOR_TOO_DEEP", `CBOR nesting in ${field} is deeper than ${options.maxDepth ?? DEFAULT_MAX_DEPTH}`, field, head.offset);
      }
      if (indefinite && !options.allowIndefiniteContainers) {
        fail(
          "NITRO_CBOR_INDEFINITE_LENGTH",
          `indefinite-length ${head.major === MAJOR.MAP ? "maps" : "arrays"} are not accepted in ${field}`,
          field,
          head.offset,
        );
      }
      const count = indefinite ? Infinity : lengthOf(head, cursor, field);
      const keys = head.major === MAJOR.MAP ? new Set<string>() : undefined;
      for (let i = 0; indefinite ? !atBreak(cursor, field) : i < count; i++) {
        if (keys) scanKey(cursor, options, keys);
        scanCborItem(cursor, options, depth + 1);
      }
      if (indefinite) cursor.skip(1, field); // the break
      return;
    }
    case MAJOR.TAG:
      return fail("NITRO_CBOR_UNSUPPORTED", `CBOR tags are not accepted in ${field}`, field, head.offset, { tag: head.value });
    default: // MAJOR.SIMPLE
      if (indefinite) fail("NITRO_CBOR_MALFORMED", `unexpected CBOR break in ${field}`, field, head.offset);
      if ((head.value as number) < SIMPLE_FALSE || (head.value as number) > SIMPLE_NULL) {
        fail("NITRO_CBOR_UNSUPPORTED", `CBOR simple value ${head.value} is not used in ${field}`, field, head.offset);
      }
      return;
  }
}

/**
 * Map keys must be integers or text. With shortest-form arguments, two keys
 * are equal exactly when their encodings are, so duplicates are found by bytes.
 */
function scanKey(cursor: ByteCursor, options: ScanCborOptions, seen: Set<string>): void {
  const start = cursor.position;
  const offset = cursor.offset;
  const major = cursor.remaining > 0 ? cursor.bytes[start]! >> 5 : MAJOR.UINT;
  if (major !== MAJOR.UINT && major !== MAJOR.NINT && major !== MAJOR.TEXT) {
    fail("NITRO_CBOR_UNSUPPORTED", `CBOR map keys in ${options.field} must be integers or text`, options.field, offset, { major });
  }
  scanCborItem(cursor, options); // a scalar: nesting depth does not apply
  const key = Buffer.from(cursor.bytes.subarray(start, cursor.position)).toString("hex");
  if (seen.has(key))
    fail("NITRO_CBOR_DUPLICATE_KEY", `duplicate CBOR map key in ${options.field}`, options.field, offset, { key: `0x${key}` });
  seen.add(key);
}

/** Checks that `bytes` are exactly one well-formed data item; `base` is their absolute offset. */
export function scanCbor(bytes: Uint8Array, base: number, options: ScanCborOptions): void {
  const cursor = new ByteCursor(bytes, base);
  scanCborItem(cursor, options);
  cursor.end(options.field);
}
