/** SHA-256 as 0x-hex over @noble/hashes (pure JavaScript: the SDK has no node:crypto and runs in browsers). */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2";
import { hexToBytes, bytesToHex, type Hex } from "./hex.ts";

/** SHA-256 of bytes, or of the bytes 0x-hex holds, as 32 bytes. */
export function sha256Bytes(value: Uint8Array | Hex): Uint8Array {
  return nobleSha256(typeof value === "string" ? hexToBytes(value) : value);
}

/** SHA-256 of bytes, or of the bytes 0x-hex holds (like viem's sha256). */
export function sha256(value: Uint8Array | Hex): Hex {
  return bytesToHex(sha256Bytes(value));
}
