import { describe, expect, it } from "vitest";
import { codeOf } from "../../../test/support/dcapFixtures.ts";
import { expectedOf, fixtureBytes, setsOf } from "../../../test/support/fixtures.ts";
import { parseSgxQuote } from "../sgx/parseSgxQuote.ts";
import { parseTdxQuote } from "../tdx/parseTdxQuote.ts";
import { parseDcapQuote } from "./parseDcapQuote.ts";
import type { EnclaveReport } from "./types.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const SETS = (["sgx", "tdx"] as const).flatMap((kind) => setsOf(kind).map((name) => ({ kind, name })));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectEnclaveReport(r: EnclaveReport, e: any): void {
  expect(hex(r.cpuSvn)).toBe(e.cpusvn);
  expect(r.miscSelect).toBe(e.miscselect);
  expect(hex(r.attributes)).toBe(e.attributes);
  expect(hex(r.mrEnclave)).toBe(e.mrenclave);
  expect(hex(r.mrSigner)).toBe(e.mrsigner);
  expect(r.isvProdId).toBe(e.isvprodid);
  expect(r.isvSvn).toBe(e.isvsvn);
  expect(hex(r.reportData)).toBe(e.report_data);
}

describe("parseDcapQuote on the real quotes", () => {
  for (const { kind, name } of SETS) {
    it(`${kind}/${name}: every field expected.json lists`, () => {
      const bytes = fixtureBytes(kind, name, "quote.bin");
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const e = expectedOf(kind, name).quote as any;
      const q = kind === "sgx" ? parseSgxQuote(bytes) : parseTdxQuote(bytes);
      expect(q.raw.length).toBe(e.size);
      expect(q.header).toMatchObject({
        version: e.header.version,
        attestationKeyType: e.header.att_key_type,
        teeType: e.header.tee_type,
        qeSvn: e.header.qe_svn,
        pceSvn: e.header.pce_svn,
      });
      expect(hex(q.header.qeVendorId)).toBe(e.header.qe_vendor_id);
      expect(hex(q.header.userData)).toBe(e.header.user_data);
      expect(hex(q.signature.attestationKey)).toBe(e.attestation_pubkey);
      expect(q.signature.outerCertificationDataType ?? null).toBe(e.outer_cert_data_type);
      expect(q.signature.pckChain.certificates).toHaveLength(3);
      expect(q.trailingZeroBytes).toBe(e.trailing_bytes_after_signature_data);
      expectEnclaveReport(q.signature.qeReport, e.qe_report);
      if (q.tee === "sgx") {
        expectEnclaveReport(q.body, e.report);
        expect(q.signedRegion.length).toBe(48 + 384);
      } else {
        const r = e.report;
        expect(q.body.kind).toBe(e.report_kind);
        expect(q.bodyType).toBe(e.header.body_type);
        for (const [field, key] of [
          ["teeTcbSvn", "tee_tcb_svn"],
          ["mrSeam", "mrseam"],
          ["mrSignerSeam", "mrsignerseam"],
          ["seamAttributes", "seam_attributes"],
          ["tdAttributes", "td_attributes"],
          ["xfam", "xfam"],
          ["mrTd", "mrtd"],
          ["mrConfigId", "mrconfigid"],
          ["mrOwner", "mrowner"],
          ["mrOwnerConfig", "mrownerconfig"],
          ["rtmr0", "rtmr0"],
          ["rtmr1", "rtmr1"],
          ["rtmr2", "rtmr2"],
          ["rtmr3", "rtmr3"],
          ["reportData", "report_data"],
        ] as const) {
          expect(hex(q.body[field]), field).toBe(r[key]);
        }
        if (q.body.kind === "td15") {
          expect(hex(q.body.teeTcbSvn2!)).toBe(r.tee_tcb_svn2);
          expect(hex(q.body.mrServiceTd!)).toBe(r.mrservicetd);
        }
        expect(q.signedRegion.length).toBe(48 + (q.header.version === 5 ? 6 : 0) + q.body.raw.length);
      }
    });

    it(`${kind}/${name}: every truncation fails with a typed format error`, () => {
      const bytes = fixtureBytes(kind, name, "quote.bin");
      const q = parseDcapQuote(bytes);
      const end = bytes.length - q.trailingZeroBytes;
      for (let n = 0; n < end; n++) {
        const code = codeOf(() => parseDcapQuote(bytes.subarray(0, n)));
        expect(["EVIDENCE_EMPTY", "EVIDENCE_TRUNCATED"], `length ${n}`).toContain(code);
      }
      // The padding is all or nothing: cutting into it is refused, cutting all of it off is the unpadded quote.
      for (let n = end + 1; n < bytes.length; n++)
        expect(
          codeOf(() => parseDcapQuote(bytes.subarray(0, n))),
          `length ${n}`,
        ).toBe("DCAP_TRAILING_DATA");
      expect(parseDcapQuote(bytes.subarray(0, end)).trailingZeroBytes).toBe(0);
    });
  }
});

describe("parseDcapQuote on edited bytes", () => {
  const sgx = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
  const tdx = fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin");
  const v5 = fixtureBytes("tdx", "dcapqvl-tdx-v5-no-tcb-match", "quote.bin");
  const edit = (b: Uint8Array, f: (v: DataView, b: Uint8Array) => void) => {
    const c = new Uint8Array(b);
    f(new DataView(c.buffer), c);
    return c;
  };
  // SGX v3 offsets: signature data length at 432, auth length at 1012, cert type/size at 1046/1048.
  // TDX v4: signature data length at 632; outer type/size at 764/766; auth length at 1218; inner type/size at 1252/1254.
  const table: Array<{ name: string; input: Uint8Array; wantError: string }> = [
    { name: "empty", input: new Uint8Array(0), wantError: "EVIDENCE_EMPTY" },
    { name: "version 2", input: edit(sgx, (v) => v.setUint16(0, 2, true)), wantError: "DCAP_QUOTE_VERSION_UNSUPPORTED" },
    {
      name: "attestation key type 3 (ECDSA P-384)",
      input: edit(sgx, (v) => v.setUint16(2, 3, true)),
      wantError: "DCAP_ATTESTATION_KEY_TYPE_UNSUPPORTED",
    },
    { name: "v3 claiming TDX", input: edit(sgx, (v) => v.setUint32(4, 0x81, true)), wantError: "DCAP_TEE_TYPE_UNSUPPORTED" },
    { name: "v4 claiming SGX", input: edit(tdx, (v) => v.setUint32(4, 0, true)), wantError: "DCAP_TEE_TYPE_UNSUPPORTED" },
    {
      name: "signature data length one short",
      input: edit(sgx, (v) => v.setUint32(432, v.getUint32(432, true) - 1, true)),
      wantError: "EVIDENCE_TRUNCATED",
    },
    {
      name: "signature data length one long",
      input: edit(sgx, (v) => v.setUint32(432, v.getUint32(432, true) + 1, true)),
      wantError: "EVIDENCE_TRUNCATED",
    },
    { name: "signature data length 2^32-1", input: edit(sgx, (v) => v.setUint32(432, 0xffffffff, true)), wantError: "EVIDENCE_TRUNCATED" },
    {
      name: "QE auth data length one long",
      input: edit(sgx, (v) => v.setUint16(1012, 33, true)),
      wantError: "DCAP_CERTIFICATION_DATA_UNSUPPORTED",
    },
    {
      name: "PCK chain size one short",
      input: edit(sgx, (v) => v.setUint32(1048, v.getUint32(1048, true) - 1, true)),
      wantError: "EVIDENCE_TRAILING_BYTES",
    },
    {
      name: "PCK chain size one long",
      input: edit(sgx, (v) => v.setUint32(1048, v.getUint32(1048, true) + 1, true)),
      wantError: "EVIDENCE_TRUNCATED",
    },
    {
      name: "certification data type 3 (encrypted PPID)",
      input: edit(sgx, (v) => v.setUint16(1046, 3, true)),
      wantError: "DCAP_CERTIFICATION_DATA_UNSUPPORTED",
    },
    {
      name: "TDX outer certification type 5",
      input: edit(tdx, (v) => v.setUint16(764, 5, true)),
      wantError: "DCAP_CERTIFICATION_DATA_UNSUPPORTED",
    },
    {
      name: "TDX outer size one short",
      input: edit(tdx, (v) => v.setUint32(766, v.getUint32(766, true) - 1, true)),
      wantError: "EVIDENCE_TRUNCATED",
    },
    {
      name: "TDX inner size one long",
      input: edit(tdx, (v) => v.setUint32(1254, v.getUint32(1254, true) + 1, true)),
      wantError: "EVIDENCE_TRUNCATED",
    },
    { name: "v5 body type SGX", input: edit(v5, (v) => v.setUint16(48, 1, true)), wantError: "DCAP_BODY_TYPE_UNSUPPORTED" },
    { name: "v5 body size lying", input: edit(v5, (v) => v.setUint32(50, 584, true)), wantError: "DCAP_BODY_TYPE_UNSUPPORTED" },
    { name: "non-zero byte in the padding", input: edit(tdx, (_, b) => (b[b.length - 1] = 1)), wantError: "DCAP_TRAILING_DATA" },
    { name: "non-zero byte appended", input: new Uint8Array([...sgx, 0, 0, 7]), wantError: "DCAP_TRAILING_DATA" },
    {
      name: "text after the PEM chain",
      input: edit(sgx, (_, b) => (b[b.length - 1] = 0x41)),
      wantError: "DCAP_CERTIFICATION_DATA_MALFORMED",
    },
  ];
  for (const row of table) {
    it(row.name, () => expect(codeOf(() => parseDcapQuote(row.input))).toBe(row.wantError));
  }

  it("accepts only the padding real v4 quotes carry: 70 zero bytes", () => {
    const unpadded = tdx.subarray(0, tdx.length - 70);
    expect(parseDcapQuote(unpadded).trailingZeroBytes).toBe(0);
    expect(parseDcapQuote(tdx).trailingZeroBytes).toBe(70);
    expect(codeOf(() => parseDcapQuote(new Uint8Array([...sgx, 0, 0, 0])))).toBe("DCAP_TRAILING_DATA");
    expect(codeOf(() => parseDcapQuote(new Uint8Array([...unpadded, 0, 0, 0])))).toBe("DCAP_TRAILING_DATA");
  });

  it("pins its messages", () => {
    expect(() => parseDcapQuote(sgx.subarray(0, 100))).toThrow("evidence truncated while reading quote.body (quote.body at offset 48)");
    expect(() => parseDcapQuote(edit(tdx, (_, b) => (b[b.length - 1] = 1)))).toThrow(
      "non-zero bytes after the quote signature data (quote.trailing at offset 5005)",
    );
  });

  it("keeps the kinds apart", () => {
    expect(codeOf(() => parseSgxQuote(tdx))).toBe("DCAP_TEE_TYPE_UNSUPPORTED");
    expect(codeOf(() => parseTdxQuote(sgx))).toBe("DCAP_TEE_TYPE_UNSUPPORTED");
  });
});
