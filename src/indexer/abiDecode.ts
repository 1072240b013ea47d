/**
 * An ABI decoder for the keepledger events, working on the hex text eth_getLogs returns. viem's
 * decodeAbiParameters is the reference (abiDecode.test.ts holds this one to it); this one skips what
 * catch-up cannot afford per log — checksumming every address (a keccak each: a batch group carries
 * hundreds) and byte-array round trips. Addresses come back lowercase; everything else as viem gives it
 * (uint up to 48 bits as number, wider as bigint, tuples as objects by component name).
 */
import type { AbiParameter, Hex } from "viem";

const utf8 = new TextDecoder();

/** The 64 hex digits of the 32-byte word at byte `offset` of the data (0x-prefixed hex). */
function word(hex: string, offset: number): string {
  const start = 2 + offset * 2;
  const w = hex.slice(start, start + 64);
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

const ZEROS_52 = "0".repeat(52);

/** A static elementary value from its 64 hex digits. */
type WordDecoder = (w: string) => unknown;

/** The decoder of one static elementary type, chosen once per type (catch-up decodes millions of words). */
export function wordDecoder(type: string): WordDecoder {
  if (type === "address") return (w) => `0x${w.slice(24)}`.toLowerCase();
  if (type === "bool") return (w) => uint(w) !== 0n;
  if (type === "bytes32") return (w) => `0x${w}`.toLowerCase();
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes) {
    const digits = Number(bytes[1]) * 2;
    return (w) => `0x${w.slice(0, digits)}`.toLowerCase();
  }
  const u = /^(u?)int(\d+)$/.exec(type);
  if (u) {
    const bits = Number(u[2]);
    const signed = u[1] === "";
    // Up to 48 bits as a number: 12 hex digits parse exactly without a bigint (the high digits of a valid word are zero).
    if (bits <= 48 && !signed) return (w) => (w.startsWith(ZEROS_52) ? parseInt(w.slice(52), 16) : Number(uint(w)));
    return (w) => {
      let v = uint(w);
      if (signed && v >= 1n << 255n) v -= 1n << 256n;
      return bits <= 48 ? Number(v) : v;
    };
  }
  throw new TypeError(`unsupported ABI type ${type}`);
}

/** A static elementary value from its word. */
export function decodeWord(type: string, w: string): unknown {
  return wordDecoder(type)(w);
}

/** One parameter, compiled: whether it is dynamic, its head size, and how to read it at a byte offset. */
interface Compiled {
  dynamic: boolean;
  size: number;
  at: (hex: string, offset: number) => unknown;
}

function compile(p: AbiParameter): Compiled {
  if (p.type === "string" || p.type === "bytes") {
    const isBytes = p.type === "bytes";
    return {
      dynamic: true,
      size: 32,
      at: (hex, offset) => {
        const length = toOffset(word(hex, offset));
        const start = 2 + (offset + 32) * 2;
        const body = hex.slice(start, start + length * 2);
        if (body.length !== length * 2) throw new RangeError("ABI data too short for a dynamic value");
        return isBytes ? `0x${body}`.toLowerCase() : utf8.decode(Buffer.from(body, "hex"));
      },
    };
  }
  if (p.type.endsWith("[]")) {
    const element = compile({ ...p, type: p.type.slice(0, -2) } as AbiParameter);
    return {
      dynamic: true,
      size: 32,
      at: (hex, offset) => {
        const length = toOffset(word(hex, offset));
        const base = offset + 32;
        const out = new Array<unknown>(length);
        for (let i = 0; i < length; i++) {
          out[i] = element.dynamic ? element.at(hex, base + toOffset(word(hex, base + i * 32))) : element.at(hex, base + i * element.size);
        }
        return out;
      },
    };
  }
  if (p.type === "tuple") {
    const components = (p as { components: readonly AbiParameter[] }).components;
    const names = components.map((c, i) => c.name ?? String(i));
    const seq = compileSequence(components);
    return {
      dynamic: seq.dynamic,
      size: seq.size,
      at: (hex, offset) => {
        const values = seq.decode(hex, offset);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) out[names[i]!] = values[i];
        return out;
      },
    };
  }
  const decode = wordDecoder(p.type);
  return { dynamic: false, size: 32, at: (hex, offset) => decode(word(hex, offset)) };
}

/** A sequence of parameters encoded from byte `base` (a tuple's or the data's head). */
function compileSequence(params: readonly AbiParameter[]): {
  dynamic: boolean;
  size: number;
  decode: (hex: string, base: number) => unknown[];
} {
  const compiled = params.map(compile);
  const dynamic = compiled.some((c) => c.dynamic);
  return {
    dynamic,
    // A dynamic tuple takes one head word (its offset) in the enclosing sequence.
    size: dynamic ? 32 : compiled.reduce((n, c) => n + c.size, 0),
    decode: (hex, base) => {
      const out = new Array<unknown>(compiled.length);
      let head = base;
      for (let i = 0; i < compiled.length; i++) {
        const c = compiled[i]!;
        if (c.dynamic) {
          out[i] = c.at(hex, base + toOffset(word(hex, head)));
          head += 32;
        } else {
          out[i] = c.at(hex, head);
          head += c.size;
        }
      }
      return out;
    },
  };
}

/** A decoder of data encoded as `params`, compiled once (createLogDecoder keeps one per event). */
export function parametersDecoder(params: readonly AbiParameter[]): (data: Hex) => unknown[] {
  const seq = compileSequence(params);
  return (data) => seq.decode(data, 0);
}

/** decodeAbiParameters(params, data), for the types the keepledger events use. */
export function decodeParameters(params: readonly AbiParameter[], data: Hex): unknown[] {
  return parametersDecoder(params)(data);
}
