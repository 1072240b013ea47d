import fc from "fast-check";
import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../../test/support/fixtures.ts";
import { keccak256Bytes, keccak256Hex } from "./keccak256.ts";

describe("keccak256Hex", () => {
  it("equals viem's keccak256 on every block-boundary length and the real quotes", () => {
    for (let n = 0; n <= 3 * 136 + 1; n++) {
      const d = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
      expect(keccak256Hex(d), `length ${n}`).toBe(keccak256(d));
      expect(Buffer.from(keccak256Bytes(d)).toString("hex"), `length ${n}`).toBe(keccak256(d).slice(2));
    }
    for (const [kind, set] of [
      ["sgx", "dcapqvl-sgx"],
      ["tdx", "dcapqvl-tdx"],
      ["tdx", "dcapqvl-tdx-v5-no-tcb-match"],
    ] as const) {
      const q = fixtureBytes(kind, set, "quote.bin");
      expect(keccak256Hex(q)).toBe(keccak256(q));
    }
    expect(keccak256Hex(new Uint8Array(0))).toBe("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  });

  it("equals viem's keccak256 on random inputs, including views into larger buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat({ max: 7 }), (bytes, skew) => {
        const backing = new Uint8Array(bytes.length + skew);
        backing.set(bytes, skew);
        const view = backing.subarray(skew);
        expect(keccak256Hex(view)).toBe(keccak256(bytes));
        // The sponge's state is shared between calls: a digest handed out is not touched by the next call.
        const digest = keccak256Bytes(view);
        const copy = Uint8Array.from(digest);
        keccak256Hex(new Uint8Array(137).fill(0xff));
        expect(digest).toEqual(copy);
      }),
      { numRuns: 500 },
    );
  });
});
