/**
 * Small helpers for byte strings. All hex is lowercase and 0x-prefixed at API boundaries. Plain
 * JavaScript (no Buffer): the SDK runs in browsers too.
 */

export type Hex = `0x${string}`;

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): Hex {
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
export function tryFromHex(text: string): Uint8Array | undefined {
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

export function fromHex(text: string): Uint8Array {
  const out = tryFromHex(text);
  if (out === undefined) throw new TypeError(`not a hex byte string: ${text.slice(0, 20)}`);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order of two byte strings (like Buffer.compare): < 0, 0 or > 0. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Standard base64 (with padding), as Node's Buffer and the node's HTTP API write it. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // String.fromCharCode takes arguments: chunk so a large evidence blob does not overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function isAllZero(a: Uint8Array): boolean {
  for (const b of a) if (b !== 0) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
