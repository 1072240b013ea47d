import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/** An 8-byte little-endian field (TD_ATTRIBUTES, XFAM, SGX ATTRIBUTES.FLAGS/XFRM) as 0x-hex of its value, so bit n is `1n << n`. */
export function u64Hex(bytes: Uint8Array): Hex {
  if (bytes.length !== 8) throw new RangeError(`expected 8 bytes, got ${bytes.length}`);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return `0x${v.toString(16)}`;
}
