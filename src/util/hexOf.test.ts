import { describe, expect, it } from "vitest";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { hexOf } from "./hexOf.ts";

describe("hexOf", () => {
  it("is the SDK's toHex for bytes, for views at any offset of a larger buffer", () => {
    const backing = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    for (const [start, end] of [
      [0, 0],
      [0, 1],
      [3, 51],
      [100, 164],
      [299, 300],
      [0, 300],
    ] as const) {
      const view = backing.subarray(start, end);
      expect(hexOf(view)).toBe(toHex(view));
    }
    expect(hexOf(new Uint8Array([0, 0x0f, 0xf0, 0xff]))).toBe("0x000ff0ff");
  });
});
