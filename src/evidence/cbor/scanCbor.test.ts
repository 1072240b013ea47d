import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { decodeCbor } from "./decodeCbor.ts";
import { scanCbor } from "./scanCbor.ts";

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

function errorOf(fn: () => unknown): { code: string; message: string; offset: number | undefined } | undefined {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, message: e.message, offset: e.at?.offset };
  }
  return undefined;
}

const signed = { field: "payload", allowIndefiniteContainers: true };
const envelope = { field: "envelope", allowIndefiniteContainers: false };

describe("scanCbor", () => {
  it("accepts the CBOR a Nitro document is made of", () => {
    const ok = [
      "00",
      "17",
      "1818",
      "190100",
      "1a00010000",
      "1b0000000100000000", // unsigned, shortest forms
      "20",
      "3818", // negative
      "40",
      "4401020304",
      "60",
      "6453484133", // byte and text strings
      "80",
      "83010203",
      "a0",
      "a2016161026162", // arrays and maps
      "f4",
      "f5",
      "f6", // false, true, null
      "bf6161f6ff",
      "9f0102ff", // indefinite map and array, where signed bytes allow them
      "a1 69 6d6f64756c655f6964 61 78", // {"module_id": "x"}
      "81".repeat(8) + "00", // 8 nested containers: the limit
    ];
    for (const h of ok)
      expect(
        errorOf(() => scanCbor(hex(h), 0, signed)),
        h,
      ).toBeUndefined();
  });

  const table: Array<{ name: string; input: string; options?: typeof signed; wantError: string; offset?: number }> = [
    { name: "empty input", input: "", wantError: "EVIDENCE_TRUNCATED", offset: 0 },
    { name: "one-byte argument that fits the head", input: "1817", wantError: "NITRO_CBOR_NON_CANONICAL", offset: 0 },
    { name: "two-byte argument under 256", input: "1900ff", wantError: "NITRO_CBOR_NON_CANONICAL" },
    { name: "four-byte argument under 65536", input: "1a0000ffff", wantError: "NITRO_CBOR_NON_CANONICAL" },
    { name: "eight-byte argument under 2^32", input: "1b00000000ffffffff", wantError: "NITRO_CBOR_NON_CANONICAL" },
    { name: "long-form string length", input: "5801ff", wantError: "NITRO_CBOR_NON_CANONICAL" },
    { name: "reserved additional information", input: "1c", wantError: "NITRO_CBOR_MALFORMED" },
    { name: "indefinite integer", input: "1f", wantError: "NITRO_CBOR_MALFORMED" },
    { name: "stray break", input: "ff", wantError: "NITRO_CBOR_MALFORMED" },
    { name: "break in a definite array", input: "82 01 ff", wantError: "NITRO_CBOR_MALFORMED", offset: 2 },
    { name: "break between key and value", input: "bf 01 ff", wantError: "NITRO_CBOR_MALFORMED", offset: 2 },
    { name: "chunked byte string", input: "5f 4101 ff", wantError: "NITRO_CBOR_INDEFINITE_LENGTH" },
    { name: "chunked text string", input: "7f 6161 ff", wantError: "NITRO_CBOR_INDEFINITE_LENGTH" },
    { name: "indefinite map outside signed bytes", input: "bfff", options: envelope, wantError: "NITRO_CBOR_INDEFINITE_LENGTH" },
    { name: "indefinite array outside signed bytes", input: "9fff", options: envelope, wantError: "NITRO_CBOR_INDEFINITE_LENGTH" },
    { name: "indefinite map without break", input: "bf 01 02", wantError: "EVIDENCE_TRUNCATED" },
    { name: "string longer than the input", input: "5a00010000 00", wantError: "EVIDENCE_TRUNCATED" },
    { name: "array count beyond the input", input: "9a00010000", wantError: "EVIDENCE_TRUNCATED" },
    { name: "64-bit string length", input: "5bffffffffffffffff", wantError: "EVIDENCE_TRUNCATED" },
    { name: "truncated head argument", input: "19 01", wantError: "EVIDENCE_TRUNCATED" },
    { name: "trailing bytes", input: "01 02", wantError: "EVIDENCE_TRAILING_BYTES", offset: 1 },
    { name: "invalid UTF-8", input: "62 c328", wantError: "NITRO_CBOR_MALFORMED" },
    { name: "UTF-16 surrogate in UTF-8", input: "63 eda080", wantError: "NITRO_CBOR_MALFORMED" },
    { name: "tag 18 inside", input: "d2 80", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "cbor-x generic object (tag 27)", input: "d81b 82 65 4572726f72 61 78", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "cbor-x shared reference (tag 28)", input: "d81c 80", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "cbor-x record definition (tag 105)", input: "d869 80", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "big integer (tag 2)", input: "c2 4101", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "half float", input: "f93c00", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "double float", input: "fb3ff0000000000000", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "undefined", input: "f7", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "unassigned simple value", input: "f0", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "byte string map key", input: "a1 4101 01", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "array map key", input: "a1 80 01", wantError: "NITRO_CBOR_UNSUPPORTED" },
    { name: "duplicate integer key", input: "a2 01 01 01 02", wantError: "NITRO_CBOR_DUPLICATE_KEY", offset: 3 },
    { name: "duplicate text key", input: "a2 6161 01 6161 02", wantError: "NITRO_CBOR_DUPLICATE_KEY" },
    { name: "duplicate key in an indefinite map", input: "bf 6161 01 6161 02 ff", wantError: "NITRO_CBOR_DUPLICATE_KEY" },
    { name: "duplicate key in a nested map", input: "a1 01 a2 00 40 00 40", wantError: "NITRO_CBOR_DUPLICATE_KEY" },
    { name: "nesting past the limit (9 containers)", input: "81".repeat(9) + "00", wantError: "NITRO_CBOR_TOO_DEEP", offset: 8 },
  ];

  for (const row of table) {
    it(`rejects ${row.name}`, () => {
      const e = errorOf(() => scanCbor(hex(row.input), 0, row.options ?? signed));
      expect(e?.code).toBe(row.wantError);
      if (row.offset !== undefined) expect(e?.offset).toBe(row.offset);
    });
  }

  it('tells 1 and -1 and "1" apart as keys, and allows equal values under different keys', () => {
    expect(errorOf(() => scanCbor(hex("a3 01 00 20 00 6131 00"), 0, signed))).toBeUndefined();
  });

  it("reports absolute offsets and the region in its messages", () => {
    const e = errorOf(() => scanCbor(hex("a2 01 01 01 02"), 100, signed));
    expect(e).toEqual({
      code: "NITRO_CBOR_DUPLICATE_KEY",
      message: "duplicate CBOR map key in payload (payload at offset 103)",
      offset: 103,
    });
    expect(errorOf(() => scanCbor(hex("1817"), 7, envelope))?.message).toBe(
      "CBOR argument 23 in envelope is not in its shortest form (envelope at offset 7)",
    );
  });

  it("survives nesting far deeper than the stack would (fails typed, not with a RangeError)", () => {
    const deep = hex("81".repeat(100_000) + "00");
    expect(errorOf(() => scanCbor(deep, 0, signed))?.code).toBe("NITRO_CBOR_TOO_DEEP");
  });
});

describe("decodeCbor", () => {
  it("yields Maps with integer keys, copied bytes and bigints for 64-bit integers", () => {
    const input = hex("a3 01 4401020304 02 1b0000019b55a68bd2 6161 f6");
    const v = decodeCbor(input, 0, signed) as Map<unknown, unknown>;
    expect(v).toBeInstanceOf(Map);
    const bytes = v.get(1) as Uint8Array;
    expect([...bytes]).toEqual([1, 2, 3, 4]);
    input[3] = 0xff;
    expect(bytes[1]).toBe(2); // a copy, not a view into the input
    expect(v.get(2)).toBe(0x19b55a68bd2n);
    expect(v.get("a")).toBeNull();
  });

  it("never hands cbor-x a tag, so its tag extensions cannot run", () => {
    // tag 27 would make cbor-x call a global constructor named by the input
    expect(errorOf(() => decodeCbor(hex("d81b 82 66 526567457870 62 2e2a"), 0, signed))?.code).toBe("NITRO_CBOR_UNSUPPORTED");
  });
});
