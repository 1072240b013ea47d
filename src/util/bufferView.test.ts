import { describe, expect, it } from "vitest";
import { bytesView, sameBytes } from "./bufferView.ts";

describe("bytesView", () => {
  it("is a plain Uint8Array over the decoded Buffer's own bytes, not a copy and not a Buffer", () => {
    const decoded = Buffer.from("AAECAwQFBgc=", "base64");
    const view = bytesView(decoded);
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    expect([...view]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(view.buffer).toBe(decoded.buffer);
    expect(view.byteOffset).toBe(decoded.byteOffset);
    // A plain Uint8Array's slice is a copy (a Buffer's is a view): what callers of parsed bytes rely on.
    const copy = view.slice(0, 2);
    copy[0] = 9;
    expect(view[0]).toBe(0);
  });
});

describe("sameBytes", () => {
  it("answers as a byte-by-byte comparison, short and long, views at any offset included", () => {
    for (const length of [0, 1, 31, 32, 33, 600, 5000]) {
      const a = Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
      const backing = new Uint8Array(length + 5);
      backing.set(a, 5);
      const b = backing.subarray(5);
      expect(sameBytes(a, b)).toBe(true);
      expect(sameBytes(a, a)).toBe(true);
      expect(sameBytes(a, a.subarray(0, Math.max(0, length - 1)))).toBe(length === 0);
      for (const at of length === 0 ? [] : [0, length >> 1, length - 1]) {
        const c = Uint8Array.from(a);
        c[at] = c[at]! ^ 0x01;
        expect(sameBytes(a, c)).toBe(false);
        expect(sameBytes(c, a)).toBe(false);
      }
    }
  });
});
