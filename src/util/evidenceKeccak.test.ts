import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keccak256 } from "viem";
import { NATIVE_KECCAK_MIN_BYTES, evidenceKeccak, nativeKeccakLoaded } from "./evidenceKeccak.ts";

describe("evidenceKeccak", () => {
  it("loads the native Keccak on linux-x64 (the prebuilt binary the package ships)", () => {
    if (process.platform === "linux" && process.arch === "x64") expect(nativeKeccakLoaded).toBe(true);
  });

  it("equals keccak256 at every length around the native threshold and the rate (136 bytes), and for quotes", () => {
    const lengths = [0, 1, 135, 136, 137, NATIVE_KECCAK_MIN_BYTES - 1, NATIVE_KECCAK_MIN_BYTES, 271, 272, 273, 1_000, 5_006, 65_536];
    for (const n of lengths) {
      const data = randomBytes(n);
      expect(evidenceKeccak(data), `${n} bytes`).toBe(keccak256(data));
      // A view into a larger buffer hashes only its own bytes.
      const padded = randomBytes(n + 64);
      const view = new Uint8Array(padded.buffer, padded.byteOffset + 32, n);
      expect(evidenceKeccak(view), `${n}-byte view`).toBe(keccak256(view));
    }
  });

  it("keeps no state between calls (one native state is reused)", () => {
    const a = randomBytes(4_000);
    const b = randomBytes(4_000);
    const first = evidenceKeccak(a);
    evidenceKeccak(b);
    expect(evidenceKeccak(a)).toBe(first);
  });
});
