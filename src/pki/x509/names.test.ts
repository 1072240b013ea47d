import "reflect-metadata";
import { Name } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { readTlv } from "./der.ts";
import { oid, seq, set, tlv, utf8 } from "./derEncode.ts";
import { renderName } from "./names.ts";

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
