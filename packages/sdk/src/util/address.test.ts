import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import { checksumAddress, getAddress, isAddress, isAddressEqual } from "./address.ts";

const addressArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => viem.bytesToHex(b));

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("addresses against viem", () => {
  it("checksums like viem's getAddress, from any case", () => {
    fc.assert(
      fc.property(addressArb, (lower) => {
        const want = viem.getAddress(lower);
        expect(getAddress(lower)).toBe(want);
        expect(getAddress(want)).toBe(want);
        expect(checksumAddress(`0x${lower.slice(2).toUpperCase()}`)).toBe(want);
        expect(isAddress(want)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a broken checksum, as viem does, and accepts it without strict", () => {
    fc.assert(
      fc.property(addressArb, fc.nat({ max: 39 }), (lower, i) => {
        const good = viem.getAddress(lower);
        const c = good[2 + i]!;
        if (!/[a-fA-F]/.test(c)) return;
        const flipped = `${good.slice(0, 2 + i)}${c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()}${good.slice(3 + i)}`;
        if (flipped.toLowerCase() === flipped) return; // all lowercase is a valid unchecksummed form
        expect(isAddress(flipped)).toBe(viem.isAddress(flipped));
        expect(isAddress(flipped)).toBe(false);
        expect(isAddress(flipped, { strict: false })).toBe(true);
        expect(codeOf(() => getAddress(flipped))).toBe("ADDRESS_INVALID");
      }),
      { numRuns: 300 },
    );
  });

  it("isAddress and isAddressEqual agree with viem on edge cases", () => {
    const a = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    for (const v of [a, a.toLowerCase(), `0x${a.slice(2).toUpperCase()}`, "0x123", `${a}00`, `0X${a.slice(2)}`, "", 5, null]) {
      expect(isAddress(v), String(v)).toBe(viem.isAddress(v as string));
    }
    expect(getAddress(a.toLowerCase())).toBe(a);
    expect(isAddressEqual(a, a.toLowerCase())).toBe(viem.isAddressEqual(a, a.toLowerCase() as viem.Address));
    expect(isAddressEqual(a, "0x0000000000000000000000000000000000000001")).toBe(false);
    expect(codeOf(() => isAddressEqual(a, "0x12"))).toBe("ADDRESS_INVALID");
    expect(codeOf(() => getAddress("0x12"))).toBe("ADDRESS_INVALID");
    expect(codeOf(() => getAddress(`0x${a.slice(2).toUpperCase()}`))).toBe("ADDRESS_INVALID");
  });
});
