/**
 * Small helpers for byte strings. All hex is lowercase and 0x-prefixed at API boundaries. Plain
 * JavaScript (no Buffer): the SDK runs in browsers too.
 */
import { tryHexToBytes } from "./hex.ts";

export type { Hex } from "./hex.ts";
/** Lowercase 0x-hex of bytes (the older name of {@link bytesToHex}). */
export { bytesToHex as toHex, concatBytes, tryHexToBytes as tryFromHex } from "./hex.ts";

export function fromHex(text: string): Uint8Array {
  const out = tryHexToBytes(text);
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
