import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, setsOf } from "../../../test/support/fixtures.ts";
import { cborHead, encodeCbor, raw, type CborInput } from "../../../test/support/nitroCbor.ts";
import {
  assembleCoseSign1,
  createNitroTestPki,
  ES384_PROTECTED,
  nitroTestFields,
  nitroTestPayload,
  OMIT,
  signNitroDocument,
  testPcrs,
  type NitroTestPki,
  type SignNitroOptions,
} from "../../../test/support/nitroTestSigner.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { parseNitroDocument } from "./parseNitroDocument.ts";

interface ExpectedNitro {
  cose: { tagged: boolean; length: number; signature_len: number };
  document: {
    module_id: string;
    digest: string;
    timestamp_ms: number;
    pcrs: Record<string, string>;
    public_key: string | null;
    user_data: string | null;
    nonce: string | null;
  };
  certs: Record<string, { "sha256 Fingerprint": string }>;
}

function errorOf(fn: () => unknown): { code: string; message: string; field: string | undefined } | undefined {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return { code: e.code, message: e.message, field: e.at?.field };
  }
  return undefined;
}

const fingerprint = (f: string): string => f.replace(/:/g, "").toLowerCase();
const hexOrNull = (h: string | null): string | null => (h === null ? null : `0x${h}`);

describe("parseNitroDocument on the real vectors", () => {
  for (const set of setsOf("nitro")) {
    it(`${set}: reads every field as expected.json lists it`, () => {
      const bytes = fixtureBytes("nitro", set, "attestation_doc.cose");
      const want = expectedOf("nitro", set) as unknown as ExpectedNitro;
      const doc = parseNitroDocument(bytes);
      expect(bytes.length).toBe(want.cose.length);
      expect(doc.cose.tagged).toBe(want.cose.tagged);
      expect(doc.cose.alg).toBe(-35);
      expect(doc.cose.signature.length).toBe(want.cose.signature_len);
      expect(doc.moduleId).toBe(want.document.module_id);
      expect(doc.digest).toBe(want.document.digest);
      expect(doc.timestamp).toBe(want.document.timestamp_ms);
      expect(Object.fromEntries([...doc.pcrs].map(([i, v]) => [String(i), toHex(v).slice(2)]))).toEqual(want.document.pcrs);
      expect(doc.publicKey && toHex(doc.publicKey)).toBe(hexOrNull(want.document.public_key));
      expect(doc.userData && toHex(doc.userData)).toBe(hexOrNull(want.document.user_data));
      expect(doc.nonce && toHex(doc.nonce)).toBe(hexOrNull(want.document.nonce));
      expect(doc.certificate.fingerprint).toBe(fingerprint(want.certs.leaf!["sha256 Fingerprint"]));
      expect(doc.cabundle.map((c) => c.fingerprint)).toEqual(
        [0, 1, 2, 3].map((i) => fingerprint(want.certs[`cabundle[${i}]`]!["sha256 Fingerprint"])),
      );
      expect(doc.raw).toEqual(bytes);
      expect(doc.raw).not.toBe(bytes); // a private copy
    });
  }

  it("keeps its own copy: changing the caller's Buffer afterwards changes nothing", () => {
    const buffer = Buffer.from(fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose"));
    const doc = parseNitroDocument(buffer);
    const before = Buffer.from(doc.cose.signature).toString("hex");
    buffer.fill(0);
    expect(Buffer.from(doc.cose.signature).toString("hex")).toBe(before);
    expect(doc.raw[0]).toBe(0x84);
  });

  it("keeps the exact signed bytes: the four COSE elements tile the input", () => {
    const bytes = fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose");
    const { spans, protectedHeader, payload } = parseNitroDocument(bytes).cose;
    expect(spans.protected.start).toBe(1);
    expect(spans.unprotected.start).toBe(spans.protected.end);
    expect(spans.payload.start).toBe(spans.unprotected.end);
    expect(spans.signature.start).toBe(spans.payload.end);
    expect(spans.signature.end).toBe(bytes.length);
    expect([...protectedHeader]).toEqual([0xa1, 0x01, 0x38, 0x22]);
    expect(Buffer.from(payload).equals(bytes.subarray(spans.payload.end - payload.length, spans.payload.end))).toBe(true);
  });
});

/** A payload with one field twice: Maps cannot hold that, so splice the bytes. */
function payloadWithDuplicate(pki: NitroTestPki, key: string, value: CborInput): Uint8Array {
  const fields = nitroTestFields(pki);
  const entries = [...fields].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)]);
  return new Uint8Array(Buffer.concat([cborHead(5, fields.size + 1), ...entries, encodeCbor(key), encodeCbor(value)]));
}

describe("parseNitroDocument on documents from the test signer", () => {
  let pki: NitroTestPki;
  beforeAll(async () => {
    pki = await createNitroTestPki();
  });

  it("parses a well-formed document, definite or indefinite, tagged or not", async () => {
    for (const options of [{}, { indefinitePayload: true }, { tagged: true }] satisfies SignNitroOptions[]) {
      const doc = parseNitroDocument(await signNitroDocument(pki, options));
      expect(doc.moduleId).toBe("i-0123456789abcdef0-enc0123456789abcdef");
      expect(doc.cose.tagged).toBe(options.tagged === true);
      expect([...doc.pcrs.keys()]).toEqual([0, 1, 2, 3, 4]);
      expect(doc.publicKey).toBeNull();
      expect(doc.userData?.length).toBe(64);
      expect(doc.cabundle).toHaveLength(4);
    }
  });

  it("accepts every field at its size limit, and absent optional fields", async () => {
    const big = await signNitroDocument(pki, {
      fields: {
        public_key: new Uint8Array(1024),
        user_data: new Uint8Array(512),
        nonce: new Uint8Array(512),
        pcrs: testPcrs(Object.fromEntries(Array.from({ length: 32 }, (_, i) => [i, i]))),
      },
    });
    const doc = parseNitroDocument(big);
    expect([doc.publicKey?.length, doc.userData?.length, doc.nonce?.length, doc.pcrs.size]).toEqual([1024, 512, 512, 32]);
    const bare = parseNitroDocument(await signNitroDocument(pki, { fields: { public_key: OMIT, user_data: OMIT, nonce: OMIT } }));
    expect([bare.publicKey, bare.userData, bare.nonce]).toEqual([null, null, null]);
    const eight = await createNitroTestPki({ intermediates: 7 });
    expect(parseNitroDocument(await signNitroDocument(eight)).cabundle).toHaveLength(8);
  });

  type Row = { name: string; options: () => SignNitroOptions | Uint8Array; wantError: string; field?: string; wantMessage?: string };
  const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);
  const rows: Row[] = [
    ...["module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"].map((f) => ({
      name: `missing ${f}`,
      options: (): SignNitroOptions => ({ fields: { [f]: OMIT } }),
      wantError: "NITRO_FIELD_MISSING",
      field: f,
      wantMessage: `the attestation document has no ${f} (${f})`,
    })),
    {
      name: "missing PCR0",
      options: () => ({ fields: { pcrs: testPcrs({ 1: 1, 2: 2 }) } }),
      wantError: "NITRO_FIELD_MISSING",
      field: "pcrs[0]",
      wantMessage: "pcrs has no PCR0 (pcrs[0])",
    },
    {
      name: "missing PCR2",
      options: () => ({ fields: { pcrs: testPcrs({ 0: 1, 1: 2, 3: 3 }) } }),
      wantError: "NITRO_FIELD_MISSING",
      field: "pcrs[2]",
    },
    {
      name: "module_id as bytes",
      options: () => ({ fields: { module_id: bytes(4) } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "module_id",
      wantMessage: "module_id must be a text string, not bytes (module_id)",
    },
    { name: "empty module_id", options: () => ({ fields: { module_id: "" } }), wantError: "NITRO_FIELD_INVALID", field: "module_id" },
    {
      name: "digest SHA256",
      options: () => ({ fields: { digest: "SHA256" } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "digest",
      wantMessage: 'digest "SHA256" is not SHA384 (digest)',
    },
    { name: "digest as an integer", options: () => ({ fields: { digest: 384 } }), wantError: "NITRO_FIELD_TYPE", field: "digest" },
    { name: "negative timestamp", options: () => ({ fields: { timestamp: -1 } }), wantError: "NITRO_FIELD_TYPE", field: "timestamp" },
    {
      name: "timestamp as text",
      options: () => ({ fields: { timestamp: "1766668537578" } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "timestamp",
    },
    { name: "timestamp as null", options: () => ({ fields: { timestamp: null } }), wantError: "NITRO_FIELD_TYPE", field: "timestamp" },
    {
      name: "timestamp past the range of dates",
      options: () => ({ fields: { timestamp: 2n ** 63n } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "timestamp",
    },
    { name: "pcrs as an array", options: () => ({ fields: { pcrs: [bytes(48)] } }), wantError: "NITRO_FIELD_TYPE", field: "pcrs" },
    { name: "empty pcrs", options: () => ({ fields: { pcrs: new Map() } }), wantError: "NITRO_FIELD_INVALID", field: "pcrs" },
    {
      name: "33 PCRs",
      options: () => ({ fields: { pcrs: testPcrs(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [i, 1]))) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "pcrs",
    },
    {
      name: "PCR index 32",
      options: () => ({ fields: { pcrs: testPcrs({ 0: 1, 1: 1, 2: 1, 32: 1 }) } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "pcrs[32]",
      wantMessage: "PCR index 32 is out of range 0..31 (pcrs[32])",
    },
    {
      name: "negative PCR index",
      options: () => ({ fields: { pcrs: new Map<CborInput, CborInput>([...testPcrs(), [-1, bytes(48)]]) } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "pcrs",
    },
    {
      name: "text PCR index",
      options: () => ({ fields: { pcrs: new Map<CborInput, CborInput>([...testPcrs(), ["5", bytes(48)]]) } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "pcrs",
    },
    {
      name: "32-byte PCR under SHA384",
      options: () => ({ fields: { pcrs: new Map<CborInput, CborInput>([...testPcrs(), [5, bytes(32)]]) } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "pcrs[5]",
      wantMessage: "pcrs[5] is 32 bytes; a SHA384 PCR is 48 (pcrs[5])",
    },
    {
      name: "64-byte PCR under SHA384",
      options: () => ({ fields: { pcrs: new Map<CborInput, CborInput>([...testPcrs(), [0, bytes(64)]]) } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "pcrs[0]",
    },
    {
      name: "PCR as text",
      options: () => ({ fields: { pcrs: new Map<CborInput, CborInput>([...testPcrs(), [6, "00"]]) } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "pcrs[6]",
    },
    {
      name: "certificate as text",
      options: () => ({ fields: { certificate: "MIIC" } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "certificate",
    },
    {
      name: "empty certificate",
      options: () => ({ fields: { certificate: bytes(0) } }),
      wantError: "NITRO_FIELD_INVALID",
      field: "certificate",
    },
    {
      name: "certificate over 4 KiB",
      options: () => ({ fields: { certificate: bytes(4097, 0x30) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "certificate",
      wantMessage: "certificate is longer than 4096 bytes (certificate)",
    },
    {
      name: "certificate whose length runs past its end",
      options: () => ({ fields: { certificate: Uint8Array.of(0x30, 0x82, 0x01, 0x2c, ...bytes(10)) } }),
      wantError: "EVIDENCE_DER_MALFORMED",
      field: "certificate",
    },
    // 0x30 0x30 … reads as a 48-byte SEQUENCE followed by 250 bytes nothing may follow.
    {
      name: "certificate followed by trailing bytes",
      options: () => ({ fields: { certificate: bytes(300, 0x30) } }),
      wantError: "DER_TRAILING_DATA",
      field: "certificate",
    },
    { name: "cabundle as bytes", options: () => ({ fields: { cabundle: bytes(10) } }), wantError: "NITRO_FIELD_TYPE", field: "cabundle" },
    { name: "empty cabundle", options: () => ({ fields: { cabundle: [] } }), wantError: "NITRO_FIELD_INVALID", field: "cabundle" },
    {
      name: "9 cabundle entries",
      options: () => ({ fields: { cabundle: Array.from({ length: 9 }, () => pki.root.cert.der) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "cabundle",
    },
    {
      name: "cabundle entry as text",
      options: () => ({ fields: { cabundle: [pki.root.cert.der, "x"] } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "cabundle[1]",
    },
    {
      name: "cabundle entry over 4 KiB",
      options: () => ({ fields: { cabundle: [pki.root.cert.der, bytes(4097)] } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "cabundle[1]",
    },
    {
      name: "public_key over 1024 bytes",
      options: () => ({ fields: { public_key: bytes(1025) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "public_key",
    },
    {
      name: "user_data over 512 bytes",
      options: () => ({ fields: { user_data: bytes(513) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "user_data",
    },
    {
      name: "nonce over 512 bytes",
      options: () => ({ fields: { nonce: bytes(513) } }),
      wantError: "NITRO_FIELD_TOO_LARGE",
      field: "nonce",
      wantMessage: "nonce is longer than 512 bytes (nonce)",
    },
    {
      name: "public_key as text",
      options: () => ({ fields: { public_key: "dummy" } }),
      wantError: "NITRO_FIELD_TYPE",
      field: "public_key",
    },
    { name: "user_data as false", options: () => ({ fields: { user_data: false } }), wantError: "NITRO_FIELD_TYPE", field: "user_data" },
    { name: "nonce as an array", options: () => ({ fields: { nonce: [] } }), wantError: "NITRO_FIELD_TYPE", field: "nonce" },
    {
      name: "an unknown field",
      options: () => ({ fields: { pcr_bank: "x" } }),
      wantError: "NITRO_FIELD_UNKNOWN",
      field: "pcr_bank",
      wantMessage: 'unknown attestation document field "pcr_bank" (pcr_bank)',
    },
    {
      name: "an integer field name",
      options: () => ({ payload: encodeCbor(new Map<CborInput, CborInput>([...nitroTestFields(pki), [1, 1]])) }),
      wantError: "NITRO_FIELD_TYPE",
      field: "payload",
    },
    {
      name: "a duplicate field",
      options: () => ({ payload: payloadWithDuplicate(pki, "module_id", "i-attacker") }),
      wantError: "NITRO_CBOR_DUPLICATE_KEY",
      field: "payload",
    },
    { name: "payload as an array", options: () => ({ payload: encodeCbor([1, 2]) }), wantError: "NITRO_FIELD_TYPE", field: "payload" },
    {
      name: "payload with trailing bytes",
      options: () => ({ payload: new Uint8Array([...nitroTestPayload(pki), 0]) }),
      wantError: "EVIDENCE_TRAILING_BYTES",
      field: "payload",
    },
    {
      name: "payload with a float",
      options: () => ({ fields: { timestamp: raw("fb 4279b55a68bd2000") } }),
      wantError: "NITRO_CBOR_UNSUPPORTED",
      field: "payload",
    },
    {
      name: "payload with a tag",
      options: () => ({ fields: { timestamp: raw("c1 1a 5f5e1000") } }),
      wantError: "NITRO_CBOR_UNSUPPORTED",
      field: "payload",
    },
    {
      name: "alg ES256 (-7)",
      options: () => ({ protectedHeader: encodeCbor(new Map([[1, -7]])) }),
      wantError: "NITRO_COSE_ALG_UNSUPPORTED",
      field: "protected header.alg",
      wantMessage: "COSE algorithm -7 is not ES384 (-35) (protected header.alg)",
    },
    {
      name: "alg as text",
      options: () => ({ protectedHeader: encodeCbor(new Map([[1, "ES384"]])) }),
      wantError: "NITRO_COSE_ALG_UNSUPPORTED",
      field: "protected header.alg",
    },
    {
      name: "protected header without alg",
      options: () => ({ protectedHeader: encodeCbor(new Map()) }),
      wantError: "NITRO_COSE_HEADER_INVALID",
      field: "protected header.alg",
    },
    {
      name: "empty protected header",
      options: () => ({ protectedHeader: bytes(0) }),
      wantError: "NITRO_COSE_HEADER_INVALID",
      field: "protected header.alg",
    },
    {
      name: "protected crit parameter",
      options: () => ({
        protectedHeader: encodeCbor(
          new Map<CborInput, CborInput>([
            [1, -35],
            [2, [4]],
          ]),
        ),
      }),
      wantError: "NITRO_COSE_HEADER_INVALID",
      field: "protected header",
    },
    {
      name: "protected header as an array",
      options: () => ({ protectedHeader: encodeCbor([1, -35]) }),
      wantError: "NITRO_COSE_HEADER_INVALID",
      field: "protected header",
    },
    {
      name: "duplicate alg",
      options: () => ({ protectedHeader: raw("a2 01 3822 01 3822").cborRaw }),
      wantError: "NITRO_CBOR_DUPLICATE_KEY",
      field: "protected header",
    },
    {
      name: "non-empty unprotected header",
      options: () => ({ unprotected: encodeCbor(new Map([[4, bytes(1)]])) }),
      wantError: "NITRO_COSE_HEADER_INVALID",
      field: "unprotected header",
      wantMessage: "the COSE unprotected header must be empty (unprotected header)",
    },
    {
      name: "indefinite unprotected header",
      options: () => ({ unprotected: raw("bfff").cborRaw }),
      wantError: "NITRO_CBOR_INDEFINITE_LENGTH",
      field: "unprotected header",
    },
    {
      name: "unprotected header as an array",
      options: () => ({ unprotected: raw("80").cborRaw }),
      wantError: "NITRO_COSE_MALFORMED",
      field: "unprotected header",
    },
  ];

  for (const row of rows) {
    it(`rejects ${row.name}: ${row.wantError}`, async () => {
      const opts = row.options();
      const doc = opts instanceof Uint8Array ? opts : await signNitroDocument(pki, opts);
      const e = errorOf(() => parseNitroDocument(doc));
      expect(e?.code).toBe(row.wantError);
      if (row.field !== undefined) expect(e?.field).toBe(row.field);
      if (row.wantMessage !== undefined) expect(e?.message).toBe(row.wantMessage);
    });
  }

  it("rejects broken envelopes", async () => {
    const payload = nitroTestPayload(pki);
    const signature = bytes(96, 1);
    const good = assembleCoseSign1({ protectedHeader: ES384_PROTECTED, payload, signature });
    const shortSignature = encodeCbor([ES384_PROTECTED, raw("a0"), payload, bytes(95)]);
    const envelope: Array<{ name: string; input: Uint8Array; wantError: string; wantMessage?: string }> = [
      { name: "empty input", input: bytes(0), wantError: "EVIDENCE_EMPTY", wantMessage: "the Nitro attestation document is empty" },
      { name: "over 16 KiB", input: new Uint8Array([...good, ...bytes(16 * 1024)]), wantError: "NITRO_DOCUMENT_TOO_LARGE" },
      {
        name: "three elements",
        input: encodeCbor([ES384_PROTECTED, raw("a0"), payload]),
        wantError: "NITRO_COSE_MALFORMED",
        wantMessage: "COSE_Sign1 must have 4 elements, not 3 (COSE_Sign1 at offset 0)",
      },
      { name: "a map", input: encodeCbor(new Map([[1, 1]])), wantError: "NITRO_COSE_MALFORMED" },
      {
        name: "tag 17 (COSE_Mac0)",
        input: new Uint8Array([0xd1, ...good]),
        wantError: "NITRO_COSE_MALFORMED",
        wantMessage: "CBOR tag 17 is not COSE_Sign1 (18) (COSE_Sign1 at offset 0)",
      },
      { name: "tag 18 in a long form", input: new Uint8Array([0xd8, 0x12, ...good]), wantError: "NITRO_CBOR_NON_CANONICAL" },
      { name: "tag 18 twice", input: new Uint8Array([0xd2, 0xd2, ...good]), wantError: "NITRO_COSE_MALFORMED" },
      { name: "indefinite array", input: new Uint8Array([0x9f, ...good.subarray(1), 0xff]), wantError: "NITRO_CBOR_INDEFINITE_LENGTH" },
      { name: "payload as text", input: encodeCbor([ES384_PROTECTED, raw("a0"), "payload", signature]), wantError: "NITRO_COSE_MALFORMED" },
      {
        name: "protected header as a map",
        input: encodeCbor([new Map([[1, -35]]), raw("a0"), payload, signature]),
        wantError: "NITRO_COSE_MALFORMED",
      },
      {
        name: "signature of 95 bytes",
        input: shortSignature,
        wantError: "NITRO_COSE_SIGNATURE_MALFORMED",
        wantMessage: `the COSE signature is not 96 bytes (ES384 r‖s) (signature at offset ${shortSignature.length - 2 - 95})`, // head 58 5f, then 95 bytes
      },
      {
        name: "signature as DER",
        input: encodeCbor([ES384_PROTECTED, raw("a0"), payload, bytes(104, 0x30)]),
        wantError: "NITRO_COSE_SIGNATURE_MALFORMED",
      },
      { name: "a trailing byte", input: new Uint8Array([...good, 0]), wantError: "EVIDENCE_TRAILING_BYTES" },
      { name: "a cut-off signature", input: good.subarray(0, good.length - 1), wantError: "EVIDENCE_TRUNCATED" },
      { name: "a cut-off payload length", input: good.subarray(0, 8), wantError: "EVIDENCE_TRUNCATED" },
    ];
    for (const row of envelope) {
      const e = errorOf(() => parseNitroDocument(row.input));
      expect(e?.code, row.name).toBe(row.wantError);
      if (row.wantMessage !== undefined) expect(e?.message, row.name).toBe(row.wantMessage);
    }
  });
});
