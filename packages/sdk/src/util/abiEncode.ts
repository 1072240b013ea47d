/** ABI encoding (standard and packed) of values the caller gives: a wrong value is a UsageError. */
import { UsageError } from "../errors/KeepledgerError.ts";
import { isAddress } from "./address.ts";
import { arrayOf, bytesSizeOf, element, intOf, isArrayType, isDynamic, unsupported, type AbiParameter } from "./abiTypes.ts";
import { UTIL_CODES } from "./codes.ts";
import { bytesToHex, isHex, stringToBytes, type Hex } from "./hex.ts";

function badValue(param: AbiParameter, value: unknown, why: string): UsageError {
  const shown = typeof value === "bigint" ? `${value}n` : typeof value === "string" ? value.slice(0, 80) : typeof value;
  return new UsageError(
    UTIL_CODES.ABI_VALUE_INVALID,
    `invalid value for ${param.name ? `${param.name} (${param.type})` : param.type}: ${why}`,
    {
      details: { type: param.type, name: param.name, got: shown },
    },
  );
}

const ZERO_WORD = "0".repeat(64);

function word(n: number): string {
  return n.toString(16).padStart(64, "0");
}

/** [min, max] of uint<8k> and int<8k>, by k (constants, so the encoder does not rebuild them per value). */
const UINT_BOUNDS = Array.from({ length: 33 }, (_, k): [bigint, bigint] => [0n, (1n << BigInt(8 * k)) - 1n]);
const INT_BOUNDS = Array.from({ length: 33 }, (_, k): [bigint, bigint] =>
  k === 0 ? [0n, 0n] : [-(1n << BigInt(8 * k - 1)), (1n << BigInt(8 * k - 1)) - 1n],
);

function encodeInt(param: AbiParameter, value: unknown, signed: boolean, bits: number): string {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else throw badValue(param, value, "not an integer (bigint or safe number)");
  const [min, max] = (signed ? INT_BOUNDS : UINT_BOUNDS)[bits / 8]!;
  if (v < min || v > max) throw badValue(param, value, `outside [${min}, ${max}]`);
  if (v < 0n) v += 1n << 256n;
  return v.toString(16).padStart(64, "0");
}

/** Hex digits of a bytes value (hex string or Uint8Array) without the prefix. */
function bytesDigits(param: AbiParameter, value: unknown): string {
  if (value instanceof Uint8Array) return bytesToHex(value).slice(2);
  if (!isHex(value) || value.length % 2 !== 0) throw badValue(param, value, "not 0x-hex of whole bytes");
  return value.slice(2).toLowerCase();
}

function padRight32(digits: string): string {
  const rem = digits.length % 64;
  return rem === 0 ? digits : digits + "0".repeat(64 - rem);
}

/** Encodes each param's value into head and tail, returning the digits (no 0x). */
function encodeSequence(params: readonly AbiParameter[], values: readonly unknown[]): string {
  let headLength = 0;
  const encoded: string[] = [];
  const dynamic: boolean[] = [];
  for (let i = 0; i < params.length; i++) {
    const d = isDynamic(params[i]!);
    dynamic.push(d);
    const enc = encodeParameter(params[i]!, values[i]);
    encoded.push(enc);
    headLength += d ? 32 : enc.length / 2;
  }
  let head = "";
  let tail = "";
  let offset = headLength;
  for (let i = 0; i < params.length; i++) {
    if (dynamic[i]) {
      head += word(offset);
      tail += encoded[i]!;
      offset += encoded[i]!.length / 2;
    } else head += encoded[i]!;
  }
  return head + tail;
}

function encodeParameter(param: AbiParameter, value: unknown): string {
  const { type } = param;
  // The types of ids and calls first, without a regular expression.
  if (type === "bytes32") {
    const digits = bytesDigits(param, value);
    if (digits.length !== 64) throw badValue(param, value, `${digits.length / 2} bytes, want 32`);
    return digits;
  }
  if (type === "uint256") return encodeInt(param, value, false, 256);
  const arr = isArrayType(type) ? arrayOf(type) : undefined;
  if (arr) {
    const [inner, length] = arr;
    if (!Array.isArray(value)) throw badValue(param, value, "not an array");
    if (length !== null && value.length !== length) throw badValue(param, value, `${value.length} elements, want ${length}`);
    const el = element(param, inner);
    const body = encodeSequence(
      value.map(() => el),
      value,
    );
    return length === null ? word(value.length) + body : body;
  }
  if (type === "tuple") {
    const components = param.components ?? [];
    let values: unknown[];
    if (Array.isArray(value)) values = value;
    else if (value !== null && typeof value === "object")
      values = components.map((c, i) => (value as Record<string, unknown>)[c.name ?? String(i)]);
    else throw badValue(param, value, "not a tuple (object or array)");
    if (values.length !== components.length) throw badValue(param, value, `${values.length} components, want ${components.length}`);
    for (let i = 0; i < values.length; i++) if (values[i] === undefined) throw badValue(components[i]!, undefined, "missing");
    return encodeSequence(components, values);
  }
  if (type === "address") {
    if (!isAddress(value)) throw badValue(param, value, "not an address (or a bad checksum)");
    return "000000000000000000000000" + value.slice(2).toLowerCase();
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw badValue(param, value, "not a boolean");
    return value ? word(1) : ZERO_WORD;
  }
  if (type === "string") {
    if (typeof value !== "string") throw badValue(param, value, "not a string");
    const digits = bytesToHex(stringToBytes(value)).slice(2);
    return word(digits.length / 2) + padRight32(digits);
  }
  if (type === "bytes") {
    const digits = bytesDigits(param, value);
    return word(digits.length / 2) + padRight32(digits);
  }
  const size = bytesSizeOf(type);
  if (size !== undefined) {
    const digits = bytesDigits(param, value);
    if (digits.length !== size * 2) throw badValue(param, value, `${digits.length / 2} bytes, want ${size}`);
    return padRight32(digits);
  }
  const int = intOf(type);
  if (int) return encodeInt(param, value, int.signed, int.bits);
  throw unsupported(type);
}

/** ABI-encodes `values` as the parameters `params` (viem's encodeAbiParameters). */
export function encodeAbiParameters(params: readonly AbiParameter[], values: readonly unknown[]): Hex {
  if (params.length !== values.length) {
    throw new UsageError(UTIL_CODES.ABI_VALUE_INVALID, `${values.length} values for ${params.length} parameters`, {
      details: { got: values.length, want: params.length },
    });
  }
  return `0x${encodeSequence(params, values)}`;
}

function encodePackedValue(type: string, value: unknown, inArray: boolean): string {
  const param = { type };
  const arr = arrayOf(type);
  if (arr) {
    if (!Array.isArray(value)) throw badValue(param, value, "not an array");
    if (arr[1] !== null && value.length !== arr[1]) throw badValue(param, value, `${value.length} elements, want ${arr[1]}`);
    return value.map((v) => encodePackedValue(arr[0], v, true)).join("");
  }
  if (type === "address") {
    if (!isAddress(value)) throw badValue(param, value, "not an address (or a bad checksum)");
    const digits = value.slice(2).toLowerCase();
    return inArray ? digits.padStart(64, "0") : digits;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw badValue(param, value, "not a boolean");
    return inArray ? word(value ? 1 : 0) : value ? "01" : "00";
  }
  if (type === "string") {
    if (typeof value !== "string") throw badValue(param, value, "not a string");
    return bytesToHex(stringToBytes(value)).slice(2);
  }
  if (type === "bytes") return bytesDigits(param, value);
  const size = bytesSizeOf(type);
  if (size !== undefined) {
    const digits = bytesDigits(param, value);
    if (digits.length !== size * 2) throw badValue(param, value, `${digits.length / 2} bytes, want ${size}`);
    return inArray ? padRight32(digits) : digits;
  }
  const int = intOf(type);
  if (int) {
    const full = encodeInt(param, value, int.signed, int.bits);
    return inArray ? full : full.slice(64 - int.bits / 4);
  }
  throw unsupported(type);
}

/** Solidity's abi.encodePacked (viem's encodePacked): no padding, except array elements take 32 bytes each. */
export function encodePacked(types: readonly string[], values: readonly unknown[]): Hex {
  if (types.length !== values.length) {
    throw new UsageError(UTIL_CODES.ABI_VALUE_INVALID, `${values.length} values for ${types.length} types`, {
      details: { got: values.length, want: types.length },
    });
  }
  let out = "0x";
  for (let i = 0; i < types.length; i++) out += encodePackedValue(types[i]!, values[i], false);
  return out as Hex;
}
