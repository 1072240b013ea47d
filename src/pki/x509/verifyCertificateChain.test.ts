import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import "reflect-metadata";
import { Extension } from "@peculiar/x509";
import { asTrustedRoot, createCrl, createRoot, issue, DAY, type TestCa } from "../../../test/support/testPki.ts";
import { AMD_ARK_GENOA, AWS_NITRO_ROOT_G1, INTEL_SGX_ROOT_CA } from "../roots.ts";
import { parseCrl, parsePemCertificates, type ParsedCertificate } from "./certificate.ts";
import { verifyCertificateChain } from "./verifyCertificateChain.ts";

const AT = new Date("2025-07-01T00:00:00Z");

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("verifyCertificateChain on real vendor chains", () => {
  it("verifies an Intel PCK chain with its CRLs to the pinned Intel root", () => {
    const chain = parsePemCertificates(fixtureText("sgx", "dcapqvl-sgx", "pck_cert_chain.pem"));
    const crls = [
      parseCrl(fixtureBytes("sgx", "dcapqvl-sgx", "pck_crl.der")),
      parseCrl(fixtureBytes("sgx", "dcapqvl-sgx", "root_ca_crl.der")),
    ];
    const r = verifyCertificateChain({ name: "PCK chain", chain, roots: [INTEL_SGX_ROOT_CA], at: AT, crls, requireCrls: true });
    expect(r.root).toBe(INTEL_SGX_ROOT_CA);
    expect(r.certificates).toHaveLength(3);
    expect(r.crlsUsed).toHaveLength(2);
    // The PCK CRL's nextUpdate (2025-07-19T10:23:18Z) is the first thing to lapse.
    expect(r.expiresAt.toISOString()).toBe("2025-07-19T10:23:18.000Z");
  });

  it("requires the CRLs when asked to", () => {
    const chain = parsePemCertificates(fixtureText("sgx", "dcapqvl-sgx", "pck_cert_chain.pem"));
    expect(codeOf(() => verifyCertificateChain({ name: "PCK chain", chain, roots: [INTEL_SGX_ROOT_CA], at: AT, requireCrls: true }))).toBe(
      "CRL_MISSING",
    );
  });

  it("fails once a CRL has passed its nextUpdate", () => {
    const chain = parsePemCertificates(fixtureText("sgx", "dcapqvl-sgx", "pck_cert_chain.pem"));
    const crls = [
      parseCrl(fixtureBytes("sgx", "dcapqvl-sgx", "pck_crl.der")),
      parseCrl(fixtureBytes("sgx", "dcapqvl-sgx", "root_ca_crl.der")),
    ];
    const late = new Date("2025-08-01T00:00:00Z");
    expect(codeOf(() => verifyCertificateChain({ name: "PCK chain", chain, roots: [INTEL_SGX_ROOT_CA], at: late, crls }))).toBe(
      "CRL_EXPIRED",
    );
  });

  it("refuses a real chain when only another vendor's root is trusted", () => {
    const chain = parsePemCertificates(fixtureText("sgx", "dcapqvl-sgx", "pck_cert_chain.pem"));
    expect(codeOf(() => verifyCertificateChain({ name: "PCK chain", chain, roots: [AWS_NITRO_ROOT_G1], at: AT }))).toBe(
      "CERT_ROOT_UNTRUSTED",
    );
  });

  it("verifies the Nitro cabundle and leaf at the document time, and not three hours later", () => {
    const bundle = parsePemCertificates(fixtureText("nitro", "dstack-nitro-doc-a", "cabundle.pem"));
    const leaf = parsePemCertificates(fixtureText("nitro", "dstack-nitro-doc-a", "leaf.pem"));
    const chain = [...leaf, ...bundle.slice(1).reverse()];
    const at = new Date("2025-12-25T13:15:37Z");
    const r = verifyCertificateChain({ name: "Nitro chain", chain, roots: [AWS_NITRO_ROOT_G1], at });
    expect(r.certificates.at(-1)).toBe(AWS_NITRO_ROOT_G1.certificate);
    expect(
      codeOf(() =>
        verifyCertificateChain({ name: "Nitro chain", chain, roots: [AWS_NITRO_ROOT_G1], at: new Date(at.getTime() + 4 * 3600_000) }),
      ),
    ).toBe("CERT_EXPIRED");
  });

  it("rejects the Genoa ASK that AMD's own CRL revoked, and accepts its replacement (RSA-PSS)", () => {
    const crl = parseCrl(fixtureBytes("sev-snp", "genoa-revoked-ask", "crl_genoa.der"));
    const revoked = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_revoked_serial_020001.pem"));
    const current = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_current_serial_020002.pem"));
    const at = crl.thisUpdate;
    // The ASK is checked on its own, as amdSigningChain does: a CA in the first position.
    expect(codeOf(() => verifyCertificateChain({ name: "ASK", chain: revoked, roots: [AMD_ARK_GENOA], at, crls: [crl], leaf: "ca" }))).toBe(
      "CERT_REVOKED",
    );
    expect(codeOf(() => verifyCertificateChain({ name: "ASK", chain: current, roots: [AMD_ARK_GENOA], at, crls: [crl] }))).toBe(
      "CERT_LEAF_IS_CA",
    );
    const ok = verifyCertificateChain({
      name: "ASK",
      chain: current,
      roots: [AMD_ARK_GENOA],
      at,
      crls: [crl],
      requireCrls: true,
      leaf: "ca",
    });
    expect(ok.root).toBe(AMD_ARK_GENOA);
  });
});

describe("verifyCertificateChain on chains from the test signer", () => {
  it("covers validity, issuers, signatures and revocation", async () => {
    const root = await createRoot("Test Root");
    const ca = await issue(root, "Test CA", { ca: true });
    const leaf = await issue(ca, "Test Leaf", { notBefore: new Date(Date.UTC(2024, 0, 1)), notAfter: new Date(Date.UTC(2026, 0, 1)) });
    const roots = [asTrustedRoot(root)];
    const at = new Date(Date.UTC(2025, 0, 1));
    const chain = [leaf.cert, ca.cert];
    expect(verifyCertificateChain({ name: "t", chain, roots, at }).expiresAt.getTime()).toBe(Date.UTC(2026, 0, 1));

    const table: Array<{ name: string; run: () => unknown; want: string }> = [
      {
        name: "not yet valid",
        run: () => verifyCertificateChain({ name: "t", chain, roots, at: new Date(Date.UTC(2023, 0, 1)) }),
        want: "CERT_NOT_YET_VALID",
      },
      {
        name: "expired",
        run: () => verifyCertificateChain({ name: "t", chain, roots, at: new Date(Date.UTC(2026, 0, 1) + DAY) }),
        want: "CERT_EXPIRED",
      },
      {
        name: "pinned roots only",
        run: () => verifyCertificateChain({ name: "t", chain, roots: [INTEL_SGX_ROOT_CA], at }),
        want: "CERT_ROOT_UNTRUSTED",
      },
      {
        name: "self-signed root not pinned",
        run: () => verifyCertificateChain({ name: "t", chain: [...chain, root.cert], roots: [INTEL_SGX_ROOT_CA], at }),
        want: "CERT_ROOT_UNTRUSTED",
      },
      {
        name: "broken link",
        run: () => verifyCertificateChain({ name: "t", chain: [leaf.cert, root.cert], roots, at }),
        want: "CERT_CHAIN_BROKEN",
      },
      { name: "empty", run: () => verifyCertificateChain({ name: "t", chain: [], roots, at }), want: "CERT_CHAIN_BROKEN" },
    ];
    for (const row of table) expect(codeOf(row.run), row.name).toBe(row.want);
  });

  it("rejects a leaf issued by a non-CA and a certificate signed by an impostor with the same name", async () => {
    const root = await createRoot("Test Root");
    const notCa = await issue(root, "Not A CA");
    const leaf = await issue(notCa, "Leaf");
    const roots = [asTrustedRoot(root)];
    const at = new Date(Date.UTC(2025, 0, 1));
    expect(codeOf(() => verifyCertificateChain({ name: "t", chain: [leaf.cert, notCa.cert], roots, at }))).toBe("CERT_ISSUER_NOT_CA");

    const ca = await issue(root, "Same Name CA", { ca: true });
    const impostorRoot = await createRoot("Impostor");
    const impostor = await issue(impostorRoot, "Same Name CA", { ca: true });
    const forged = await issue(impostor, "Leaf");
    expect(codeOf(() => verifyCertificateChain({ name: "t", chain: [forged.cert, ca.cert], roots, at }))).toBe("CERT_SIGNATURE_INVALID");
  });

  it("checks CRLs: revoked serials, foreign signatures, dates", async () => {
    const root = await createRoot("Test Root");
    const ca = await issue(root, "Test CA", { ca: true });
    const leaf = await issue(ca, "Leaf", { serial: "0abcde" });
    const roots = [asTrustedRoot(root)];
    const at = new Date(Date.UTC(2025, 0, 1));
    const chain = [leaf.cert, ca.cert];
    const revoking = await createCrl(ca, ["0abcde"]);
    expect(codeOf(() => verifyCertificateChain({ name: "t", chain, roots, at, crls: [revoking] }))).toBe("CERT_REVOKED");
    const other = await issue(root, "Test CA", { ca: true }); // same name, different key
    const forgedCrl = await createCrl(other, []);
    expect(codeOf(() => verifyCertificateChain({ name: "t", chain, roots, at, crls: [forgedCrl] }))).toBe("CRL_SIGNATURE_INVALID");
    const future = await createCrl(ca, [], { thisUpdate: new Date(Date.UTC(2030, 0, 1)), nextUpdate: new Date(Date.UTC(2031, 0, 1)) });
    expect(codeOf(() => verifyCertificateChain({ name: "t", chain, roots, at, crls: [future] }))).toBe("CRL_NOT_YET_VALID");
    const clean = await createCrl(ca, ["0fffff"], { nextUpdate: new Date(Date.UTC(2025, 5, 1)) });
    const rootCrl = await createCrl(root, []);
    const r = verifyCertificateChain({ name: "t", chain, roots, at, crls: [clean, rootCrl], requireCrls: true });
    expect(r.expiresAt.getTime()).toBe(Date.UTC(2025, 5, 1));
  });

  it("verifies RSA-PSS chains like AMD's", async () => {
    const root = await createRoot("ARK-Test", { keyKind: "rsa-pss-384" });
    const ask = await issue(root, "SEV-Test", { ca: true, keyKind: "rsa-pss-384" });
    const vcek = await issue(ask, "SEV-VCEK", { keyKind: "p384" });
    const r = verifyCertificateChain({
      name: "VCEK chain",
      chain: [vcek.cert, ask.cert],
      roots: [asTrustedRoot(root)],
      at: new Date(Date.UTC(2025, 0, 1)),
    });
    expect(r.certificates).toHaveLength(3);
  });

  it("honours pathLenConstraint, refuses unknown critical extensions, nameConstraints, a CA leaf and an issuer without keyUsage", async () => {
    const at = new Date(Date.UTC(2025, 0, 1));
    const KU = { digitalSignature: 1, keyCertSign: 32, cRLSign: 64 };
    const table: Array<{
      name: string;
      build: () => Promise<{ chain: ParsedCertificate[]; root: TestCa; leaf?: "end-entity" | "ca" }>;
      wantError: string;
    }> = [
      {
        name: "an intermediate with pathLen 0 above another CA",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true, pathLength: 0 });
          const b = await issue(a, "B", { ca: true });
          return { root, chain: [(await issue(b, "Leaf")).cert, b.cert, a.cert] };
        },
        wantError: "CERT_PATH_LENGTH_EXCEEDED",
      },
      {
        name: "a root with pathLen 0 above an intermediate",
        build: async () => {
          const root = await createRoot("R", { pathLength: 0 });
          const a = await issue(root, "A", { ca: true });
          return { root, chain: [(await issue(a, "Leaf")).cert, a.cert] };
        },
        wantError: "CERT_PATH_LENGTH_EXCEEDED",
      },
      {
        name: "a leaf marked as a CA",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true });
          return { root, chain: [(await issue(a, "Leaf", { ca: true, keyUsage: KU.digitalSignature })).cert, a.cert] };
        },
        wantError: "CERT_LEAF_IS_CA",
      },
      {
        name: "a leaf with an unknown critical extension",
        build: async () => {
          const root = await createRoot("R");
          return { root, chain: [(await issue(root, "Leaf", { unknownCriticalExtension: "1.3.6.1.4.1.99999.1" })).cert] };
        },
        wantError: "CERT_CRITICAL_EXTENSION_UNSUPPORTED",
      },
      {
        name: "an intermediate with a critical extendedKeyUsage (not enforced, so not understood)",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true, unknownCriticalExtension: "2.5.29.37" });
          return { root, chain: [(await issue(a, "Leaf")).cert, a.cert] };
        },
        wantError: "CERT_CRITICAL_EXTENSION_UNSUPPORTED",
      },
      {
        name: "an intermediate with nameConstraints",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true, nameConstraints: true });
          return { root, chain: [(await issue(a, "Leaf")).cert, a.cert] };
        },
        wantError: "CERT_NAME_CONSTRAINTS_UNSUPPORTED",
      },
      {
        name: "an issuer without keyUsage",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true, keyUsage: null });
          return { root, chain: [(await issue(a, "Leaf")).cert, a.cert] };
        },
        wantError: "CERT_ISSUER_NOT_CA",
      },
      {
        name: "an issuer whose keyUsage lacks keyCertSign",
        build: async () => {
          const root = await createRoot("R");
          const a = await issue(root, "A", { ca: true, keyUsage: KU.cRLSign });
          return { root, chain: [(await issue(a, "Leaf")).cert, a.cert] };
        },
        wantError: "CERT_ISSUER_NOT_CA",
      },
      {
        name: "a root with pathLen 1 above two intermediates",
        build: async () => {
          const root = await createRoot("R", { pathLength: 1 });
          const a = await issue(root, "A", { ca: true, pathLength: 1 });
          const b = await issue(a, "B", { ca: true, pathLength: 0 });
          return { root, chain: [(await issue(b, "Leaf")).cert, b.cert, a.cert] };
        },
        wantError: "CERT_PATH_LENGTH_EXCEEDED", // the root allows 1 CA below it, the chain has A and B
      },
      {
        name: "pathLen met at every level",
        build: async () => {
          const root = await createRoot("R", { pathLength: 2 });
          const a = await issue(root, "A", { ca: true, pathLength: 1 });
          const b = await issue(a, "B", { ca: true, pathLength: 0 });
          return { root, chain: [(await issue(b, "Leaf")).cert, b.cert, a.cert] };
        },
        wantError: "ok",
      },
      {
        name: "an unknown extension that is not critical",
        build: async () => {
          const root = await createRoot("R");
          return {
            root,
            chain: [(await issue(root, "Leaf", { extensions: [new Extension("1.3.6.1.4.1.99999.1", false, Uint8Array.of(5, 0))] })).cert],
          };
        },
        wantError: "ok",
      },
      {
        name: 'a CA checked on its own with leaf: "ca"',
        build: async () => {
          const root = await createRoot("R");
          return { root, chain: [(await issue(root, "A", { ca: true })).cert], leaf: "ca" };
        },
        wantError: "ok",
      },
    ];
    for (const row of table) {
      const { chain, root, leaf } = await row.build();
      const got =
        codeOf(() => verifyCertificateChain({ name: "t", chain, roots: [asTrustedRoot(root)], at, ...(leaf ? { leaf } : {}) })) ?? "ok";
      expect(got, row.name).toBe(row.wantError);
    }
  });

  it("reports where the pathLenConstraint is and what it allowed", async () => {
    const root = await createRoot("R");
    const a = await issue(root, "A", { ca: true, pathLength: 0 });
    const b = await issue(a, "B", { ca: true });
    const chain = [(await issue(b, "Leaf")).cert, b.cert, a.cert];
    let error: { code: string; shortMessage: string; at: { field: string; offset: number }; details: Record<string, unknown> } | undefined;
    try {
      verifyCertificateChain({ name: "PCK chain", chain, roots: [asTrustedRoot(root)], at: new Date(Date.UTC(2025, 0, 1)) });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe("CERT_PATH_LENGTH_EXCEEDED");
    expect(error?.shortMessage).toBe('PCK chain: "CN=A" allows 0 CA certificate(s) below it, the chain has 1');
    expect(error?.at.field).toBe("PCK chain[2].basicConstraints.pathLenConstraint");
    expect(a.cert.der[error!.at.offset]).toBe(0x30); // the basicConstraints Extension element
    expect(error?.details).toMatchObject({ pathLenConstraint: 0, intermediatesBelow: 1 });
  });
});
