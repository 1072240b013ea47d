// An adversary who controls part of a vendor-shaped PKI (a leaf key, an intermediate's key, or
// the bytes of a certificate) tries to get evidence accepted through chains that break X.509's
// rules: a CA below an intermediate whose pathLenConstraint forbids one, a critical extension
// the verifier does not understand, nameConstraints it would not enforce, a leaf that is a CA.
// Each goes through the real verifiers (DCAP quote, Nitro document) with the test signer's roots.
import { describe, expect, it } from "vitest";
import { buildScenario, createIntelTestPki, type ScenarioOptions } from "../support/dcapTestSigner.ts";
import { codeOf } from "../support/dcapFixtures.ts";
import { createNitroTestPki, NITRO_TEST_TIME, signNitroDocument, type NitroTestPkiOptions } from "../support/nitroTestSigner.ts";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import { parseNitroDocument } from "../../src/tee/nitro/parseNitroDocument.ts";
import { verifyDcapQuote } from "../../src/tee/dcap/verifyDcapQuote.ts";
import { verifyNitroDocument } from "../../src/tee/nitro/verifyNitroDocument.ts";

const KU = { digitalSignature: 1, keyCertSign: 32 } as const;
const UNKNOWN = "1.3.6.1.4.1.99999.7";

describe("an adversarial PCK chain in an SGX quote", () => {
  const rows: Array<{ name: string; o: () => Promise<ScenarioOptions>; wantError: string }> = [
    { name: "the honest test chain (control)", o: async () => ({ tee: "sgx" }), wantError: "ok" },
    {
      name: "a root whose pathLenConstraint 0 forbids the PCK Platform CA below it",
      o: async () => ({ tee: "sgx", pki: await createIntelTestPki({ rootOptions: { pathLength: 0 } }) }),
      wantError: "CERT_PATH_LENGTH_EXCEEDED",
    },
    {
      name: "a PCK certificate that is a CA (it could issue more PCK certificates)",
      o: async () => ({ tee: "sgx", pck: { certOptions: { ca: true, keyUsage: KU.digitalSignature | KU.keyCertSign } } }),
      wantError: "CERT_LEAF_IS_CA",
    },
    {
      name: "a PCK certificate with an unknown critical extension",
      o: async () => ({ tee: "sgx", pck: { certOptions: { unknownCriticalExtension: UNKNOWN } } }),
      wantError: "CERT_CRITICAL_EXTENSION_UNSUPPORTED",
    },
    {
      name: "a PCK Platform CA with nameConstraints",
      o: async () => ({ tee: "sgx", pki: await createIntelTestPki({ platformCaOptions: { nameConstraints: true } }) }),
      wantError: "CERT_NAME_CONSTRAINTS_UNSUPPORTED",
    },
  ];
  for (const row of rows) {
    it(`${row.name}: ${row.wantError}`, async () => {
      const s = await buildScenario(await row.o());
      expect(codeOf(() => verifyDcapQuote(parseDcapQuote(s.quote), { collateral: s.collateral, at: s.at, trustedRoots: s.roots }))).toBe(
        row.wantError,
      );
    });
  }
});

describe("an adversarial certificate chain in a Nitro attestation document", () => {
  const rows: Array<{ name: string; pki: NitroTestPkiOptions; wantError: string }> = [
    { name: "the honest test chain (control)", pki: {}, wantError: "ok" },
    {
      name: "a regional CA with pathLenConstraint 0 above the zonal and instance CAs",
      pki: { intermediateOptions: [{}, { pathLength: 0 }] },
      wantError: "CERT_PATH_LENGTH_EXCEEDED",
    },
    {
      name: "a root CA with pathLenConstraint 2 above three intermediates",
      pki: { intermediateOptions: [{ pathLength: 2 }] },
      wantError: "ok", // the regional CA's own limit: 2 CAs below it (zonal, instance) is allowed
    },
    {
      name: "an enclave certificate that is a CA and may sign (digitalSignature + keyCertSign)",
      pki: { leafIsCa: true, leafOptions: { keyUsage: KU.digitalSignature | KU.keyCertSign } },
      wantError: "CERT_LEAF_IS_CA",
    },
    {
      name: "an enclave certificate with an unknown critical extension",
      pki: { leafOptions: { unknownCriticalExtension: UNKNOWN } },
      wantError: "CERT_CRITICAL_EXTENSION_UNSUPPORTED",
    },
    {
      name: "an instance CA with an unknown critical extension",
      pki: { intermediateOptions: [{}, {}, { unknownCriticalExtension: UNKNOWN }] },
      wantError: "CERT_CRITICAL_EXTENSION_UNSUPPORTED",
    },
    {
      name: "a zonal CA with nameConstraints",
      pki: { intermediateOptions: [{}, { nameConstraints: true }] },
      wantError: "CERT_NAME_CONSTRAINTS_UNSUPPORTED",
    },
  ];
  for (const row of rows) {
    it(`${row.name}: ${row.wantError}`, async () => {
      const pki = await createNitroTestPki(row.pki);
      const doc = parseNitroDocument(await signNitroDocument(pki));
      expect(codeOf(() => verifyNitroDocument(doc, { at: NITRO_TEST_TIME, trustedRoots: pki.trustedRoots }))).toBe(row.wantError);
    });
  }
});
