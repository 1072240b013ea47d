import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import {
  bytesToHex,
  concatBytes,
  concatHex,
  hexToBigInt,
  hexToBytes,
  hexToNumber,
  isHex,
  numberToHex,
  sliceHex,
  stringToBytes,
  toHex,
  type Hex,
} from "./hex.ts";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const hexArb = fc.uint8Array({ maxLength: 80 }).map((b) => viem.bytesToHex(b));

describe("hex primitives against viem", () => {
  it("bytesToHex / hexToBytes round-trip and equal viem, in either case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, upper) => {
        const hex = bytesToHex(bytes);
        expect(hex).toBe(viem.bytesToHex(bytes));
        const shown = (upper ? `0x${hex.slice(2).toUpperCase()}` : hex) as Hex;
        expect(hexToBytes(shown)).toEqual(viem.hexToBytes(shown));
      }),
      { numRuns: 300 },
    );
  });

  it("concatHex, sliceHex and concatBytes equal viem", () => {
    fc.assert(
      fc.property(fc.array(hexArb, { maxLength: 5 }), fc.nat(), fc.nat(), (parts, a, b) => {
        const joined = concatHex(parts);
        expect(joined).toBe(viem.concatHex(parts));
        const size = (joined.length - 2) / 2;
        const start = size === 0 ? 0 : a % (size + 1);
        const end = start + (size - start === 0 ? 0 : b % (size - start + 1));
        // viem refuses to start a slice at the very end (an empty slice); we return "0x" there.
        if (start < size || start === 0) {
          expect(sliceHex(joined, start, end)).toBe(viem.sliceHex(joined, start, end, { strict: true }));
          expect(sliceHex(joined, start)).toBe(viem.sliceHex(joined, start));
        } else expect(sliceHex(joined, start, end)).toBe("0x");
        const bytes = parts.map((p) => viem.hexToBytes(p));
        expect(concatBytes(...bytes)).toEqual(viem.concatBytes(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("numbers: numberToHex, hexToBigInt and hexToNumber equal viem, signed and unsigned, with and without a size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 32 }), fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.boolean(), (size, raw, signed) => {
        const bits = BigInt(size * 8);
        const unsigned = raw % (1n << bits);
        const value = signed ? unsigned - (1n << (bits - 1n)) : unsigned;
        const hex = numberToHex(value, { size, signed });
        expect(hex).toBe(viem.numberToHex(value, { size, signed }));
        expect(hexToBigInt(hex, { signed })).toBe(viem.hexToBigInt(hex, { signed }));
        if (!signed) expect(numberToHex(value)).toBe(viem.numberToHex(value));
        if (Number.isSafeInteger(Number(value))) {
          expect(hexToNumber(hex, { signed })).toBe(viem.hexToNumber(hex, { signed }));
          expect(numberToHex(Number(value), { size, signed })).toBe(viem.numberToHex(Number(value), { size, signed }));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("toHex equals viem for bytes, strings, numbers, bigints and booleans", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.nat(),
        fc.bigInt({ min: 0n, max: 1n << 200n }),
        (s, b, n, big) => {
          expect(toHex(s)).toBe(viem.toHex(s));
          expect(toHex(s, { size: 200 })).toBe(viem.toHex(s, { size: 200 }));
          expect(toHex(b)).toBe(viem.toHex(b));
          expect(toHex(b, { size: 40 })).toBe(viem.toHex(b, { size: 40 }));
          expect(toHex(n)).toBe(viem.toHex(n));
          expect(toHex(big)).toBe(viem.toHex(big));
          expect(toHex(big, { size: 32 })).toBe(viem.toHex(big, { size: 32 }));
          expect(stringToBytes(s)).toEqual(viem.stringToBytes(s));
        },
      ),
      { numRuns: 300 },
    );
    for (const v of [true, false]) {
      expect(toHex(v)).toBe(viem.toHex(v));
      expect(toHex(v, { size: 32 })).toBe(viem.toHex(v, { size: 32 }));
    }
  });

  it("isHex agrees with viem's", () => {
    for (const v of ["0x", "0x0", "0xab", "0xAbC", "ab", "0X12", "0xg1", "", 12, null, "0x 1"]) expect(isHex(v)).toBe(viem.isHex(v));
  });
});

describe("hex primitives refuse bad input with typed errors", () => {
  const cases: Array<{ name: string; run: () => unknown; wantError: string }> = [
    { name: "odd length", run: () => hexToBytes("0xabc"), wantError: "HEX_INVALID" },
    { name: "non-hex digit", run: () => hexToBytes("0xzz"), wantError: "HEX_INVALID" },
    { name: "no prefix", run: () => hexToBytes("abcd" as Hex), wantError: "HEX_INVALID" },
    { name: "slice past the end", run: () => sliceHex("0x0102", 1, 3), wantError: "HEX_OUT_OF_BOUNDS" },
    { name: "slice start past the end", run: () => sliceHex("0x0102", 3), wantError: "HEX_OUT_OF_BOUNDS" },
    { name: "slice backwards", run: () => sliceHex("0x010203", 2, 1), wantError: "HEX_OUT_OF_BOUNDS" },
    { name: "negative slice", run: () => sliceHex("0x010203", -1), wantError: "HEX_OUT_OF_BOUNDS" },
    { name: "slice of odd hex", run: () => sliceHex("0x123", 0, 1), wantError: "HEX_INVALID" },
    { name: "too large for size", run: () => numberToHex(256, { size: 1 }), wantError: "HEX_NUMBER_RANGE" },
    { name: "negative unsigned", run: () => numberToHex(-1n), wantError: "HEX_NUMBER_RANGE" },
    { name: "unsafe number", run: () => numberToHex(2 ** 60), wantError: "HEX_NUMBER_RANGE" },
    { name: "fraction", run: () => numberToHex(1.5), wantError: "HEX_NUMBER_RANGE" },
    { name: "unsafe hexToNumber", run: () => hexToNumber("0x20000000000000"), wantError: "HEX_NUMBER_RANGE" },
    { name: "wider than size", run: () => hexToBigInt("0x010203", { size: 2 }), wantError: "HEX_NUMBER_RANGE" },
    { name: "hexToBigInt of text", run: () => hexToBigInt("0xnope" as Hex), wantError: "HEX_INVALID" },
  ];
  it.each(cases)("$name → $wantError", ({ run, wantError }) => expect(codeOf(run)).toBe(wantError));

  it("sliceHex takes whole-value and empty slices", () => {
    expect(sliceHex("0x010203", 0)).toBe("0x010203");
    expect(sliceHex("0x010203", 3)).toBe("0x");
    expect(sliceHex("0x010203", 1, 2)).toBe("0x02");
    expect(hexToBigInt("0x")).toBe(0n);
  });
});
