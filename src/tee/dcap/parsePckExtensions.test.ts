import "reflect-metadata";
import { Extension } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { integer, octets, oid, seq, tlv } from "../../pki/x509/derEncode.ts";
import { codeOf } from "../../../test/support/dcapFixtures.ts";
import { createIntelTestPki, issuePckCertificate } from "../../../test/support/dcapTestSigner.ts";
import { expectedOf, fixtureText } from "../../../test/support/fixtures.ts";
import { parsePemCertificates } from "../../pki/x509/certificate.ts";
import {
  SGX_EXTENSIONS_OID,
  decodePckExtensionsByElement,
  decodePckExtensionsInPlace,
  parsePckExtensions,
  type PckExtensions,
} from "./parsePckExtensions.ts";

describe("parsePckExtensions", () => {
  for (const [kind, set] of [
    ["sgx", "dcapqvl-sgx"],
    ["sgx", "enarx-steward-icelake-xeon"],
    ["tdx", "dcapqvl-tdx"],
    ["tdx", "dcapqvl-tdx-v5-no-tcb-match"],
    ["tdx", "oasis-tdx-no-tcb-match"],
  ] as const) {
    it(`reads Intel's extensions of ${kind}/${set}`, () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const e = (expectedOf(kind, set) as any).pck_cert_extensions;
      const x = parsePckExtensions(parsePemCertificates(fixtureText(kind, set, "pck_cert_chain.pem"))[0]!);
      expect(x).toEqual({
        ppid: e.PPID,
        components: Array.from({ length: 16 }, (_, i) => e.TCB[`sgxtcbcomp${String(i + 1).padStart(2, "0")}svn`]),
        pceSvn: e.TCB.pcesvn,
        cpuSvn: e.TCB.cpusvn,
        pceId: e["PCE-ID"],
        fmspc: e.FMSPC,
        sgxType: e["SGX Type"],
      });
    });
  }

  it("rejects a certificate without them, and one whose extension lacks a field", async () => {
    const pki = await createIntelTestPki();
    const bare = await issuePckCertificate(pki.platformCa, {
      fmspc: "00906ed50000",
      pceId: "0000",
      components: new Array(16).fill(1),
      pceSvn: 1,
      omitSgxExtensions: true,
    });
    expect(codeOf(() => parsePckExtensions(bare.cert))).toBe("DCAP_PCK_CERT_INVALID");
    const short = await issuePckCertificate(pki.platformCa, {
      fmspc: "00906e",
      pceId: "0000",
      components: new Array(16).fill(1),
      pceSvn: 1,
    });
    expect(() => parsePckExtensions(short.cert)).toThrow("SGX extension FMSPC has 3 bytes, want 6 (PCK certificate)");
  });

  it("reads them as strict DER: a padded OID, a non-minimal INTEGER or ENUMERATED, an extra element are refused", async () => {
    const SGX = "1.2.840.113741.1.13.1";
    const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
    /** Intel's layout with one piece replaced by raw bytes. */
    const value = (
      o: {
        comp01?: Uint8Array;
        sgxType?: Uint8Array;
        ppidOid?: Uint8Array;
        ppidExtra?: Uint8Array;
        extra?: Uint8Array[];
        tcbExtra?: Uint8Array[];
      } = {},
    ) =>
      seq(
        seq(o.ppidOid ?? oid(`${SGX}.1`), octets(new Uint8Array(16).fill(0xab)), ...(o.ppidExtra ? [o.ppidExtra] : [])),
        seq(
          oid(`${SGX}.2`),
          seq(
            ...Array.from({ length: 16 }, (_, i) => seq(oid(`${SGX}.2.${i + 1}`), i === 0 && o.comp01 ? o.comp01 : integer(1))),
            seq(oid(`${SGX}.2.17`), integer(1)),
            seq(oid(`${SGX}.2.18`), octets(new Uint8Array(16).fill(1))),
            ...(o.tcbExtra ?? []),
          ),
        ),
        seq(oid(`${SGX}.3`), octets(hex("0000"))),
        seq(oid(`${SGX}.4`), octets(hex("00906ed50000"))),
        seq(oid(`${SGX}.5`), o.sgxType ?? tlv(0x0a, Uint8Array.of(0))),
        ...(o.extra ?? []),
      );
    const pki = await createIntelTestPki();
    const pck = (v: Uint8Array) =>
      issuePckCertificate(pki.platformCa, {
        fmspc: "00906ed50000",
        pceId: "0000",
        components: [],
        pceSvn: 1,
        omitSgxExtensions: true,
        certOptions: { extensions: [new Extension(SGX, false, v)] },
      });
    const rows: Array<{ name: string; v: Uint8Array; wantError: string }> = [
      { name: "as Intel encodes them (control)", v: value(), wantError: "ok" },
      { name: "sgxtcbcomp01svn as 02 02 00 01", v: value({ comp01: hex("02020001") }), wantError: "DER_INTEGER_NOT_MINIMAL" },
      { name: "SGX Type as 0a 02 00 00", v: value({ sgxType: hex("0a020000") }), wantError: "DER_INTEGER_NOT_MINIMAL" },
      // 1.2.840.113741.1.13.1.1 with the arc 13 written 80 0d.
      {
        name: "the PPID OID with an arc padded by 0x80",
        v: value({ ppidOid: hex("060b2a864886f84d01800d0101") }),
        wantError: "DER_OID_INVALID",
      },
      { name: "an element after the PPID", v: value({ ppidExtra: hex("0500") }), wantError: "DER_TRAILING_DATA" },
      // Entries Intel defines besides those read (PlatformInstanceID, Configuration), an arc of two octets, a foreign OID.
      {
        name: "entries that are not read",
        v: value({
          extra: [seq(oid(`${SGX}.6`), octets(new Uint8Array(16))), seq(oid(`${SGX}.200`), integer(1)), seq(oid("1.2.3.4"), integer(1))],
          tcbExtra: [seq(oid(`${SGX}.2.19`), integer(1))],
        }),
        wantError: "ok",
      },
    ];
    for (const row of rows) {
      const cert = (await pck(row.v)).cert;
      expect(
        codeOf(() => parsePckExtensions(cert)),
        row.name,
      ).toBe(row.wantError);
    }
    // A repeated entry and one without a value are named by their OID, whether read or not.
    const messages: Array<{ v: Uint8Array; want: string }> = [
      { v: value({ extra: [seq(oid(`${SGX}.4`), octets(hex("00906ed50000")))] }), want: `SGX extensions entry ${SGX}.4 appears twice` },
      { v: value({ extra: [seq(oid(`${SGX}.200`)), seq(oid(`${SGX}.200`))] }), want: `SGX extensions entry ${SGX}.200 has no value` },
      {
        v: value({ extra: [seq(oid("1.2.3.4"), integer(1)), seq(oid("1.2.3.4"), integer(2))] }),
        want: "SGX extensions entry 1.2.3.4 appears twice",
      },
      { v: value({ tcbExtra: [seq(oid(`${SGX}.2.18`))] }), want: `SGX extensions TCB entry ${SGX}.2.18 has no value` },
      { v: value({ tcbExtra: [seq(oid(`${SGX}.2.3`), integer(1))] }), want: `SGX extensions TCB entry ${SGX}.2.3 appears twice` },
    ];
    for (const m of messages) {
      const cert = (await pck(m.v)).cert;
      expect(() => parsePckExtensions(cert)).toThrow(m.want);
    }
  });
});

describe("the SGX extensions read in place", () => {
  const SETS = [
    ["sgx", "dcapqvl-sgx"],
    ["sgx", "enarx-steward-icelake-xeon"],
    ["tdx", "dcapqvl-tdx"],
    ["tdx", "oasis-tdx-no-tcb-match"],
  ] as const;
  const valueOf = (kind: string, set: string): Uint8Array =>
    parsePemCertificates(fixtureText(kind, set, "pck_cert_chain.pem"))[0]!.extensions.find((e) => e.oid === SGX_EXTENSIONS_OID)!.value;
  const byElement = (v: Uint8Array): PckExtensions | "refused" => {
    try {
      return decodePckExtensionsByElement(v);
    } catch {
      return "refused";
    }
  };

  it("read Intel's certificates, as the element reader does", () => {
    for (const [kind, set] of SETS) {
      const v = valueOf(kind, set);
      expect(decodePckExtensionsInPlace(v)).toEqual(decodePckExtensionsByElement(v));
    }
  });

  it("accept nothing the element reader refuses and answer as it does, for every one-byte change and cut", () => {
    let inPlace = 0;
    let refused = 0;
    let mutations = 0;
    for (const [kind, set] of SETS.slice(0, 2)) {
      const original = valueOf(kind, set);
      const variants: Uint8Array[] = [];
      for (let i = 0; i < original.length; i++) {
        for (const change of [(b: number) => b ^ 0x01, (b: number) => b ^ 0x80, () => 0x00, () => 0xff, (b: number) => b + 1]) {
          const v = Uint8Array.from(original);
          v[i] = change(v[i]!) & 0xff;
          variants.push(v);
        }
        variants.push(original.slice(0, i), Uint8Array.from([...original.subarray(0, i), 0x00, ...original.subarray(i)]));
      }
      for (const v of variants) {
        mutations++;
        const fast = decodePckExtensionsInPlace(v);
        const reference = byElement(v);
        if (reference === "refused") refused++;
        if (fast === undefined) continue;
        inPlace++;
        expect(reference).toEqual(fast);
      }
    }
    // Both paths were exercised: many changes (an SVN, the PPID) are still Intel's shape, many are refused.
    expect(inPlace).toBeGreaterThan(mutations / 10);
    expect(refused).toBeGreaterThan(mutations / 10);
  });
});
