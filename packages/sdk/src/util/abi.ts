/**
 * The Solidity ABI codec the SDK needs, without viem: parameters (uint<N>, int<N>, address, bool,
 * bytes<N>, bytes, string, tuples, T[] and T[k], nested), packed encoding, selectors, function data and
 * results, custom errors and event logs. Values have viem's shapes so callers can switch without
 * changes: integers of up to 48 bits decode to numbers and wider ones to bigints, addresses are
 * checksummed, named tuples decode to objects and unnamed ones to arrays. abi.test.ts checks it against
 * viem on random values.
 *
 * Decoding reads untrusted bytes (return data, logs, revert data from an RPC node): every offset and
 * length is checked against the data, values must be canonical (no dirty high bits, booleans 0 or 1),
 * and the total work is bounded by the data's size — malformed data is an ABI_DATA_MALFORMED error,
 * never a crash or a hang.
 */
import { EvidenceFormatError, UsageError } from "../errors/KeepledgerError.ts";
import { checksumAddress, isAddress } from "./address.ts";
import { UTIL_CODES } from "./codes.ts";
import { bytesToHex, hexToBytes, isHex, stringToBytes, type Hex } from "./hex.ts";
import { keccak256Bytes } from "./keccak256.ts";

export interface AbiParameter {
  readonly name?: string | undefined;
  readonly type: string;
  readonly internalType?: string | undefined;
  readonly components?: readonly AbiParameter[] | undefined;
  readonly indexed?: boolean | undefined;
}

/** One ABI entry (function, event, error, constructor, …), loose enough to take viem's and the generated `as const` ABIs. */
export interface AbiItem {
  readonly type: string;
  readonly name?: string | undefined;
  readonly inputs?: readonly AbiParameter[] | undefined;
  readonly outputs?: readonly AbiParameter[] | undefined;
  readonly anonymous?: boolean | undefined;
  readonly stateMutability?: string | undefined;
}

export type Abi = readonly AbiItem[];

// ===== Types =====

const INT_RE = /^(u?)int(\d*)$/;
const BYTES_RE = /^bytes(\d+)$/;
const ARRAY_RE = /^(.*)\[(\d*)\]$/;

function unsupported(type: string): UsageError {
  return new UsageError(UTIL_CODES.ABI_TYPE_UNSUPPORTED, `unsupported ABI type ${type}`, { details: { type } });
}

/** `[inner, length]` of an array type (`length` null when dynamic), or undefined. */
function arrayOf(type: string): [string, number | null] | undefined {
  const m = ARRAY_RE.exec(type);
  if (!m) return undefined;
  return [m[1]!, m[2] === "" ? null : Number(m[2])];
}

/** The bit width of `uint<N>`/`int<N>` and its signedness, or undefined for other types. */
function intOf(type: string): { signed: boolean; bits: number } | undefined {
  const m = INT_RE.exec(type);
  if (!m) return undefined;
  const bits = m[2] === "" ? 256 : Number(m[2]);
  if (bits < 8 || bits > 256 || bits % 8 !== 0) throw unsupported(type);
  return { signed: m[1] === "", bits };
}

function bytesSizeOf(type: string): number | undefined {
  const m = BYTES_RE.exec(type);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n < 1 || n > 32) throw unsupported(type);
  return n;
}

function element(param: AbiParameter, type: string): AbiParameter {
  return { type, components: param.components };
}

/** Whether a type ends in `[…]` (cheaper than the regular expression on the hot path). */
const isArrayType = (type: string): boolean => type.charCodeAt(type.length - 1) === 93; // "]"

function isDynamic(param: AbiParameter): boolean {
  const { type } = param;
  if (type === "string" || type === "bytes") return true;
  if (isArrayType(type)) {
    const arr = arrayOf(type);
    if (arr) return arr[1] === null || isDynamic(element(param, arr[0]));
  }
  if (type === "tuple") return (param.components ?? []).some(isDynamic);
  return false;
}

/** Bytes a static parameter takes in the head (32 for dynamic ones: their offset). */
function headSize(param: AbiParameter): number {
  const { type } = param;
  if (type !== "tuple" && !isArrayType(type)) return 32;
  if (isDynamic(param)) return 32;
  const arr = arrayOf(type);
  if (arr) return arr[1]! * headSize(element(param, arr[0]));
  return (param.components ?? []).reduce((n, c) => n + headSize(c), 0);
}

/** Whether a tuple decodes to an array (some component unnamed, or none) rather than an object. */
function unnamed(components: readonly AbiParameter[]): boolean {
  return components.length === 0 || components.some((c) => !c.name);
}

/** The canonical type string of a parameter, tuples expanded: `(uint256,address)[]`. */
export function canonicalType(param: AbiParameter): string {
  if (param.type.startsWith("tuple")) {
    return `(${(param.components ?? []).map(canonicalType).join(",")})${param.type.slice("tuple".length)}`;
  }
  return param.type;
}

// ===== Encoding =====

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

// ===== Decoding =====

const utf8 = new TextDecoder();

interface Reader {
  readonly data: Uint8Array;
  /** Bytes still allowed to be read: bounds the work that overlapping offsets can cause. */
  budget: number;
}

function malformed(
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

// ===== Functions, errors, events =====

function signatureOf(item: AbiItem): string {
  return `${item.name ?? ""}(${(item.inputs ?? []).map(canonicalType).join(",")})`;
}

/** `name(type,…)` of a function, error or event, tuples expanded (the text its selector hashes). */
export function functionSignature(item: AbiItem | string): string {
  return typeof item === "string" ? item.replace(/\s+/g, "") : signatureOf(item);
}

/** The 4-byte selector of a function or error (or of a signature string). */
export function toFunctionSelector(item: AbiItem | string): Hex {
  return bytesToHex(keccak256Bytes(stringToBytes(functionSignature(item))).subarray(0, 4));
}

/** The 32-byte topic 0 of an event (or of a signature string). */
export function toEventSelector(item: AbiItem | string): Hex {
  return bytesToHex(keccak256Bytes(stringToBytes(functionSignature(item))));
}

function findFunction(abi: Abi, functionName: string, args: readonly unknown[] | undefined): AbiItem {
  const candidates = abi.filter((i) => i.type === "function" && i.name === functionName);
  const matching =
    args === undefined || candidates.length <= 1 ? candidates : candidates.filter((c) => (c.inputs ?? []).length === args.length);
  if (matching.length === 1) return matching[0]!;
  throw new UsageError(
    UTIL_CODES.ABI_ITEM_NOT_FOUND,
    matching.length === 0 ? `no function ${functionName} in the ABI` : `function ${functionName} is overloaded: pass args to choose`,
    { details: { functionName, candidates: candidates.map(signatureOf) } },
  );
}

export interface EncodeFunctionDataParameters {
  abi: Abi;
  functionName: string;
  args?: readonly unknown[] | undefined;
}

/** Call data: the function's selector and its ABI-encoded arguments (overloads chosen by argument count). */
export function encodeFunctionData({ abi, functionName, args = [] }: EncodeFunctionDataParameters): Hex {
  const fn = findFunction(abi, functionName, args);
  return `${toFunctionSelector(fn)}${encodeAbiParameters(fn.inputs ?? [], args).slice(2)}`;
}

export interface DecodeFunctionResultParameters {
  abi: Abi;
  functionName: string;
  data: Hex | Uint8Array;
  /** Picks among overloads, as in {@link encodeFunctionData}. */
  args?: readonly unknown[] | undefined;
}

/** A call's return data: the value for a single output, an array for several, undefined for none (like viem). */
export function decodeFunctionResult({ abi, functionName, data, args }: DecodeFunctionResultParameters): unknown {
  const outputs = findFunction(abi, functionName, args).outputs ?? [];
  const values = decodeAbiParameters(outputs, data);
  if (outputs.length === 0) return undefined;
  return outputs.length === 1 ? values[0] : values;
}

/** Solidity's built-in revert reasons, known to every decode (viem's solidityError and solidityPanic). */
const BUILTIN_ERRORS: Abi = [
  { type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] },
  { type: "error", name: "Panic", inputs: [{ name: "reason", type: "uint256" }] },
];

export interface DecodeErrorResultParameters {
  abi: Abi;
  data: Hex | Uint8Array;
}

export interface DecodedError {
  errorName: string;
  /** The error's arguments in order ([] for none; viem gives undefined then). */
  args: readonly unknown[];
}

/**
 * Revert data as one of the ABI's custom errors (or Error(string)/Panic(uint256)); undefined when no
 * error of the ABI has its selector. Arguments that do not decode are an ABI_DATA_MALFORMED error.
 */
export function decodeErrorResult({ abi, data }: DecodeErrorResultParameters): DecodedError | undefined {
  const bytes = typeof data === "string" ? hexToBytes(data) : data;
  if (bytes.length < 4) return undefined;
  const selector = bytesToHex(bytes.subarray(0, 4));
  const item = [...abi, ...BUILTIN_ERRORS].find((i) => i.type === "error" && toFunctionSelector(i) === selector);
  if (!item) return undefined;
  return { errorName: item.name!, args: decodeAbiParameters(item.inputs ?? [], bytes.subarray(4)) };
}

export interface DecodeEventLogParameters {
  abi: Abi;
  topics: readonly Hex[];
  data: Hex | Uint8Array;
}

export interface DecodedEventLog {
  eventName: string;
  /** By parameter name (by position, as "0", "1", …, for unnamed ones). Indexed dynamic values are their topic (a hash). */
  args: Record<string, unknown>;
}

function indexedAsTopic(param: AbiParameter): boolean {
  return param.type === "string" || param.type === "bytes" || param.type === "tuple" || arrayOf(param.type) !== undefined;
}

/**
 * A log as one of the ABI's (non-anonymous) events; undefined when its topic 0 is none of them. A log
 * whose topics or data do not fit the event is an ABI_DATA_MALFORMED error.
 */
export function decodeEventLog({ abi, topics, data }: DecodeEventLogParameters): DecodedEventLog | undefined {
  const topic0 = topics[0]?.toLowerCase();
  if (topic0 === undefined) return undefined;
  const event = abi.find((i) => i.type === "event" && !i.anonymous && toEventSelector(i) === topic0);
  if (!event) return undefined;
  const inputs = event.inputs ?? [];
  const indexed = inputs.filter((p) => p.indexed);
  if (topics.length !== indexed.length + 1) {
    throw malformed(`event ${event.name} has ${indexed.length} indexed parameters but the log ${topics.length - 1} topics`, undefined, 0);
  }
  const plain = inputs.filter((p) => !p.indexed);
  const plainValues = decodeAbiParameters(plain, data);
  const args: Record<string, unknown> = {};
  let t = 1;
  let v = 0;
  inputs.forEach((p, i) => {
    const key = p.name || String(i);
    if (p.indexed) {
      const topic = topics[t++]!;
      args[key] = indexedAsTopic(p) ? topic : decodeAbiParameters([p], topic)[0];
    } else args[key] = plainValues[v++];
  });
  return { eventName: event.name!, args };
}
