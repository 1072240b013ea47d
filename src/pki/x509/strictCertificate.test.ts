import { beforeAll, describe, expect, it } from "vitest";
import { explicit, integer, oid, seq, tlv } from "./derEncode.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import {
  ECDSA_SHA256,
  asTrustedRoot,
  createRoot,
  issueRaw,
  rawExtension,
  type RawCertificateParts,
  type TestCa,
} from "../../../test/support/testPki.ts";
import { parseCertificate } from "./certificate.ts";
import { verifyCertificateChain } from "./verifyCertificateChain.ts";

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const ascii = (tag: number, s: string): Uint8Array => tlv(tag, new Uint8Array(Buffer.from(s, "latin1")));
const TRUE = hex("0101ff");
const BASIC_CONSTRAINTS = oid("2.5.29.19");
const KEY_USAGE = oid("2.5.29.15");
const eeBasicConstraints = rawExtension(BASIC_CONSTRAINTS, TRUE, seq());
const AT = new Date("2025-07-01T00:00:00Z");

function codeOf(der: Uint8Array): string {
  try {
    const cert = parseCertificate(der);
    verifyCertificateChain({ name: "chain", chain: [cert], roots: [asTrustedRoot(root)], at: AT });
    return "ok";
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
}

let root: TestCa;
beforeAll(async () => {
  root = await createRoot("Strict DER Root");
});

describe("certificates from the test signer with one non-DER field", () => {
  const rows: Array<{ name: string; parts?: RawCertificateParts; edit?: (der: Uint8Array) => Uint8Array; wantError: string }> = [
    { name: "an element after signatureValue", parts: { trailing: hex("0500") }, wantError: "DER_TRAILING_DATA" },
    { name: "a byte after the certificate", edit: (der) => Uint8Array.of(...der, 0x00), wantError: "DER_TRAILING_DATA" },
    { name: "an element after the extensions in the TBS", parts: { tbsTrailing: hex("0500") }, wantError: "DER_TRAILING_DATA" },
    {
      name: "critical as BOOLEAN 0x01",
      parts: { extensions: [rawExtension(BASIC_CONSTRAINTS, hex("010101"), seq())] },
      wantError: "DER_BOOLEAN_INVALID",
    },
    {
      name: "critical FALSE encoded (it is the DEFAULT)",
      parts: { extensions: [rawExtension(BASIC_CONSTRAINTS, hex("010100"), seq())] },
      wantError: "DER_DEFAULT_ENCODED",
    },
    {
      name: "cA FALSE encoded (it is the DEFAULT)",
      parts: { extensions: [rawExtension(BASIC_CONSTRAINTS, TRUE, hex("3003010100"))] },
      wantError: "DER_DEFAULT_ENCODED",
    },
    {
      name: "basicConstraints' OID spelt 55 80 1d 13",
      parts: { extensions: [rawExtension(hex("060455801d13"), TRUE, hex("30030101ff"))] },
      wantError: "DER_OID_INVALID",
    },
    {
      name: "an extension value with a long-form length below 128",
      parts: { extensions: [seq(BASIC_CONSTRAINTS, TRUE, hex("04 81 02 3000"))] },
      wantError: "DER_LENGTH_NOT_MINIMAL",
    },
    { name: "a serial number with a redundant 0x00", parts: { serial: hex("020300 1234") }, wantError: "DER_INTEGER_NOT_MINIMAL" },
    {
      name: "a pathLenConstraint with a redundant 0x00",
      parts: { extensions: [rawExtension(BASIC_CONSTRAINTS, TRUE, hex("30070101ff02020001"))] },
      wantError: "DER_INTEGER_NOT_MINIMAL",
    },
    {
      name: "a pathLenConstraint without cA",
      parts: { extensions: [rawExtension(BASIC_CONSTRAINTS, TRUE, hex("3003020100"))] },
      wantError: "CERT_MALFORMED",
    },
    {
      name: "keyUsage with trailing zero bits (03 02 00 80)",
      parts: { extensions: [eeBasicConstraints, rawExtension(KEY_USAGE, TRUE, hex("03020080"))] },
      wantError: "DER_BIT_STRING_INVALID",
    },
    {
      name: "keyUsage with non-zero padding bits",
      parts: { extensions: [eeBasicConstraints, rawExtension(KEY_USAGE, TRUE, hex("03020781"))] },
      wantError: "DER_BIT_STRING_INVALID",
    },
    {
      name: "keyUsage with no bit set",
      parts: { extensions: [eeBasicConstraints, rawExtension(KEY_USAGE, TRUE, hex("030100"))] },
      wantError: "CERT_MALFORMED",
    },
    {
      name: "version v1 encoded (it is the DEFAULT)",
      parts: { version: explicit(0, integer(0)), extensions: [] },
      wantError: "DER_DEFAULT_ENCODED",
    },
    { name: "a v1 certificate with extensions", parts: { version: null }, wantError: "CERT_VERSION_INVALID" },
    { name: "a v2 certificate with extensions", parts: { version: explicit(0, integer(1)) }, wantError: "CERT_VERSION_INVALID" },
    { name: "version 4", parts: { version: explicit(0, integer(3)) }, wantError: "CERT_VERSION_INVALID" },
    { name: "an empty extensions list", parts: { tbsTrailing: explicit(3, seq()), extensions: [] }, wantError: "CERT_MALFORMED" },
    { name: "a UTCTime without seconds", parts: { notBefore: ascii(0x17, "2001010000Z") }, wantError: "CERT_TIME_INVALID" },
    {
      name: "a UTCTime with an offset instead of Z",
      parts: { notBefore: ascii(0x17, "200101000000+0100") },
      wantError: "CERT_TIME_INVALID",
    },
    { name: "a GeneralizedTime before 2050", parts: { notAfter: ascii(0x18, "20450101000000Z") }, wantError: "CERT_TIME_INVALID" },
    {
      name: "a GeneralizedTime with fractional seconds",
      parts: { notAfter: ascii(0x18, "20500101000000.5Z") },
      wantError: "CERT_TIME_INVALID",
    },
    { name: "a GeneralizedTime without Z", parts: { notAfter: ascii(0x18, "20500101000000") }, wantError: "CERT_TIME_INVALID" },
  ];
  for (const row of rows) {
    it(`refuses ${row.name}: ${row.wantError}`, async () => {
      const der = await issueRaw(root, "Strict DER Leaf", row.parts ?? {});
      expect(codeOf(row.edit ? row.edit(der) : der)).toBe(row.wantError);
    });
  }

  it("accepts the same certificate built without a malformed field, and a GeneralizedTime from 2050", async () => {
    expect(codeOf(await issueRaw(root, "Strict DER Leaf"))).toBe("ok");
    expect(codeOf(await issueRaw(root, "Strict DER Leaf", { notAfter: ascii(0x18, "20500101000000Z") }))).toBe("ok");
  });

  it("accepts AMD's ASK keyUsage encoding 03 02 01 04 (the one documented exception), and no other trailing zero bit", async () => {
    const amd = await issueRaw(root, "AMD-like", { extensions: [eeBasicConstraints, rawExtension(KEY_USAGE, TRUE, hex("03020104"))] });
    expect(parseCertificate(amd).keyUsage).toBe(32); // keyCertSign
    const other = await issueRaw(root, "Not AMD", { extensions: [eeBasicConstraints, rawExtension(KEY_USAGE, TRUE, hex("03020040"))] });
    expect(codeOf(other)).toBe("DER_BIT_STRING_INVALID");
  });

  it("names the field and the offset of the malformed element", async () => {
    const der = await issueRaw(root, "Strict DER Leaf", { extensions: [rawExtension(hex("060455801d13"), TRUE, hex("30030101ff"))] });
    let error: unknown;
    try {
      parseCertificate(der, "PCK certificate");
    } catch (e) {
      error = e;
    }
    expect(isKeepledgerError(error)).toBe(true);
    const e = error as { at: { field: string; offset: number }; shortMessage: string };
    expect(e.at.field).toBe("PCK certificate.extension");
    // The 0x80 octet of 55 80 1d 13, counted from the start of the certificate.
    expect(der[e.at.offset]).toBe(0x80);
    expect(der[e.at.offset - 1]).toBe(0x55);
    expect(e.shortMessage).toBe("malformed DER in PCK certificate.extension: OID arc with a leading 0x80 octet (not minimal)");
  });

  it("signs what it builds: the baseline certificate verifies against its root", async () => {
    const cert = parseCertificate(await issueRaw(root, "Strict DER Leaf"));
    expect(cert.signatureAlgorithm).toEqual({ kind: "ecdsa", hash: "sha256" });
    expect(Buffer.from(ECDSA_SHA256).toString("hex")).toBe("300a06082a8648ce3d040302");
    const chain = verifyCertificateChain({ name: "chain", chain: [cert], roots: [asTrustedRoot(root)], at: AT });
    expect(chain.certificates).toHaveLength(2);
  });
});
