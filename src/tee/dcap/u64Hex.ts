import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/** An 8-byte little-endian field (TD_ATTRIBUTES, XFAM, SGX ATTRIBUTES.FLAGS/XFRM) as 0x-hex of its value, so bit n is `1n << n`. */
export function u64Hex(bytes: Uint8Array): Hex {
  if (bytes.length !== 8) throw new RangeError(`expected 8 bytes, got ${bytes.length}`);
  // Two 32-bit halves rather than a BigInt: the same digits (no leading zeros, "0x0" for zero), no allocation but the string.
  const lo = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  const hi = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")}`;
}
