/**
 * Hex strings and the numbers and bytes they carry: the SDK's own replacements for viem's encoding
 * utilities (same names, same results — hex.test.ts checks them against viem), so the SDK needs no
 * viem at run time. `Hex` and `Address` are the same template-literal types as viem's, so values flow
 * both ways. Plain JavaScript (no Buffer): the SDK runs in browsers too.
 */
import { UsageError } from "../errors/KeepledgerError.ts";
import { UTIL_CODES } from "./codes.ts";

export type Hex = `0x${string}`;
export type Address = `0x${string}`;

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lowercase 0x-hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]!];
  return out as Hex;
}

/** The value of one hex digit's char code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Parses 0x-prefixed or bare hex; returns undefined when the text is not hex of whole bytes. */
export function tryHexToBytes(text: string): Uint8Array | undefined {
  const body = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (body.length % 2 !== 0) return undefined;
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(body.charCodeAt(2 * i));
    const lo = nibble(body.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function invalidHex(value: unknown, why: string): UsageError {
  const shown = typeof value === "string" ? value.slice(0, 24) : typeof value;
  return new UsageError(UTIL_CODES.HEX_INVALID, `not hex: ${why}`, { details: { got: shown } });
}

/** The bytes of 0x-prefixed hex; a typed error on a missing prefix, an odd length or a non-hex digit. */
export function hexToBytes(hex: Hex): Uint8Array {
  if (typeof hex !== "string" || !hex.startsWith("0x")) throw invalidHex(hex, "no 0x prefix");
  if (hex.length % 2 !== 0) throw invalidHex(hex, "odd number of digits");
  const out = tryHexToBytes(hex);
  if (out === undefined) throw invalidHex(hex, "a character is not a hex digit");
  return out;
}

const HEX_RE = /^0x[0-9a-fA-F]*$/;

/** Whether `value` is a 0x-prefixed string of hex digits (any number of them, like viem's isHex). */
export function isHex(value: unknown): value is Hex {
  return typeof value === "string" && HEX_RE.test(value);
}

/** The number of bytes `hex` holds (its digits, halved and rounded up). */
export function hexSize(hex: Hex): number {
  return Math.ceil((hex.length - 2) / 2);
}

/** The hex strings joined into one (no validation, like viem's concatHex). */
export function concatHex(values: readonly Hex[]): Hex {
  let out = "0x";
  for (const v of values) out += v.slice(2);
  return out as Hex;
}

/**
 * Bytes `[start, end)` of `hex` (byte offsets; `end` defaults to the end). Always strict: both offsets
 * must be whole numbers within the value, unlike viem's default which silently clamps.
 */
export function sliceHex(hex: Hex, start: number, end?: number): Hex {
  if (!isHex(hex) || hex.length % 2 !== 0) throw invalidHex(hex, "not hex of whole bytes");
  const size = (hex.length - 2) / 2;
  const stop = end ?? size;
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || start > stop || stop > size) {
    throw new UsageError(UTIL_CODES.HEX_OUT_OF_BOUNDS, "hex slice out of bounds", { details: { start, end: stop, size } });
  }
  return `0x${hex.slice(2 + 2 * start, 2 + 2 * stop)}`;
}

export interface HexNumberOptions {
  /** Two's complement. */
  signed?: boolean;
  /** Width in bytes: checks the value fits and pads to it. */
  size?: number;
}

function rangeError(value: unknown, opts: HexNumberOptions, why: string): UsageError {
  return new UsageError(UTIL_CODES.HEX_NUMBER_RANGE, `integer out of range: ${why}`, {
    details: { value: typeof value === "bigint" ? `${value}n` : String(value), size: opts.size, signed: opts.signed ?? false },
  });
}

/** The integer `hex` holds (unsigned, or two's complement over its size with `signed`). "0x" is 0. */
export function hexToBigInt(hex: Hex, opts: HexNumberOptions = {}): bigint {
  if (!isHex(hex)) throw invalidHex(hex, "not 0x-prefixed hex digits");
  const size = hexSize(hex);
  if (opts.size !== undefined && size > opts.size) throw rangeError(hex, opts, `${size} bytes is more than ${opts.size}`);
  const value = hex.length === 2 ? 0n : BigInt(hex);
  if (!opts.signed || size === 0) return value;
  const bits = BigInt(size * 8);
  return value >= 1n << (bits - 1n) ? value - (1n << bits) : value;
}

/** {@link hexToBigInt} as a number; a typed error when it is not a safe integer. */
export function hexToNumber(hex: Hex, opts: HexNumberOptions = {}): number {
  const value = hexToBigInt(hex, opts);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw rangeError(value, opts, "not a safe JavaScript integer");
  return n;
}

/**
 * Minimal 0x-hex of an integer ("0x0" for zero), or exactly `size` bytes of it (two's complement when
 * `signed`). Numbers must be safe integers.
 */
export function numberToHex(value: number | bigint, opts: HexNumberOptions = {}): Hex {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw rangeError(value, opts, "not a safe JavaScript integer");
  if (typeof value !== "number" && typeof value !== "bigint") throw rangeError(value, opts, "not a number or bigint");
  let v = BigInt(value);
  const { size, signed } = opts;
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < 0) throw rangeError(value, opts, "bad size");
    const bits = BigInt(size * 8);
    const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const min = signed ? -(1n << (bits - 1n)) : 0n;
    if (v > max || v < min) throw rangeError(value, opts, `outside [${min}, ${max}]`);
    if (v < 0n) v += 1n << bits;
    return `0x${v.toString(16).padStart(size * 2, "0")}`;
  }
  if (v < 0n) throw rangeError(value, opts, "negative without a size");
  return `0x${v.toString(16)}`;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function stringToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export interface ToHexOptions {
  /** Numbers and booleans are padded on the left to `size` bytes, bytes and strings on the right. */
  size?: number;
  signed?: boolean;
}

function padRight(hex: Hex, size: number | undefined): Hex {
  if (size === undefined) return hex;
  if (hexSize(hex) > size) throw rangeError(hex, { size }, `${hexSize(hex)} bytes is more than ${size}`);
  return `0x${hex.slice(2).padEnd(size * 2, "0")}`;
}

/** viem's toHex: bytes as hex, strings as their UTF-8 bytes, numbers and bigints as integers, booleans as 0x0/0x1. */
export function toHex(value: Uint8Array | string | number | bigint | boolean, opts: ToHexOptions = {}): Hex {
  if (typeof value === "number" || typeof value === "bigint") return numberToHex(value, opts);
  if (typeof value === "boolean")
    return opts.size === undefined ? (value ? "0x1" : "0x0") : numberToHex(value ? 1 : 0, { size: opts.size });
  if (typeof value === "string") return padRight(bytesToHex(stringToBytes(value)), opts.size);
  return padRight(bytesToHex(value), opts.size);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
