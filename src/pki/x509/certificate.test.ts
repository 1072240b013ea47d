import "reflect-metadata";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate, X509Crl, BasicConstraintsExtension, KeyUsagesExtension } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../../test/support/fixtures.ts";
import { createCrl, createRoot, issue } from "../../../test/support/testPki.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import {
  normalizeSerial,
  parseCertificate,
  parseCrl,
  parsePemCertificates,
  revokedSerialsByElement,
  revokedSerialsInPlace,
  serialOf,
} from "./certificate.ts";
import { DER, childrenOf, readTlv, type Tlv } from "./der.ts";
import { renderNameByElement, renderNameInPlace } from "./names.ts";
import fc from "fast-check";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Every real certificate and CRL the project carries. */
function realCertificatesAndCrls(): { certs: Uint8Array[]; crls: Uint8Array[] } {
  const certs: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  for (const f of files(FIXTURES)) {
    if (f.endsWith(".pem")) for (const c of parsePemCertificates(readFileSync(f, "utf8"))) certs.push(c.der);
    // (enarx_csr.der is a certificate signing request and gpu-ocsp-*.der are OCSP responses, not certificates.)
    if (f.endsWith(".der") && !f.endsWith("_csr.der") && !/ocsp/.test(f))
      (/crl/.test(f) ? crls : certs).push(new Uint8Array(readFileSync(f)));
  }
  return { certs, crls };
}

describe("the DER certificate parser agrees with @peculiar/x509", () => {
  const { certs, crls } = realCertificatesAndCrls();

  it(`on every real certificate (${certs.length}) and CRL (${crls.length}) in the fixtures`, () => {
    expect(certs.length).toBeGreaterThan(30);
    expect(crls.length).toBeGreaterThanOrEqual(5);
    for (const der of certs) {
      const ours = parseCertificate(der);
      const theirs = new X509Certificate(der);
      expect(ours.subject).toBe(theirs.subject);
      expect(ours.issuer).toBe(theirs.issuer);
      expect(ours.serial).toBe(normalizeSerial(theirs.serialNumber));
      expect(ours.notBefore.getTime()).toBe(theirs.notBefore.getTime());
      expect(ours.notAfter.getTime()).toBe(theirs.notAfter.getTime());
      expect(Buffer.from(ours.spki).equals(Buffer.from(theirs.publicKey.rawData))).toBe(true);
      expect(ours.isCa).toBe(theirs.getExtension(BasicConstraintsExtension)?.ca === true);
      expect(ours.keyUsage).toBe(theirs.getExtension(KeyUsagesExtension)?.usages ?? null);
      expect(ours.extensions.map((e) => e.oid)).toEqual(theirs.extensions.map((e) => e.type));
      for (const [i, e] of ours.extensions.entries())
        expect(Buffer.from(e.value).equals(Buffer.from(theirs.extensions[i]!.value))).toBe(true);
    }
    for (const der of crls) {
      const ours = parseCrl(der);
      const theirs = new X509Crl(der);
      expect(ours.issuer).toBe(theirs.issuer);
      expect(ours.thisUpdate.getTime()).toBe(theirs.thisUpdate.getTime());
      expect(ours.nextUpdate?.getTime()).toBe(theirs.nextUpdate?.getTime());
      expect([...ours.revokedSerials].sort()).toEqual(theirs.entries.map((e) => normalizeSerial(e.serialNumber)).sort());
      // The crlExtensions (the cRLNumber the collateral floor compares comes from them) byte for byte.
      expect(ours.extensions.map((e) => [e.oid, e.critical, Buffer.from(e.value).toString("hex")])).toEqual(
        theirs.extensions.map((e) => [e.type, e.critical, Buffer.from(e.value).toString("hex")]),
      );
    }
    expect(crls.some((der) => parseCrl(der).extensions.some((e) => e.oid === "2.5.29.20"))).toBe(true);
  });

  it("on chains and CRLs from the test signer, revoked entries included", async () => {
    const root = await createRoot("Root, with a comma");
    const ca = await issue(root, "CA", { ca: true });
    const crl = await createCrl(ca, ["0a0b0c", "00ff"]);
    const theirs = new X509Crl(crl.der);
    expect([...crl.revokedSerials].sort()).toEqual(theirs.entries.map((e) => normalizeSerial(e.serialNumber)).sort());
    expect(parseCertificate(root.cert.der).subject).toBe(new X509Certificate(root.cert.der).subject);
  });

  it("imports its key into OpenSSL on first use, and refuses a key OpenSSL cannot use with a typed error then", () => {
    const [pck] = parsePemCertificates(readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_cert_chain.pem"), "utf8"));
    expect(Buffer.from(pck!.publicKey.export({ type: "spki", format: "der" })).equals(Buffer.from(pck!.spki))).toBe(true);
    expect(pck!.publicKey).toBe(pck!.publicKey); // imported once
    // The same certificate with its EC point's last byte changed: well-formed DER, a point off P-256.
    const der = pck!.der.slice();
    const at = Buffer.from(der).indexOf(Buffer.from(pck!.spki)) + pck!.spki.length - 1;
    der[at] = der[at]! ^ 0x01;
    const altered = parseCertificate(der, "altered");
    let error: unknown;
    try {
      void altered.publicKey;
    } catch (e) {
      error = e;
    }
    expect(isKeepledgerError(error) && [error.code, error.shortMessage]).toEqual(["CERT_MALFORMED", "altered has an unusable public key"]);
  });

  it("keeps the full @peculiar/x509 object available on demand", () => {
    const [pck] = parsePemCertificates(readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_cert_chain.pem"), "utf8"));
    expect(pck!.x509.subjectName.getField("CN")[0]).toBe("Intel SGX PCK Certificate");
    expect(pck!.x509).toBe(pck!.x509);
    const crl = parseCrl(new Uint8Array(readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_crl.der"))));
    expect(crl.x509).toBeInstanceOf(X509Crl);
    expect(crl.x509).toBe(crl.x509);
  });

  it("makes its lazy values with getters on the prototype, one for all certificates and CRLs, not one per object", () => {
    // An object literal's getter is a new closure per object, which V8 keeps (with what the closure holds: the DER,
    // the key) until a full collection: docs/benchmarks.md, "Getters on the prototype".
    const [pck, ca] = parsePemCertificates(readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_cert_chain.pem"), "utf8"));
    const crl = parseCrl(new Uint8Array(readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_crl.der"))));
    for (const o of [pck!, ca!, crl]) {
      expect(Object.values(Object.getOwnPropertyDescriptors(o)).filter((d) => d.get !== undefined)).toEqual([]);
    }
    expect(Object.getPrototypeOf(pck)).toBe(Object.getPrototypeOf(ca));
    expect(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(pck), "publicKey")?.get).toBeTypeOf("function");
    // The fields are still plain own properties.
    expect(Object.keys(pck!)).toContain("fingerprint");
    expect(Object.keys(crl)).toContain("revokedSerials");
  });

  it("reads a PEM body whatever its whitespace: LF or CRLF line ends, tabs, one line, 76-character lines", () => {
    const pem = readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "pck_cert_chain.pem"), "utf8");
    const [want] = parsePemCertificates(pem);
    const body = Buffer.from(want!.der).toString("base64");
    const wrap = (width: number, eol: string) => body.replace(new RegExp(`.{1,${width}}`, "g"), `$&${eol}`);
    for (const text of [wrap(64, "\r\n"), wrap(76, "\n"), body, `\t${wrap(64, "\n\t")}`, wrap(10, " \n")]) {
      const got = parseCertificate(`-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`);
      expect(got.fingerprint).toBe(want!.fingerprint);
    }
  });
});

describe("a PEM certificate's DER", () => {
  it("is a plain Uint8Array over the bytes Node decoded (not a copy, not a Buffer whose slice would be a view)", () => {
    const pem = readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "intel_sgx_root_ca.pem"), "utf8");
    const der = readFileSync(join(FIXTURES, "sgx", "dcapqvl-sgx", "intel_sgx_root_ca.der"));
    const parsed = parseCertificate(pem);
    expect(Object.getPrototypeOf(parsed.der)).toBe(Uint8Array.prototype);
    expect(Buffer.from(parsed.der).equals(der)).toBe(true);
    const copy = parsed.der.slice(0, 4);
    copy[0] = 0;
    expect(parsed.der[0]).toBe(0x30);
  });
});

describe("a serial number's text", () => {
  it("is normalizeSerial of its hex, written from the octets (leading zero octets and nibbles, zero, long ones)", () => {
    const octets = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 24 }),
      // Leading zero octets and a leading zero nibble, which both readings drop.
      fc
        .tuple(fc.nat({ max: 4 }), fc.uint8Array({ minLength: 0, maxLength: 20 }))
        .map(([zeros, rest]) => Uint8Array.from([...new Array(zeros).fill(0), ...rest])),
      fc.constantFrom(Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(0x0f), Uint8Array.of(0x00, 0x80), Uint8Array.of(0xff)),
    );
    fc.assert(
      fc.property(octets, (bytes) => {
        const want = normalizeSerial(Buffer.from(bytes).toString("hex"));
        expect(serialOf(bytes)).toBe(want);
        // And as a range of a larger buffer, as the CRL reader reads it in place.
        const within = Uint8Array.from([0x30, 0x00, ...bytes, 0xff]).subarray(1);
        expect(serialOf(within, 1, 1 + bytes.length)).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("a Name rendered in place", () => {
  /** The issuer and subject Names of every real certificate, as their DER. */
  const names = realCertificatesAndCrls().certs.flatMap((der) => {
    const fields = childrenOf(childrenOf(readTlv(der, 0, "cert"), "cert")[0]!, "tbs");
    const at = fields[0]!.tag === 0xa0 ? 1 : 0;
    return [fields[at + 2]!.raw, fields[at + 4]!.raw];
  });

  it("reads every real certificate's names as the element-by-element reader does", () => {
    let inPlace = 0;
    for (const der of names) {
      const name = readTlv(der, 0, "name");
      const fast = renderNameInPlace(name);
      if (fast !== undefined) inPlace++;
      expect(fast ?? renderNameByElement(name, "name")).toBe(renderNameByElement(name, "name"));
    }
    // Every vendor's names have the shape it reads (a name it cannot is read by the other reader, as above).
    expect(inPlace).toBe(names.length);
  });

  it("accepts nothing the element-by-element reader refuses, with the same text, on 5,000 mutated names", () => {
    const mutated = fc
      .tuple(fc.constantFrom(...names), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 3 }))
      .map(([der, edits]) => {
        const bytes = Uint8Array.from(der);
        for (const [at, value] of edits) bytes[2 + (at % Math.max(1, bytes.length - 2))] = value;
        return bytes;
      });
    let inPlace = 0;
    fc.assert(
      fc.property(mutated, (bytes) => {
        let name;
        try {
          name = readTlv(bytes, 0, "name");
        } catch {
          return;
        }
        const fast = renderNameInPlace(name);
        let slow: string | undefined;
        try {
          slow = renderNameByElement(name, "name");
        } catch {
          slow = undefined;
        }
        if (fast === undefined) return;
        inPlace++;
        expect(fast).toBe(slow);
      }),
      { numRuns: 5000 },
    );
    expect(inPlace).toBeGreaterThan(1000);
  });
});

describe("a CRL's revoked serials read in place", () => {
  /** The revokedCertificates list of each real CRL that has one, and whether the CRL is v2. */
  const lists = realCertificatesAndCrls()
    .crls.map((der) => {
      const tbs = childrenOf(readTlv(der, 0, "crl"), "crl")[0]!;
      const fields = childrenOf(tbs, "tbs");
      const v2 = fields[0]!.tag === DER.INTEGER;
      const list = fields.find((t, i) => i > (v2 ? 3 : 2) && t.tag === DER.SEQUENCE);
      return list ? { bytes: list.raw, v2 } : undefined;
    })
    .filter((l) => l !== undefined);

  /** The same serials, and `has` answering alike for each of them and for others, by scan and by set. */
  function expectSameSerials(list: Tlv, v2: boolean): void {
    const want = revokedSerialsByElement(list, "CRL", v2);
    const inPlace = () => revokedSerialsInPlace(list.value, v2)!;
    expect(inPlace().size).toBe(want.size);
    expect([...inPlace()].sort()).toEqual([...want].sort());
    const asked = [
      ...want,
      "0",
      "1",
      "ff",
      "100",
      "0a",
      "ABC",
      "",
      "zz",
      ...[...want].map((s) => `${s}0`),
      ...[...want].map((s) => s.slice(1)),
    ];
    for (const serial of asked) expect(inPlace().has(serial), `scan: ${serial}`).toBe(want.has(serial));
    const reused = inPlace();
    for (const serial of asked) expect(reused.has(serial), `set: ${serial}`).toBe(want.has(serial));
  }

  it("apply to every real CRL's list, with the serials read element by element", () => {
    expect(lists.some((l) => childrenOf(readTlv(l.bytes, 0, "list"), "list").length >= 40)).toBe(true);
    for (const l of lists) expectSameSerials(readTlv(l.bytes, 0, "list"), l.v2);
  });

  it("find a serial by its octets: leading zero octets, a zero serial, and text no serial is written as", () => {
    // SEQUENCE { INTEGER 00 ff, UTCTime }, { INTEGER 00, UTCTime }, { INTEGER 0a bc, UTCTime }
    const time = [0x17, 0x0d, ...Buffer.from("250101000000Z")];
    const entry = (serial: number[]) => [0x30, 2 + serial.length + time.length, 0x02, serial.length, ...serial, ...time];
    // The last entry repeats the first serial: a set counts it once.
    const contents = Uint8Array.from([...entry([0x00, 0xff]), ...entry([0x00]), ...entry([0x0a, 0xbc]), ...entry([0x00, 0xff])]);
    const list = readTlv(Uint8Array.from([0x30, contents.length, ...contents]), 0, "list");
    expectSameSerials(list, true);
    const serials = revokedSerialsInPlace(list.value, true)!;
    expect([serials.has("ff"), serials.has("0"), serials.has("abc"), serials.has("0abc"), serials.has("bc")]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("accept nothing the element-by-element reader refuses, with the same serials, on 5,000 mutated lists", () => {
    const mutated = fc
      .tuple(fc.constantFrom(...lists), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([l, edits, flipVersion]) => {
        const bytes = Uint8Array.from(l.bytes);
        // Edits inside the contents (the list's own header stays valid, as parseCrl hands over a read element).
        for (const [at, value] of edits) bytes[2 + (at % Math.max(1, bytes.length - 4))] = value;
        return { bytes, v2: flipVersion ? !l.v2 : l.v2 };
      });
    let inPlace = 0;
    fc.assert(
      fc.property(mutated, ({ bytes, v2 }) => {
        let list;
        try {
          list = readTlv(bytes, 0, "list");
        } catch {
          return;
        }
        const fast = revokedSerialsInPlace(list.value, v2);
        if (fast === undefined) return;
        inPlace++;
        expectSameSerials(list, v2);
      }),
      { numRuns: 5000 },
    );
    expect(inPlace).toBeGreaterThan(500);
  });
});
