import "reflect-metadata";
import { Name } from "@peculiar/x509";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readTlv } from "./der.ts";
import { oid, seq, set, tlv, utf8 } from "./derEncode.ts";
import { commonName, parseTime, renderName } from "./names.ts";

const printable = (s: string): Uint8Array => tlv(0x13, new Uint8Array(Buffer.from(s, "latin1")));
const ia5 = (s: string): Uint8Array => tlv(0x16, new Uint8Array(Buffer.from(s, "latin1")));
const atv = (type: string, value: Uint8Array): Uint8Array => seq(oid(type), value);

/** Names whose rendering has edges: escapes, multi-valued RDNs, types without a short name, non-string values. */
const NAMES: Array<[string, Uint8Array]> = [
  [
    "a vendor CA",
    seq(
      set(atv("2.5.4.3", utf8("Intel SGX PCK Platform CA"))),
      set(atv("2.5.4.10", utf8("Intel Corporation"))),
      set(atv("2.5.4.6", printable("US"))),
    ),
  ],
  ["specials to escape", seq(set(atv("2.5.4.3", utf8('a,b+c"d<e>f;g=h\\i'))))],
  ["a leading '#' and a trailing space", seq(set(atv("2.5.4.3", utf8("#tag "))), set(atv("2.5.4.11", utf8(" lead"))))],
  ["a multi-valued RDN", seq(set(atv("2.5.4.3", utf8("one")), atv("2.5.4.5", printable("42"))))],
  [
    "types named outside id-at and unnamed ones",
    seq(
      set(atv("1.2.840.113549.1.9.1", ia5("ca@example.com"))),
      set(atv("0.9.2342.19200300.100.1.25", ia5("example"))),
      set(atv("2.5.4.97", utf8("VATDE-123"))),
      set(atv("1.3.6.1.4.1.311.60.2.1.3", printable("DE"))),
    ),
  ],
  ["a non-string value", seq(set(atv("2.5.4.3", tlv(0x02, Uint8Array.of(0x01, 0x02)))))],
];

describe("renderName", () => {
  it.each(NAMES.filter((_, i) => i !== 1 && i !== 3))("renders %s as @peculiar/x509 does", (_, der) => {
    expect(renderName(readTlv(der, 0, "name"), "name")).toBe(new Name(der).toString());
  });

  // Where keepledger's text differs from @peculiar/x509's (names compare as keepledger renders them, on both sides).
  it("escapes '=' too (RFC 4514 allows it) and names 2.5.4.5 serialNumber", () => {
    const render = (der: Uint8Array): string => renderName(readTlv(der, 0, "name"), "name");
    expect(render(NAMES[1]![1])).toBe('CN=a\\,b\\+c\\"d\\<e\\>f\\;g\\=h\\\\i');
    expect(render(NAMES[3]![1])).toBe("CN=one+serialNumber=42");
  });

  it("escapes a lone space once", () => {
    expect(renderName(readTlv(seq(set(atv("2.5.4.3", utf8(" ")))), 0, "name"), "name")).toBe("CN=\\ ");
    expect(renderName(readTlv(seq(set(atv("2.5.4.3", utf8("  a  ")))), 0, "name"), "name")).toBe("CN=\\  a \\ ");
  });

  it("refuses an attribute without a value, naming its type", () => {
    const der = seq(set(seq(oid("2.5.4.3"))));
    expect(() => renderName(readTlv(der, 0, "name"), "name")).toThrow("name: attribute 2.5.4.3 has no value");
  });

  it("refuses a padded OID arc even where the short names are looked up without decoding", () => {
    const der = seq(set(seq(tlv(0x06, Uint8Array.of(0x55, 0x80, 0x04)), utf8("x"))));
    expect(() => renderName(readTlv(der, 0, "name"), "name")).toThrow(/leading 0x80/);
  });
});

/** The definition parseTime is read against: RFC 5280's two forms as regular expressions over the text. */
function timeByDefinition(tag: number, text: string, allowGeneralizedTimeBefore2050: boolean): number | "invalid" {
  let m: RegExpExecArray | null;
  let year: number;
  if (tag === 0x17) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) return "invalid";
    year = Number(m[1]) < 50 ? 2000 + Number(m[1]) : 1900 + Number(m[1]);
  } else if (tag === 0x18) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) return "invalid";
    year = Number(m[1]);
    if (year < 2050 && !allowGeneralizedTimeBefore2050) return "invalid";
  } else {
    return "invalid";
  }
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return "invalid";
  return d.getTime();
}

function timeRead(tag: number, text: string, allow: boolean): number | "invalid" {
  try {
    return parseTime(readTlv(tlv(tag, new Uint8Array(Buffer.from(text, "latin1"))), 0, "time"), "time", allow).getTime();
  } catch (e) {
    expect((e as { code?: string }).code).toBe("CERT_TIME_INVALID");
    return "invalid";
  }
}

describe("parseTime", () => {
  it("reads UTCTime and GeneralizedTime as RFC 5280's forms define them, on 20,000 near-valid and mangled times", () => {
    const digit = fc.constantFrom(..."0123456789");
    const near = fc.oneof(digit, fc.constantFrom("Z", " ", "+", "-", ".", "a", "\u0660", "\u00b2", "/", ":"));
    const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, "0"));
    // Field by field, each range one past its valid values at both ends: mostly valid dates, and every edge.
    const fields = fc
      .tuple(fc.integer({ min: 1949, max: 2101 }), fc.boolean(), two(0, 13), two(0, 32), two(0, 24), two(0, 60), two(0, 60))
      .map(([y, short, ...rest]) => `${short ? String(y % 100).padStart(2, "0") : y}${rest.join("")}Z`);
    // A field-by-field time with one character swapped for a non-digit neighbour (":" and "/" border "0"–"9").
    const swapped = fc
      .tuple(fields, fc.nat(), fc.constantFrom(":", "/", " ", "a", "Z", "\u0660"))
      .map(([t, at, c]) => `${t.slice(0, at % t.length)}${c}${t.slice((at % t.length) + 1)}`);
    const text = fc.oneof(
      fields,
      swapped,
      fc.array(digit, { minLength: 12, maxLength: 14 }).map((d) => `${d.join("")}Z`),
      fc.array(near, { minLength: 10, maxLength: 16 }).map((d) => d.join("")),
      fc.constantFrom(
        "491231235959Z",
        "500101000000Z",
        "20500101000000Z",
        "20491231235959Z",
        "240229120000Z",
        "230229120000Z",
        "991231246000Z",
      ),
    );
    let valid = 0;
    fc.assert(
      fc.property(fc.constantFrom(0x17, 0x18, 0x0c), text, fc.boolean(), (tag, t, allow) => {
        const want = timeByDefinition(tag, t, allow);
        if (want !== "invalid") valid++;
        expect(timeRead(tag, t, allow)).toEqual(want);
      }),
      { numRuns: 20000 },
    );
    expect(valid).toBeGreaterThan(1000);
  });
});

describe("parseTime's messages", () => {
  const read =
    (tag: number, text: string, allow = false) =>
    () =>
      parseTime(readTlv(tlv(tag, new Uint8Array(Buffer.from(text, "latin1"))), 0, "time"), "time", allow);
  it("name a GeneralizedTime before 2050 only where that is what refuses it", () => {
    expect(read(0x18, "20450101000000Z")).toThrow("time is a GeneralizedTime before 2050 (RFC 5280 wants UTCTime there)");
    // Before 2050 and an impossible month: the year is read first, as RFC 5280's rule is about the form.
    expect(read(0x18, "20451301000000Z")).toThrow("time is a GeneralizedTime before 2050");
    // Allowed before 2050, so the impossible month is what is wrong.
    expect(read(0x18, "20451301000000Z", true)).toThrow(/^time is not a valid time( \(|$)/);
    expect(read(0x18, "2045010100000Z")).toThrow(/^time is not a valid time( \(|$)/);
    expect(read(0x17, "451301000000Z")).toThrow(/^time is not a valid time( \(|$)/);
    expect(() => parseTime(undefined, "time")).toThrow(/^time is missing( \(|$)/);
  });
});

describe("commonName", () => {
  /** The pattern alone, as commonName read every name before its fast path. */
  const byPattern = (name: string): string => {
    const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(name);
    return m ? m[1]!.replace(/\\,/g, ",").trim() : "";
  };

  it("reads Intel's, AMD's and escaped names", () => {
    expect(commonName("CN=Intel SGX PCK Certificate, O=Intel Corporation, L=Santa Clara, ST=CA, C=US")).toBe("Intel SGX PCK Certificate");
    expect(commonName("CN=SEV-Milan")).toBe("SEV-Milan");
    expect(commonName("O=AMD, CN=ARK-Milan ")).toBe("ARK-Milan");
    expect(commonName("CN=a\\, b, O=x")).toBe("a, b");
    expect(commonName("CN=, O=x, CN=second")).toBe("second");
    expect(commonName("O=x")).toBe("");
    expect(commonName("CN=")).toBe("");
  });

  it("answers as the pattern does for any name", () => {
    const part = fc.stringMatching(/^[A-Za-z =,\\.-]{0,12}$/);
    const name = fc
      .array(fc.oneof(part, fc.constant("CN="), fc.constant(", "), fc.constant("\\,")), { maxLength: 6 })
      .map((a) => a.join(""));
    fc.assert(
      fc.property(name, (n) => {
        expect(commonName(n)).toBe(byPattern(n));
      }),
      { numRuns: 5000 },
    );
  });
});
