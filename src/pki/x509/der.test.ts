import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oid } from "./derEncode.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import {
  DER,
  checkBitString,
  decodeBoolean,
  decodeOid,
  readOid,
  readSingle,
  readSmallInteger,
  readTlv,
  childrenOf,
  childrenUpTo,
  contentStartAt,
  elementEndAt,
  type Tlv,
} from "./der.ts";
import { FIXTURES, fixtureBytes } from "../../../test/support/fixtures.ts";

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

/** Reads one top-level element the way the certificate parser reads a field of that tag. */
function decode(bytes: Uint8Array): unknown {
  const tlv = readSingle(bytes, bytes[0]!, "input");
  switch (tlv.tag) {
    case DER.OID:
      return readOid(tlv, "input");
    case DER.BOOLEAN:
      return decodeBoolean(tlv, "input");
    case DER.INTEGER:
      return readSmallInteger(tlv, "input");
    case DER.BIT_STRING:
      return checkBitString(tlv, "input").unused;
    case DER.SEQUENCE:
      return childrenUpTo(tlv, 1, "input").length;
    default:
      return tlv.value.length;
  }
}

function outcome(bytes: Uint8Array): { value: unknown } | { code: string; offset: number | undefined } {
  try {
    return { value: decode(bytes) };
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, offset: e.at?.offset };
  }
}

describe("the DER reader refuses BER and non-minimal encodings", () => {
  const rows: Array<{ name: string; input: string; wantError: string; wantOffset: number }> = [
    { name: "a length below 128 in the long form", input: "04 81 03 010203", wantError: "DER_LENGTH_NOT_MINIMAL", wantOffset: 0 },
    {
      name: "a long-form length with a leading zero octet",
      input: `04 82 0080 ${"00".repeat(128)}`,
      wantError: "DER_LENGTH_NOT_MINIMAL",
      wantOffset: 0,
    },
    { name: "an indefinite length (BER)", input: "30 80 020105 0000", wantError: "DER_LENGTH_NOT_MINIMAL", wantOffset: 0 },
    { name: "a non-minimal length inside a SEQUENCE", input: "30 05 02 81 01 05 00", wantError: "DER_LENGTH_NOT_MINIMAL", wantOffset: 2 },
    {
      name: "an OID arc padded with 0x80 (55 80 1d 13 is not 2.5.29.19)",
      input: "06 04 55801d13",
      wantError: "DER_OID_INVALID",
      wantOffset: 3,
    },
    { name: "an OID padded in its first subidentifier", input: "06 04 80551d13", wantError: "DER_OID_INVALID", wantOffset: 2 },
    { name: "an OID ending inside an arc", input: "06 03 551d93", wantError: "DER_OID_INVALID", wantOffset: 4 },
    { name: "an empty OID", input: "06 00", wantError: "DER_OID_INVALID", wantOffset: 2 },
    { name: "BOOLEAN 0x01", input: "01 01 01", wantError: "DER_BOOLEAN_INVALID", wantOffset: 2 },
    { name: "BOOLEAN of two octets", input: "01 02 00ff", wantError: "DER_BOOLEAN_INVALID", wantOffset: 2 },
    { name: "an empty BOOLEAN", input: "01 00", wantError: "DER_BOOLEAN_INVALID", wantOffset: 2 },
    { name: "an INTEGER with a redundant 0x00", input: "02 02 0005", wantError: "DER_INTEGER_NOT_MINIMAL", wantOffset: 2 },
    { name: "an INTEGER with a redundant 0xff", input: "02 02 ff80", wantError: "DER_INTEGER_NOT_MINIMAL", wantOffset: 2 },
    { name: "an empty INTEGER", input: "02 00", wantError: "DER_INTEGER_NOT_MINIMAL", wantOffset: 2 },
    { name: "a BIT STRING with 8 unused bits", input: "03 02 08 00", wantError: "DER_BIT_STRING_INVALID", wantOffset: 2 },
    { name: "an empty BIT STRING claiming unused bits", input: "03 01 03", wantError: "DER_BIT_STRING_INVALID", wantOffset: 2 },
    { name: "a BIT STRING with non-zero padding bits", input: "03 02 01 81", wantError: "DER_BIT_STRING_INVALID", wantOffset: 2 },
    { name: "a BIT STRING without its unused-bits octet", input: "03 00", wantError: "DER_BIT_STRING_INVALID", wantOffset: 2 },
    { name: "bytes after the top-level element", input: "04 01 aa 00", wantError: "DER_TRAILING_DATA", wantOffset: 3 },
    { name: "an element after the last field of a SEQUENCE", input: "30 05 020105 0500", wantError: "DER_TRAILING_DATA", wantOffset: 5 },
  ];
  for (const row of rows) {
    it(`refuses ${row.name}: ${row.wantError}`, () => {
      expect(outcome(hex(row.input))).toEqual({ code: row.wantError, offset: row.wantOffset });
    });
  }

  const valid: Array<{ name: string; input: string; want: unknown }> = [
    { name: "basicConstraints' OID", input: "06 03 551d13", want: "2.5.29.19" },
    { name: "an OID whose first subidentifier takes two octets (2.999.3)", input: "06 03 883703", want: "2.999.3" },
    {
      name: "a UUID OID with an arc beyond 2^53",
      input: Buffer.from(oid("2.25.242841461879471859265821855390472246125")).toString("hex"),
      want: "2.25.242841461879471859265821855390472246125",
    },
    { name: "BOOLEAN TRUE", input: "01 01 ff", want: true },
    { name: "BOOLEAN FALSE", input: "01 01 00", want: false },
    { name: "an INTEGER whose 0x00 keeps it positive", input: "02 02 0080", want: 128 },
    { name: "a length of 128 in the long form", input: `04 81 80 ${"00".repeat(128)}`, want: 128 },
    { name: "a BIT STRING with zero padding", input: "03 02 01 80", want: 1 },
  ];
  for (const row of valid) {
    it(`accepts ${row.name}`, () => {
      expect(outcome(hex(row.input))).toEqual({ value: row.want });
    });
  }

  it("encodes OIDs the way it decodes them, first subidentifier included", () => {
    expect(Buffer.from(oid("2.999.3")).toString("hex")).toBe("0603883703");
    expect(Buffer.from(oid("2.5.29.19")).toString("hex")).toBe("0603551d13");
  });

  it("decodes OIDs as the X.690 definition does, one-octet arcs (read by a shortcut) and long ones alike, on 5,000 random ones", () => {
    // The definition: base-128 arcs, the first packing 40·X + Y; BigInt throughout.
    const reference = (v: Uint8Array): string => {
      const arcs: bigint[] = [];
      let acc = 0n;
      for (const b of v) {
        acc = (acc << 7n) | BigInt(b & 0x7f);
        if ((b & 0x80) === 0) {
          arcs.push(acc);
          acc = 0n;
        }
      }
      const first = arcs[0]!;
      const x = first < 40n ? 0n : first < 80n ? 1n : 2n;
      return [x, first - 40n * x, ...arcs.slice(1)].join(".");
    };
    for (let i = 0; i < 5000; i++) {
      const long = i % 2 === 1;
      const v = Uint8Array.from({ length: 1 + Math.floor(Math.random() * 12) }, () => Math.floor(Math.random() * (long ? 256 : 128)));
      v[v.length - 1]! &= 0x7f; // ends an arc
      for (let j = 0; j < v.length; j++) if (v[j] === 0x80 && (j === 0 || (v[j - 1]! & 0x80) === 0)) v[j] = 0x81; // no padded arc
      expect(decodeOid(v)).toBe(reference(v));
    }
    for (const dotted of ["2.25.329800735698586629295641978511506172918", "1.2.9007199254740993.5", "2.999.3", "0.0"])
      expect(decodeOid(oid(dotted).subarray(2))).toBe(dotted);
  });

  it("reads every three-octet OID, the id-ce ones (55 1d x) from a table, as it decodes them", () => {
    for (let a = 0; a < 256; a += 0x2a) {
      for (let b = 0; b < 0x80; b++) {
        for (const x of [0, 1, 0x13, 0x1f, 0x7f]) {
          const element = Uint8Array.of(DER.OID, 3, a === 0 ? 0x55 : a, a === 0 ? 0x1d : b, x);
          expect(readOid(readTlv(element, 0, "oid"), "oid")).toBe(decodeOid(element.subarray(2)));
        }
      }
    }
    expect(readOid(readTlv(hex("06 03 55 1d 13"), 0, "oid"), "oid")).toBe("2.5.29.19");
    // 55 1d 81 is not a whole OID (it ends inside an arc): refused, not looked up.
    expect(() => readOid(readTlv(hex("06 03 55 1d 81"), 0, "oid"), "oid")).toThrow(/ends inside an arc/);
  });

  it("refuses a named-bit list (keyUsage) with trailing zero bits, which a plain BIT STRING may have", () => {
    const tlv = readSingle(hex("03 02 00 80"), DER.BIT_STRING, "keyUsage");
    expect(checkBitString(tlv, "keyUsage").unused).toBe(0);
    expect(outcome(hex("03 02 00 80"))).toEqual({ value: 0 });
    let code: string | undefined;
    try {
      checkBitString(tlv, "keyUsage", true);
    } catch (e) {
      code = isKeepledgerError(e) ? e.code : undefined;
    }
    expect(code).toBe("DER_BIT_STRING_INVALID");
  });
});

/** Every element of a tree, depth first: tag, where it is, and its bytes. */
type Node = { tag: number; offset: number; valueOffset: number; size: number; raw: string; value: string; children?: Node[] };

/** The tree as the reader reads it: children in place, views made on demand. */
function inPlace(t: Tlv): Node {
  const node: Node = {
    tag: t.tag,
    offset: t.offset,
    valueOffset: t.valueOffset,
    size: t.size,
    raw: Buffer.from(t.raw).toString("hex"),
    value: Buffer.from(t.value).toString("hex"),
  };
  if ((t.tag & 0x20) !== 0) node.children = childrenOf(t, "tree").map(inPlace);
  return node;
}

/** The same tree read the way it was before: each element's contents copied out, its children read from the copy. */
function fromCopies(t: Tlv): Node {
  const value = Uint8Array.from(t.value);
  const node: Node = {
    tag: t.tag,
    offset: t.offset,
    valueOffset: t.valueOffset,
    size: t.raw.length,
    raw: Buffer.from(t.raw).toString("hex"),
    value: Buffer.from(value).toString("hex"),
  };
  if ((t.tag & 0x20) !== 0) {
    // All of an element's children first, then each one's own (the order childrenOf reads them in).
    const children: Tlv[] = [];
    for (let o = 0; o < value.length; ) {
      const child = readTlv(value, o, "tree", t.valueOffset);
      children.push(child);
      o += child.raw.length;
    }
    node.children = children.map(fromCopies);
  }
  return node;
}

/**
 * Every element header in `der` as elementEndAt and contentStartAt read it, walking into constructed elements,
 * against readTlv at the same place with the same end: the same acceptance, end and contents start. Returns how
 * many headers were compared.
 */
function headersAgree(der: Uint8Array, o = 0, end = der.length): number {
  let compared = 0;
  while (o < end) {
    const at = elementEndAt(der, o, end);
    let tlv: Tlv | undefined;
    try {
      tlv = readTlv(der.subarray(0, end), o, "header");
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
    }
    compared++;
    expect(at, `header at ${o}`).toBe(tlv === undefined ? -1 : o + tlv.size);
    if (tlv === undefined) return compared;
    expect(contentStartAt(der, o)).toBe(o + tlv.headerLength);
    if ((tlv.tag & 0x20) !== 0) compared += headersAgree(der, o + tlv.headerLength, at);
    o = at;
  }
  return compared;
}

function read(der: Uint8Array, how: (t: Tlv) => Node): Node | { code: string; offset: number | undefined } {
  try {
    return how(readSingle(der, der[0]!, "tree"));
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, offset: e.at?.offset };
  }
}

function derFixtures(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return derFixtures(path);
    return name.endsWith(".der") ? [path] : [];
  });
}

describe("DER elements read in place", () => {
  const files = derFixtures();

  /** One of the first 12 DER fixtures with 1–3 bytes changed, and up to 3 bytes cut off its end. */
  const corrupted = (): fc.Arbitrary<Uint8Array> =>
    fc
      .tuple(
        fc.constantFrom(...files.slice(0, 12).map((path) => fixtureBytes(path.slice(FIXTURES.length)))),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.nat(),
      )
      .map(([der, flips, cut]) => {
        const bytes = Uint8Array.from(der);
        for (const [at, x] of flips) bytes[at % bytes.length]! ^= x;
        return bytes.subarray(0, bytes.length - (cut % 4));
      });

  it("are the elements read out of copies of their parents' contents, on every DER fixture", () => {
    expect(files.length).toBeGreaterThan(20);
    for (const path of files) {
      const der = fixtureBytes(path.slice(FIXTURES.length));
      expect(read(der, inPlace), path).toEqual(read(der, fromCopies));
    }
  });

  it("are refused where the copies are, with the same code and offset, on 2,000 corrupted DER fixtures", () => {
    fc.assert(
      fc.property(corrupted(), (input) => {
        expect(read(input, inPlace)).toEqual(read(input, fromCopies));
      }),
      { numRuns: 2000 },
    );
  });

  it("have their headers read without objects (elementEndAt) exactly as readTlv reads them, whole and corrupted", () => {
    let compared = 0;
    for (const path of files) compared += headersAgree(fixtureBytes(path.slice(FIXTURES.length)));
    expect(compared).toBeGreaterThan(1000);
    fc.assert(
      fc.property(corrupted(), (input) => {
        headersAgree(input);
      }),
      { numRuns: 2000 },
    );
    // The long forms readTlv refuses, each refused here too.
    for (const h of ["0480", "04850100000001", "0481050102030405", "048200050102030405", "1f0100", "0404010203", "30"])
      expect(elementEndAt(hex(h), 0, hex(h).length)).toBe(-1);
    expect(elementEndAt(hex(`0481 80 ${"00".repeat(128)}`), 0, 131)).toBe(131);
    expect(contentStartAt(hex(`0481 80 ${"00".repeat(128)}`), 0)).toBe(3);
  });
});
