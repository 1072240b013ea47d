/**
 * ABI decoding of untrusted bytes (return data, logs, revert data from an RPC node): every offset and
 * length is checked against the data, values must be canonical (no dirty high bits, booleans 0 or 1,
 * zero padding), and the total work is bounded by the data's size — malformed data is an
 * ABI_DATA_MALFORMED error, never a crash or a hang.
 */
import { EvidenceFormatError } from "../errors/KeepledgerError.ts";
import { checksumAddress } from "./address.ts";
import { arrayOf, bytesSizeOf, element, headSize, intOf, isDynamic, unnamed, unsupported, type AbiParameter } from "./abiTypes.ts";
import { UTIL_CODES } from "./codes.ts";
import { bytesToHex, hexToBytes, type Hex } from "./hex.ts";

const utf8 = new TextDecoder();

interface Reader {
  readonly data: Uint8Array;
  /** Bytes still allowed to be read: bounds the work that overlapping offsets can cause. */
  budget: number;
}

export function malformed(
  why: string,
  param: AbiParameter | undefined,
  offset: number,
  details: Record<string, unknown> = {},
): EvidenceFormatError {
  return new EvidenceFormatError(UTIL_CODES.ABI_DATA_MALFORMED, `malformed ABI data: ${why}`, {
    at: { field: param ? (param.name ? `${param.name} (${param.type})` : param.type) : undefined, offset },
    details,
  });
}

function take(r: Reader, param: AbiParameter, pos: number, n: number): void {
  if (pos < 0 || pos + n > r.data.length) {
    throw malformed("reads past the end of the data", param, pos, { want: pos + n, size: r.data.length });
  }
  r.budget -= Math.max(n, 1);
  if (r.budget < 0) throw malformed("offsets overlap too much (decoding budget exhausted)", param, pos);
}

/** A 32-byte word as an offset or length: must be small enough to point inside any real data. */
function readSize(r: Reader, param: AbiParameter, pos: number, what: string): number {
  take(r, param, pos, 32);
  const d = r.data;
  for (let i = pos; i < pos + 26; i++) if (d[i] !== 0) throw malformed(`${what} is too large`, param, pos);
  let n = 0;
  for (let i = pos + 26; i < pos + 32; i++) n = n * 256 + d[i]!;
  return n;
}

function readWordBigInt(d: Uint8Array, pos: number): bigint {
  return BigInt(bytesToHex(d.subarray(pos, pos + 32)));
}

function decodeStatic(r: Reader, param: AbiParameter, pos: number): unknown {
  const { type } = param;
  const d = r.data;
  if (type === "address") {
    take(r, param, pos, 32);
    for (let i = pos; i < pos + 12; i++) if (d[i] !== 0) throw malformed("address has non-zero high bytes", param, pos);
    return checksumAddress(bytesToHex(d.subarray(pos + 12, pos + 32)));
  }
  if (type === "bool") {
    take(r, param, pos, 32);
    for (let i = pos; i < pos + 31; i++) if (d[i] !== 0) throw malformed("bool is not 0 or 1", param, pos);
    const b = d[pos + 31]!;
    if (b > 1) throw malformed("bool is not 0 or 1", param, pos);
    return b === 1;
  }
  const size = bytesSizeOf(type);
  if (size !== undefined) {
    take(r, param, pos, 32);
    for (let i = pos + size; i < pos + 32; i++) if (d[i] !== 0) throw malformed(`${type} has non-zero padding`, param, pos);
    return bytesToHex(d.subarray(pos, pos + size));
  }
  const int = intOf(type);
  if (int) {
    take(r, param, pos, 32);
    // The bytes above the type's width must be a pure extension: zero, or 0xff for a negative int.
    const width = int.bits / 8;
    const negative = int.signed && d[pos + 32 - width]! >= 0x80;
    const fill = negative ? 0xff : 0;
    for (let i = pos; i < pos + 32 - width; i++) if (d[i] !== fill) throw malformed(`${type} has dirty high bits`, param, pos);
    if (int.bits <= 48) {
      let n = 0;
      for (let i = pos + 32 - width; i < pos + 32; i++) n = n * 256 + d[i]!;
      return negative ? n - 2 ** int.bits : n;
    }
    const v = readWordBigInt(d, pos);
    return negative ? v - (1n << 256n) : v;
  }
  throw unsupported(type);
}

/** Decodes `count` parameters laid out as a tuple starting at `base` (offsets inside are relative to it). */
function decodeSequence(r: Reader, paramAt: (i: number) => AbiParameter, count: number, base: number): unknown[] {
  const out: unknown[] = new Array<unknown>(count);
  let pos = base;
  for (let i = 0; i < count; i++) {
    const param = paramAt(i);
    if (isDynamic(param)) {
      const offset = readSize(r, param, pos, "offset");
      out[i] = decodeDynamic(r, param, base + offset);
      pos += 32;
    } else {
      out[i] = decodeInPlace(r, param, pos);
      pos += headSize(param);
    }
  }
  return out;
}

function tupleValue(components: readonly AbiParameter[], values: unknown[]): unknown {
  if (unnamed(components)) return values;
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < components.length; i++) obj[components[i]!.name!] = values[i];
  return obj;
}

/** A static parameter at `pos` (a static array or tuple is laid out in place). */
function decodeInPlace(r: Reader, param: AbiParameter, pos: number): unknown {
  const arr = arrayOf(param.type);
  if (arr) {
    const el = element(param, arr[0]);
    return decodeSequence(r, () => el, arr[1]!, pos);
  }
  if (param.type === "tuple") {
    const components = param.components ?? [];
    return tupleValue(
      components,
      decodeSequence(r, (i) => components[i]!, components.length, pos),
    );
  }
  return decodeStatic(r, param, pos);
}

/** A dynamic parameter whose data starts at `start`. */
function decodeDynamic(r: Reader, param: AbiParameter, start: number): unknown {
  const { type } = param;
  if (type === "bytes" || type === "string") {
    const length = readSize(r, param, start, "length");
    take(r, param, start + 32, length);
    const raw = r.data.subarray(start + 32, start + 32 + length);
    // Invalid UTF-8 becomes U+FFFD, as in viem: a revert reason stays readable.
    return type === "bytes" ? bytesToHex(raw) : utf8.decode(raw);
  }
  const arr = arrayOf(type);
  if (arr) {
    const el = element(param, arr[0]);
    if (arr[1] !== null) return decodeSequence(r, () => el, arr[1], start);
    const length = readSize(r, param, start, "length");
    // Every element takes a head slot, so the data bounds the length — except for zero-size elements
    // (T[0], empty tuples), which take nothing: those are charged to the budget one unit each.
    const size = headSize(el);
    if (size === 0) {
      r.budget -= length;
      if (r.budget < 0) throw malformed("array of zero-size elements is too long", param, start, { length });
    } else if (length * size > r.data.length - (start + 32)) throw malformed("array length exceeds the data", param, start, { length });
    return decodeSequence(r, () => el, length, start + 32);
  }
  if (type === "tuple") {
    const components = param.components ?? [];
    return tupleValue(
      components,
      decodeSequence(r, (i) => components[i]!, components.length, start),
    );
  }
  throw unsupported(type);
}

/** Decodes ABI-encoded `data` as `params` (viem's decodeAbiParameters, strict about malformed data). */
export function decodeAbiParameters(params: readonly AbiParameter[], data: Hex | Uint8Array): unknown[] {
  const bytes = typeof data === "string" ? hexToBytes(data) : data;
  const r: Reader = { data: bytes, budget: bytes.length * 32 + 1024 };
  return decodeSequence(r, (i) => params[i]!, params.length, 0);
}
