import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test/support/dcapFixtures.ts";
import { createIntelTestPki, issuePckCertificate } from "../../../test/support/dcapTestSigner.ts";
import { expectedOf, fixtureText } from "../../../test/support/fixtures.ts";
import { parsePemCertificates } from "../x509/certificate.ts";
import { parsePckExtensions } from "./parsePckExtensions.ts";

describe("parsePckExtensions", () => {
  for (const [kind, set] of [["sgx", "dcapqvl-sgx"], ["sgx", "enarx-steward-icelake-xeon"], ["tdx", "dcapqvl-tdx"], ["tdx", "dcapqvl-tdx-v5-no-tcb-match"], ["tdx", "oasis-tdx-no-tcb-match"]] as const) {
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
    const bare = await issuePckCertificate(pki.platformCa, { fmspc: "00906ed50000", pceId: "0000", components: new Array(16).fill(1), pceSvn: 1, omitSgxExtensions: true });
    expect(codeOf(() => parsePckExtensions(bare.cert))).toBe("DCAP_PCK_CERT_INVALID");
    const short = await issuePckCertificate(pki.platformCa, { fmspc: "00906e", pceId: "0000", components: new Array(16).fill(1), pceSvn: 1 });
    expect(() => parsePckExtensions(short.cert)).toThrow("SGX extension FMSPC has 3 bytes, want 6 (PCK certificate)");
  });
});
