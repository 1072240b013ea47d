import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/** An 8-byte little-endian field (TD_ATTRIBUTES, XFAM, SGX ATTRIBUTES.FLAGS/XFRM) as 0x-hex of its value, so bit n is `1n << n`. */
export function u64Hex(bytes: Uint8Array): Hex {
  if (bytes.length !== 8) throw new RangeError(`expected 8 bytes, got ${bytes.length}`);
  return `0x${new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true).toString(16)}`;
}
