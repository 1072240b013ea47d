import { describe, expect, it } from "vitest";
import { u64Hex } from "./u64Hex.ts";

/** The definition: the little-endian value as a BigInt, in hex without leading zeros. */
function reference(bytes: Uint8Array): string {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return `0x${v.toString(16)}`;
}

describe("u64Hex", () => {
  it("is the little-endian value in hex, for edge values and 2,000 random ones", () => {
    const cases = [
      [0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0, 0, 0],
      [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
      [0, 0, 0, 0x80, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0x80],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x07, 0, 0, 0, 0, 0, 0, 0x01],
    ].map((b) => Uint8Array.from(b));
    for (let i = 0; i < 2000; i++) cases.push(Uint8Array.from({ length: 8 }, () => Math.floor(Math.random() * 256)));
    for (const bytes of cases) expect(u64Hex(bytes)).toBe(reference(bytes));
    const backing = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
    expect(u64Hex(backing.subarray(5, 13))).toBe(reference(backing.subarray(5, 13)));
  });

  it("refuses anything but 8 bytes", () => {
    expect(() => u64Hex(new Uint8Array(7))).toThrow(RangeError);
  });
});
