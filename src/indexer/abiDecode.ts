/**
 * An ABI decoder for the keepledger events, working on the hex text eth_getLogs returns. viem's
 * decodeAbiParameters is the reference (abiDecode.test.ts holds this one to it); this one skips what
 * catch-up cannot afford per log — checksumming every address (a keccak each: a batch group carries
 * hundreds) and byte-array round trips. Addresses come back lowercase; everything else as viem gives it
 * (uint up to 48 bits as number, wider as bigint, tuples as objects by component name).
 */
import type { AbiParameter, Hex } from "viem";

const utf8 = new TextDecoder();

interface Reader {
  hex: string;
}

/** The 64 hex digits of the 32-byte word at byte `offset` of the data. */
function word(r: Reader, offset: number): string {
  const start = 2 + offset * 2;
  const w = r.hex.slice(start, start + 64);
  if (w.length !== 64) throw new RangeError(`ABI data too short: no word at byte ${offset}`);
  return w;
}

function uint(w: string): bigint {
  return BigInt(`0x${w}`);
}

function toOffset(w: string): number {
  const n = uint(w);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("ABI offset out of range");
  return Number(n);
}

function isDynamic(p: AbiParameter): boolean {
  if (p.type === "string" || p.type === "bytes" || p.type.endsWith("[]")) return true;
  if (p.type === "tuple") return ((p as { components: readonly AbiParameter[] }).components ?? []).some(isDynamic);
  return false;
}

function staticSize(p: AbiParameter): number {
  if (p.type === "tuple") return ((p as { components: readonly AbiParameter[] }).components ?? []).reduce((n, c) => n + staticSize(c), 0);
  return 32;
}

/** A static elementary value from its word. */
export function decodeWord(type: string, w: string): unknown {
  if (type === "address") return `0x${w.slice(24)}`.toLowerCase();
  if (type === "bool") return uint(w) !== 0n;
  if (type === "bytes32") return `0x${w}`.toLowerCase();
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes) return `0x${w.slice(0, Number(bytes[1]) * 2)}`.toLowerCase();
  const u = /^(u?)int(\d+)$/.exec(type);
  if (u) {
    const bits = Number(u[2]);
    let v = uint(w);
    if (u[1] === "" && v >= 1n << 255n) v -= 1n << 256n;
    return bits <= 48 ? Number(v) : v;
  }
  throw new TypeError(`unsupported ABI type ${type}`);
}

function decodeAt(r: Reader, p: AbiParameter, offset: number): unknown {
  if (p.type === "string" || p.type === "bytes") {
    const length = toOffset(word(r, offset));
    const start = 2 + (offset + 32) * 2;
    const hex = r.hex.slice(start, start + length * 2);
    if (hex.length !== length * 2) throw new RangeError("ABI data too short for a dynamic value");
    return p.type === "bytes" ? `0x${hex}`.toLowerCase() : utf8.decode(Buffer.from(hex, "hex"));
  }
  if (p.type.endsWith("[]")) {
    const length = toOffset(word(r, offset));
    const element = { ...p, type: p.type.slice(0, -2) } as AbiParameter;
    return decodeTuple(
      r,
      Array.from({ length }, () => element),
      offset + 32,
    );
  }
  if (p.type === "tuple") {
    const components = (p as { components: readonly AbiParameter[] }).components;
    const values = decodeTuple(r, components, offset);
    return Object.fromEntries(components.map((c, i) => [c.name ?? String(i), values[i]]));
  }
  return decodeWord(p.type, word(r, offset));
}

/** Values of a sequence of parameters encoded from byte `base` (a tuple's or array's head). */
function decodeTuple(r: Reader, params: readonly AbiParameter[], base: number): unknown[] {
  let head = base;
  return params.map((p) => {
    if (isDynamic(p)) {
      const value = decodeAt(r, p, base + toOffset(word(r, head)));
      head += 32;
      return value;
    }
    const value = decodeAt(r, p, head);
    head += staticSize(p);
    return value;
  });
}

/** decodeAbiParameters(params, data), for the types the keepledger events use. */
export function decodeParameters(params: readonly AbiParameter[], data: Hex): unknown[] {
  return decodeTuple({ hex: data }, params, 0);
}
