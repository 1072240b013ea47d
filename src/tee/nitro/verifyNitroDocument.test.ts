import fc from "fast-check";
import { keccak256, zeroHash } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixtureText, setsOf } from "../../../test/support/fixtures.ts";
import { cborHead, encodeCbor, raw } from "../../../test/support/nitroCbor.ts";
import {
  assembleCoseSign1,
  createNitroTestPki,
  ES384_PROTECTED,
  NITRO_TEST_TIME,
  nitroTestPayload,
  signNitroDocument,
  testPcrs,
  type NitroTestPki,
} from "../../../test/support/nitroTestSigner.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseNitroDocument } from "./parseNitroDocument.ts";
import { AWS_NITRO_ROOT_G1 } from "../../pki/roots.ts";
import { verifyCertificateChain } from "../../pki/x509/verifyCertificateChain.ts";
import { encodeSigStructure } from "../../evidence/cose/encodeSigStructure.ts";
import { verifyNitroDocument, type VerifyNitroDocumentOptions } from "./verifyNitroDocument.ts";

interface ExpectedNitro {
  verify_at: string;
  validity_window: { not_before: string; not_after: string };
  expected_result: "accept" | "reject";
  cose: { offset_in_original: number; length: number };
  document: {
    module_id: string;
    timestamp_ms: number;
    pcrs: Record<string, string>;
    public_key: string | null;
    user_data: string | null;
    nonce: string | null;
  };
  original_container: { file: string; prefix_hex: string; trailing_bytes: number };
  policy_expectation?: string;
}

const expected = (set: string): ExpectedNitro => expectedOf("nitro", set) as unknown as ExpectedNitro;
const hexOrNull = (h: string | null): string | null => (h === null ? null : `0x${h}`);

function errorOf(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  return undefined;
}

function verifyBytes(bytes: Uint8Array, options: VerifyNitroDocumentOptions): ReturnType<typeof verifyNitroDocument> {
  return verifyNitroDocument(parseNitroDocument(bytes), options);
}

describe("verifyNitroDocument on the real vectors", () => {
  for (const set of setsOf("nitro")) {
    const want = expected(set);
    it(`${set}: ${want.expected_result}s as of ${want.verify_at}`, () => {
      const bytes = fixtureBytes("nitro", set, "attestation_doc.cose");
      const at = new Date(want.verify_at);
      if (want.expected_result === "reject") {
        expect(errorOf(() => verifyBytes(bytes, { at }))).toEqual({
          code: "NITRO_SIGNATURE_INVALID",
          message: `the COSE_Sign1 signature of the Nitro document does not verify (signature at offset ${bytes.length - 98})`,
        });
        return;
      }
      const r = verifyBytes(bytes, { at });
      expect(r.claims).toStrictEqual({
        pcr0: `0x${want.document.pcrs["0"]}`,
        pcr1: `0x${want.document.pcrs["1"]}`,
        pcr2: `0x${want.document.pcrs["2"]}`,
        moduleId: want.document.module_id,
        timestamp: want.document.timestamp_ms,
        publicKey: hexOrNull(want.document.public_key),
        userData: hexOrNull(want.document.user_data),
        nonce: hexOrNull(want.document.nonce),
      });
      expect(r.ok).toBe(true);
      expect(r.tee).toBe("nitro");
      expect(r.tcb).toStrictEqual({ status: "NotApplicable", advisoryIds: [] });
      // The vectors whose PCR0-2 are zero are the ones a production policy must refuse as debug.
      expect(r.debug).toBe(want.policy_expectation?.includes("debug-mode") === true);
      expect(r.evidenceHash).toBe(keccak256(bytes));
      expect(r.collateralHash).toBe(zeroHash);
      expect(r.expiresAt).toEqual(new Date(want.validity_window.not_after)); // the leaf's notAfter, hours after signing
      expect(r.verifiedAt).toEqual(at);
      expect(r.platform).toStrictEqual({
        pcrs: Object.fromEntries(Object.entries(want.document.pcrs).map(([i, v]) => [i, `0x${v}`])),
        digest: "SHA384",
        cabundleDepth: 4,
      });
    });
  }

  it("eternis-invalid-signature is refused for its signature alone: its chain is valid", () => {
    const want = expected("eternis-invalid-signature");
    const doc = parseNitroDocument(fixtureBytes("nitro", "eternis-invalid-signature", "attestation_doc.cose"));
    const chain = verifyCertificateChain({
      name: "t",
      chain: [doc.certificate, ...[...doc.cabundle].reverse()],
      roots: [AWS_NITRO_ROOT_G1],
      at: new Date(want.verify_at),
    });
    expect(chain.root).toBe(AWS_NITRO_ROOT_G1);
  });

  it("judges a document by its own timestamp: still valid a year after its certificates expired", () => {
    const bytes = fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose");
    const at = new Date("2026-12-25T00:00:00Z");
    const r = verifyBytes(bytes, { at });
    expect(r.verifiedAt).toEqual(at);
    expect(r.expiresAt.getTime()).toBeLessThan(at.getTime()); // the verdict says how long it held
  });

  it("refuses a real document verified before it was signed", () => {
    const want = expected("dstack-nitro-doc-a");
    const bytes = fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose");
    const at = new Date(want.document.timestamp_ms - 60_000);
    expect(errorOf(() => verifyBytes(bytes, { at }))).toEqual({
      code: "NITRO_DOCUMENT_FROM_FUTURE",
      message: "the Nitro document is dated after the verification time (timestamp)",
    });
  });

  it("refuses a real document when the pinned AWS root is not among the trusted roots", async () => {
    const bytes = fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose");
    const other = await createNitroTestPki({ intermediates: 0 });
    expect(
      errorOf(() => verifyBytes(bytes, { at: new Date(expected("dstack-nitro-doc-a").verify_at), trustedRoots: other.trustedRoots }))?.code,
    ).toBe("CERT_ROOT_UNTRUSTED");
  });

  it("verifies the base64 text form the same once decoded", () => {
    for (const set of setsOf("nitro")) {
      const want = expected(set);
      if (!want.original_container.file.endsWith(".b64")) continue;
      const decoded = new Uint8Array(Buffer.from(fixtureText("nitro", set, want.original_container.file).trim(), "base64"));
      const cose = fixtureBytes("nitro", set, "attestation_doc.cose");
      expect(Buffer.from(decoded).equals(cose), set).toBe(true);
      const at = new Date(want.verify_at);
      const a = errorOf(() => verifyBytes(decoded, { at })) ?? verifyBytes(decoded, { at });
      const b = errorOf(() => verifyBytes(cose, { at })) ?? verifyBytes(cose, { at });
      expect(a, set).toStrictEqual(b);
    }
  });

  it("verifies the document cut out of dstack's container, and refuses the container itself", () => {
    let seen = 0;
    for (const set of setsOf("nitro")) {
      const want = expected(set);
      if (!want.original_container.file.startsWith("dstack_")) continue;
      seen++;
      const container = fixtureBytes("nitro", set, want.original_container.file);
      // PROVENANCE.md: 4 bytes of dstack SCALE framing, the COSE_Sign1, then dstack's own trailing fields.
      const prefix = want.original_container.prefix_hex.length / 2;
      expect(Buffer.from(container.subarray(0, prefix)).toString("hex")).toBe(want.original_container.prefix_hex);
      expect(prefix).toBe(want.cose.offset_in_original);
      const cut = container.subarray(prefix, container.length - want.original_container.trailing_bytes);
      expect(cut.length).toBe(want.cose.length);
      const r = verifyBytes(cut, { at: new Date(want.verify_at) });
      expect(r.claims.moduleId).toBe(want.document.module_id);
      expect(r.evidenceHash).toBe(keccak256(fixtureBytes("nitro", set, "attestation_doc.cose")));
      expect(errorOf(() => parseNitroDocument(container))?.code).toBe("NITRO_COSE_MALFORMED");
      expect(errorOf(() => parseNitroDocument(container.subarray(prefix)))?.code).toBe("EVIDENCE_TRAILING_BYTES");
    }
    expect(seen).toBe(2);
  });
});

describe("verifyNitroDocument on documents from the test signer", () => {
  let pki: NitroTestPki;
  let other: NitroTestPki;
  const at = new Date(NITRO_TEST_TIME.getTime() + 60_000);
  beforeAll(async () => {
    pki = await createNitroTestPki();
    other = await createNitroTestPki();
  });
  const opts = (o: VerifyNitroDocumentOptions = {}): VerifyNitroDocumentOptions => ({ at, trustedRoots: pki.trustedRoots, ...o });

  it("accepts a document signed by the enclave's certificate, with its claims", async () => {
    const r = verifyBytes(await signNitroDocument(pki, { fields: { nonce: new Uint8Array([1, 2, 3]) } }), opts());
    expect(r.claims).toStrictEqual({
      pcr0: `0x${"11".repeat(48)}`,
      pcr1: `0x${"22".repeat(48)}`,
      pcr2: `0x${"33".repeat(48)}`,
      moduleId: "i-0123456789abcdef0-enc0123456789abcdef",
      timestamp: NITRO_TEST_TIME.getTime(),
      publicKey: null,
      userData: `0x${"ab".repeat(64)}`,
      nonce: "0x010203",
    });
    expect(r.debug).toBe(false);
    expect(r.expiresAt).toEqual(pki.leaf.cert.notAfter);
    expect(Object.keys(r.platform.pcrs as object)).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("labels a debug enclave (PCR0, PCR1 or PCR2 all zero) insecure", async () => {
    for (const pcrs of [
      { 0: 0, 1: 0, 2: 0 },
      { 0: 0, 1: 7, 2: 7 },
      { 0: 7, 1: 0, 2: 7 },
      { 0: 7, 1: 7, 2: 0 },
    ]) {
      const r = verifyBytes(await signNitroDocument(pki, { fields: { pcrs: testPcrs(pcrs) } }), opts());
      expect(r.debug, JSON.stringify(pcrs)).toBe(true);
    }
  });

  it("accepts the tagged and the indefinite-length forms with the same claims; the hash is of the bytes given", async () => {
    const plain = await signNitroDocument(pki);
    const tagged = new Uint8Array([0xd2, ...plain]);
    const a = verifyBytes(plain, opts());
    const b = verifyBytes(tagged, opts());
    expect(b.claims).toStrictEqual(a.claims);
    expect(b.evidenceHash).toBe(keccak256(tagged));
    expect(b.evidenceHash).not.toBe(a.evidenceHash);
    expect(verifyBytes(await signNitroDocument(pki, { indefinitePayload: true }), opts()).claims).toStrictEqual(a.claims);
  });

  it("allows 5 s of clock skew by default, and exactly what it is told", async () => {
    const doc = await signNitroDocument(pki);
    const t = NITRO_TEST_TIME.getTime();
    expect(verifyBytes(doc, opts({ at: new Date(t - 5_000) })).ok).toBe(true);
    expect(errorOf(() => verifyBytes(doc, opts({ at: new Date(t - 5_001) })))?.code).toBe("NITRO_DOCUMENT_FROM_FUTURE");
    expect(verifyBytes(doc, opts({ at: new Date(t), clockToleranceMs: 0 })).ok).toBe(true);
    expect(errorOf(() => verifyBytes(doc, opts({ at: new Date(t - 1), clockToleranceMs: 0 })))?.code).toBe("NITRO_DOCUMENT_FROM_FUTURE");
  });

  it("pins the AWS root unless told otherwise", async () => {
    const doc = await signNitroDocument(pki);
    expect(errorOf(() => verifyBytes(doc, { at }))?.code).toBe("CERT_ROOT_UNTRUSTED");
  });

  type Row = {
    name: string;
    /** The PKI to sign with and trust (default: the shared one). */
    pki?: () => Promise<NitroTestPki>;
    build?: (pki: NitroTestPki) => Promise<Uint8Array>;
    options?: () => VerifyNitroDocumentOptions;
    wantError: string;
    wantMessage?: string;
  };
  const HOUR = 3_600_000;
  const T = NITRO_TEST_TIME.getTime();
  const rows: Row[] = [
    { name: "a root that is not trusted", options: () => ({ trustedRoots: [] }), wantError: "CERT_ROOT_UNTRUSTED" },
    { name: "another PKI's root", options: () => ({ trustedRoots: other.trustedRoots }), wantError: "CERT_ROOT_UNTRUSTED" },
    {
      name: "a leaf expired at the document time",
      pki: () => createNitroTestPki({ leafNotBefore: new Date(T - 4 * HOUR), leafNotAfter: new Date(T - 1000) }),
      wantError: "CERT_EXPIRED",
    },
    {
      name: "a leaf not yet valid at the document time",
      pki: () => createNitroTestPki({ leafNotBefore: new Date(T + 1000) }),
      wantError: "CERT_NOT_YET_VALID",
    },
    { name: "a document from the future", options: () => ({ at: new Date(T - HOUR) }), wantError: "NITRO_DOCUMENT_FROM_FUTURE" },
    {
      name: "a tampered payload",
      build: async (p) => {
        const signed = parseNitroDocument(await signNitroDocument(p));
        const payload = nitroTestPayload(p, { pcrs: testPcrs({ 0: 0x12, 1: 0x22, 2: 0x33, 3: 0, 4: 0x44 }) });
        return assembleCoseSign1({ protectedHeader: ES384_PROTECTED, payload, signature: signed.cose.signature });
      },
      wantError: "NITRO_SIGNATURE_INVALID",
    },
    {
      name: "a signature by another enclave's key",
      build: (p) => signNitroDocument(p, { signer: other.leaf }),
      wantError: "NITRO_SIGNATURE_INVALID",
    },
    {
      name: "a protected header re-encoded after signing",
      build: async (p) => {
        const signed = parseNitroDocument(await signNitroDocument(p));
        // {1: -35} as an indefinite map: the same header in other bytes. The signature covers bytes, not meaning.
        return assembleCoseSign1({
          protectedHeader: raw("bf 01 3822 ff").cborRaw,
          payload: signed.cose.payload,
          signature: signed.cose.signature,
        });
      },
      wantError: "NITRO_SIGNATURE_INVALID",
    },
    {
      name: "an all-zero signature",
      build: async (p) =>
        assembleCoseSign1({ protectedHeader: ES384_PROTECTED, payload: nitroTestPayload(p), signature: new Uint8Array(96) }),
      wantError: "NITRO_SIGNATURE_INVALID",
    },
    {
      name: "a leaf with a P-256 key",
      pki: () => createNitroTestPki({ leafKeyKind: "p256" }),
      // A P-256 signature is 64 bytes and would fail as malformed first: the key is refused before any signature check.
      build: async (p) =>
        assembleCoseSign1({ protectedHeader: ES384_PROTECTED, payload: nitroTestPayload(p), signature: new Uint8Array(96).fill(1) }),
      wantError: "NITRO_LEAF_KEY_UNSUPPORTED",
      wantMessage: "the document's certificate does not hold a P-384 key (certificate)",
    },
    {
      name: "a leaf without digitalSignature",
      pki: () => createNitroTestPki({ leafIsCa: true }),
      wantError: "NITRO_LEAF_KEY_UNSUPPORTED",
      wantMessage: "the document's certificate may not sign (no digitalSignature key usage) (certificate)",
    },
    {
      name: "a cabundle listed leaf side first",
      build: (p) =>
        signNitroDocument(p, {
          fields: {
            cabundle: [...p.intermediates]
              .reverse()
              .map((c) => c.cert.der)
              .concat([p.root.cert.der]),
          },
        }),
      // Reversed, the chain ends at the instance CA, which no trusted root issued.
      wantError: "CERT_ROOT_UNTRUSTED",
    },
    {
      name: "a cabundle missing the zonal CA",
      build: (p) =>
        signNitroDocument(p, { fields: { cabundle: [p.root.cert.der, p.intermediates[0]!.cert.der, p.intermediates[2]!.cert.der] } }),
      wantError: "CERT_CHAIN_BROKEN",
    },
    {
      name: "a cabundle that claims the AWS root",
      build: (p) =>
        signNitroDocument(p, { fields: { cabundle: [AWS_NITRO_ROOT_G1.certificate.der, ...p.intermediates.map((c) => c.cert.der)] } }),
      options: () => ({ trustedRoots: [AWS_NITRO_ROOT_G1] }),
      wantError: "CERT_CHAIN_BROKEN",
    },
    {
      name: "an invalid verification time",
      options: () => ({ at: new Date(Number.NaN) }),
      wantError: "NITRO_VERIFY_TIME_INVALID",
      wantMessage: "the verification time is not a valid date",
    },
  ];

  for (const row of rows) {
    it(`rejects ${row.name}: ${row.wantError}`, async () => {
      const p = row.pki ? await row.pki() : pki;
      const doc = await (row.build ?? ((q: NitroTestPki) => signNitroDocument(q)))(p);
      const e = errorOf(() => verifyBytes(doc, { at, trustedRoots: p.trustedRoots, ...row.options?.() }));
      expect(e?.code).toBe(row.wantError);
      if (row.wantMessage !== undefined) expect(e?.message).toBe(row.wantMessage);
    });
  }

  it("accepts the other ECDSA signature (r, n−s) of the same document: evidenceHash does not name a document uniquely", async () => {
    const n = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
    const doc = parseNitroDocument(await signNitroDocument(pki));
    const s = BigInt(`0x${Buffer.from(doc.cose.signature.subarray(48)).toString("hex")}`);
    const flipped = new Uint8Array(doc.cose.signature);
    flipped.set(Buffer.from((n - s).toString(16).padStart(96, "0"), "hex"), 48);
    const twin = assembleCoseSign1({ protectedHeader: doc.cose.protectedHeader, payload: doc.cose.payload, signature: flipped });
    const a = verifyBytes(doc.raw, opts());
    const b = verifyBytes(twin, opts());
    expect(b.claims).toStrictEqual(a.claims);
    expect(b.evidenceHash).not.toBe(a.evidenceHash);
  });
});

describe("encodeSigStructure", () => {
  it("encodes [\"Signature1\", protected, h'', payload] byte for byte like an independent encoder", () => {
    for (const size of [0, 23, 24, 255, 256, 4422, 65535, 65536]) {
      const payload = new Uint8Array(size).fill(7);
      expect(
        Buffer.from(encodeSigStructure(ES384_PROTECTED, payload)).equals(
          encodeCbor(["Signature1", ES384_PROTECTED, new Uint8Array(0), payload]),
        ),
        String(size),
      ).toBe(true);
    }
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 40 }),
        (p, payload, aad) => {
          expect(Buffer.from(encodeSigStructure(p, payload, aad)).equals(encodeCbor(["Signature1", p, aad, payload]))).toBe(true);
        },
      ),
      { numRuns: Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000) },
    );
  });

  it('starts as RFC 9052 says: array(4), text(10) "Signature1"', () => {
    const out = encodeSigStructure(ES384_PROTECTED, new Uint8Array(0));
    expect(Buffer.from(out).toString("hex")).toBe(`84 6a ${Buffer.from("Signature1").toString("hex")} 44 a1013822 40 40`.replace(/ /g, ""));
    expect([...cborHead(2, 70000)]).toEqual([0x5a, 0x00, 0x01, 0x11, 0x70]);
  });
});
