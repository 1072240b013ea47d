/** The ABI's shapes (parameters, items) and what the codec needs to know about a type string. */
import { UsageError } from "../errors/KeepledgerError.ts";
import { UTIL_CODES } from "./codes.ts";

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

const INT_RE = /^(u?)int(\d*)$/;
const BYTES_RE = /^bytes(\d+)$/;
const ARRAY_RE = /^(.*)\[(\d*)\]$/;

export function unsupported(type: string): UsageError {
  return new UsageError(UTIL_CODES.ABI_TYPE_UNSUPPORTED, `unsupported ABI type ${type}`, { details: { type } });
}

/** `[inner, length]` of an array type (`length` null when dynamic), or undefined. */
export function arrayOf(type: string): [string, number | null] | undefined {
  const m = ARRAY_RE.exec(type);
  if (!m) return undefined;
  return [m[1]!, m[2] === "" ? null : Number(m[2])];
}

/** The bit width of `uint<N>`/`int<N>` and its signedness, or undefined for other types. */
export function intOf(type: string): { signed: boolean; bits: number } | undefined {
  const m = INT_RE.exec(type);
  if (!m) return undefined;
  const bits = m[2] === "" ? 256 : Number(m[2]);
  if (bits < 8 || bits > 256 || bits % 8 !== 0) throw unsupported(type);
  return { signed: m[1] === "", bits };
}

export function bytesSizeOf(type: string): number | undefined {
  const m = BYTES_RE.exec(type);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n < 1 || n > 32) throw unsupported(type);
  return n;
}

export function element(param: AbiParameter, type: string): AbiParameter {
  return { type, components: param.components };
}

/** Whether a type ends in `[…]` (cheaper than the regular expression on the hot path). */
export const isArrayType = (type: string): boolean => type.charCodeAt(type.length - 1) === 93; // "]"

export function isDynamic(param: AbiParameter): boolean {
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
export function headSize(param: AbiParameter): number {
  const { type } = param;
  if (type !== "tuple" && !isArrayType(type)) return 32;
  if (isDynamic(param)) return 32;
  const arr = arrayOf(type);
  if (arr) return arr[1]! * headSize(element(param, arr[0]));
  return (param.components ?? []).reduce((n, c) => n + headSize(c), 0);
}

/** Whether a tuple decodes to an array (some component unnamed, or none) rather than an object. */
export function unnamed(components: readonly AbiParameter[]): boolean {
  return components.length === 0 || components.some((c) => !c.name);
}

/** The canonical type string of a parameter, tuples expanded: `(uint256,address)[]`. */
export function canonicalType(param: AbiParameter): string {
  if (param.type.startsWith("tuple")) {
    return `(${(param.components ?? []).map(canonicalType).join(",")})${param.type.slice("tuple".length)}`;
  }
  return param.type;
}
