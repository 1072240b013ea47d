import { describe, expect, it } from "vitest";
import { bytesView } from "./bufferView.ts";

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
