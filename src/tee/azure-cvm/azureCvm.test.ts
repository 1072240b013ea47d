import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import { EvidenceFormatError, InfrastructureError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { fromHex, toHex } from "@keepledger/sdk/internal/util/bytes";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { AZURE_CVM_REPORT_DATA } from "@keepledger/sdk/internal/tee/azure-cvm/measurement";
import {
  AZURE_CVM_MEASUREMENT_LENGTH,
  azureCvmMeasurementFromVerified,
  azureCvmMeasurementMatches,
  decodeAzureCvmMeasurement,
  encodeAzureCvmMeasurement,
} from "@keepledger/sdk/internal/tee/azure-cvm/measurement";
import { detectAzureEvidenceFile, readEvidenceFile, type AzureEvidenceFile } from "./evidenceFile.ts";
import { parseAzureEvidence } from "./parseAzureEvidence.ts";
import { parseHclReport } from "./parseHclReport.ts";
import { parseRuntimeData } from "./parseRuntimeData.ts";
import { parseTpmAttest, parseTpmSignature } from "./parseTpmQuote.ts";
import { verifyAzureEvidence, type VerifyAzureEvidenceOptions } from "./verifyAzureEvidence.ts";

/** The vector sets and their evidence file, as the vector folders hold them. */
const AZURE_SETS = [
  { set: "az-snp-vtpm-milan-2025-v1", file: "evidence-v1.json", hardware: "snp" },
  { set: "az-snp-vtpm-genoa", file: "evidence-genoa.json", hardware: "snp" },
  { set: "az-tdx-vtpm", file: "evidence-v1.json", hardware: "tdx" },
] as const;

/** The set's folder as collateral, exactly as `--collateral <dir>` reads it. */
function folderCollateral(set: string): VerifyAzureEvidenceOptions["collateral"] {
  const dir = fixturePath("azure-cvm", set);
  return staticCollateral(readdirSync(dir).map((name) => ({ name, bytes: fixtureBytes("azure-cvm", set, name) }))).collateral;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
  return "accepted";
}

interface KeyClaims {
  measurement?: string;
  mrtd?: string;
  report_data: string;
  pcrs_sha256: string[];
  tpm_quote_extra_data: string;
  vm_configuration: Record<string, unknown>;
}

describe.each(AZURE_SETS)("Azure CVM vector $set", ({ set, file, hardware }) => {
  const expected = expectedOf("azure-cvm", set) as unknown as {
    verify_at: string;
    expected_result: string;
    expected_report_data: string;
    key_claims: KeyClaims;
  };
  const bytes = fixtureBytes("azure-cvm", set, file);
  const at = new Date(expected.verify_at);
  const collateral = folderCollateral(set);

  it("is detected and parses into the hardware report, runtime data, TPM quote and PCRs the vector describes", () => {
    expect(detectAzureEvidenceFile(bytes)).toBe(true);
    const e = parseAzureEvidence(bytes);
    expect(e.hardware.kind).toBe(hardware);
    expect(e.hcl.hardware).toBe(hardware);
    expect(toHex(e.tpmQuote.attest.extraData)).toBe(`0x${expected.key_claims.tpm_quote_extra_data}`);
    expect(e.tpmQuote.attest.pcrSelection).toEqual([...Array(24).keys()]);
    expect(e.pcrs.map((p) => toHex(p).slice(2))).toEqual(expected.key_claims.pcrs_sha256);
    expect(e.runtimeData.akPub.kid).toBe("HCLAkPub");
    expect(e.runtimeData.vmConfiguration.vmUniqueId).toBe(expected.key_claims.vm_configuration.vmUniqueId);
  });

  if (hardware === "snp") {
    it("is refused as retryable without AMD's CRL, as the SEV-SNP path requires (the vectors carry none)", () => {
      const e = parseAzureEvidence(bytes);
      let error: unknown;
      try {
        verifyAzureEvidence(e, { collateral, at });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InfrastructureError);
      expect((error as InfrastructureError).code).toBe("SNP_CRL_UNAVAILABLE");
    });

    it(`gives the expected result (${expected.expected_result}) at verify_at with the missing CRL allowed, with the vector's claims`, () => {
      const e = parseAzureEvidence(bytes);
      const v = verifyAzureEvidence(e, {
        collateral,
        at,
        dangerouslyAllowMissingAmdCrl: true,
        expectedNonce: fromHex(expected.expected_report_data),
      });
      expect(expected.expected_result).toBe("accept");
      expect(v.tee).toBe("azure-cvm");
      expect(v.claims.hardware).toBe("snp");
      expect(v.claims.hardwareMeasurement).toBe(`0x${expected.key_claims.measurement}`);
      expect(v.claims.hardwareReportData).toBe(`0x${expected.key_claims.report_data}`);
      expect(v.claims.snp?.measurement).toBe(v.claims.hardwareMeasurement);
      expect(v.claims.tdx).toBeNull();
      expect(Object.values(v.claims.pcrs).map((p) => p.slice(2))).toEqual(expected.key_claims.pcrs_sha256);
      expect(v.claims.nonce).toBe(`0x${expected.expected_report_data}`);
      expect(AZURE_CVM_REPORT_DATA.of(v.claims)).toEqual(fromHex(expected.expected_report_data));
      expect(v.claims.vmId).toBe(expected.key_claims.vm_configuration.vmUniqueId);
      expect(v.claims.vmConfiguration.secureBoot).toBe(true);
      expect(v.debug).toBe(false);
      expect(v.tcb.status).toBe("NotApplicable");
      expect(v.platform.hardware).toBe("snp");
      expect(v.evidenceHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(v.expiresAt.getTime()).toBeGreaterThan(at.getTime());
    });

    it("expires with its VCEK and is not valid before it", () => {
      const e = parseAzureEvidence(bytes);
      const opts = { collateral, dangerouslyAllowMissingAmdCrl: true };
      const { expiresAt } = verifyAzureEvidence(e, { ...opts, at });
      expect(codeOf(() => verifyAzureEvidence(e, { ...opts, at: new Date(expiresAt.getTime() + 1000) }))).toBe("CERT_EXPIRED");
      expect(codeOf(() => verifyAzureEvidence(e, { ...opts, at: new Date("2024-06-01T00:00:00Z") }))).toBe("CERT_NOT_YET_VALID");
    });
  } else {
    it("verifies the TD quote but is refused as 'TCB status unknown without collateral' (no Intel collateral for its FMSPC), never UpToDate", () => {
      const e = parseAzureEvidence(bytes);
      let error: unknown;
      try {
        verifyAzureEvidence(e, { collateral, at, expectedNonce: fromHex(expected.expected_report_data) });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InfrastructureError);
      const err = error as InfrastructureError;
      expect(err.code).toBe("AZCVM_TDX_TCB_UNKNOWN");
      expect(err.retryable).toBe(true);
      expect(err.details).toMatchObject({ fmspc: "00806f050000", quoteVerified: true });
    });

    it("expires with its PCK certificate: an expired chain is refused as such, not as unknown TCB", () => {
      const e = parseAzureEvidence(bytes);
      expect(codeOf(() => verifyAzureEvidence(e, { collateral, at: new Date("2030-09-14T00:00:00Z") }))).toBe("CERT_EXPIRED");
      expect(codeOf(() => verifyAzureEvidence(e, { collateral, at: new Date("2023-09-01T00:00:00Z") }))).toBe("CERT_NOT_YET_VALID");
    });
  }

  it("is refused with AZCVM_NONCE_MISMATCH when another binding is expected", () => {
    const e = parseAzureEvidence(bytes);
    const opts = { collateral, at, dangerouslyAllowMissingAmdCrl: true, expectedNonce: new Uint8Array(32).fill(7) };
    expect(codeOf(() => verifyAzureEvidence(e, opts))).toBe("AZCVM_NONCE_MISMATCH");
  });

  it("is not mistaken for another input: a bare HCL report or TPM quote is not an evidence file", () => {
    const e = parseAzureEvidence(bytes);
    expect(detectAzureEvidenceFile(e.hcl.raw)).toBe(false);
    expect(detectAzureEvidenceFile(e.tpmQuote.attest.raw)).toBe(false);
    expect(() => parseAzureEvidence(e.hcl.raw)).toThrow(EvidenceFormatError);
  });
});

/** Writes pieces back as a version 1 evidence file (the layout trustee writes). */
function writeV1(f: AzureEvidenceFile): Uint8Array {
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const json = {
    version: 1,
    hcl_report: b64(f.hclReport),
    tpm_quote: { message: hex(f.tpmQuote.message), signature: hex(f.tpmQuote.signature), pcrs: f.tpmQuote.pcrs.map(hex) },
    ...(f.vcekDer ? { vcek: b64(f.vcekDer) } : {}),
    ...(f.tdQuote ? { td_quote: b64(f.tdQuote) } : {}),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(json)));
}

// Tampering with every byte of each signed region: azureCvmTamper.test.ts.

/** A parse must either succeed or throw EvidenceFormatError: anything else (RangeError, TypeError, another stage) is a crash. */
function formatErrorOrValue(f: () => unknown): "ok" | string {
  try {
    f();
    return "ok";
  } catch (e) {
    if (!(e instanceof EvidenceFormatError)) throw e;
    return e.code;
  }
}

describe.each(AZURE_SETS)("Azure CVM malformed input: $set", ({ set, file }) => {
  const bytes = fixtureBytes("azure-cvm", set, file);
  const pieces = readEvidenceFile(bytes);
  const parsed = parseAzureEvidence(bytes);

  it("the evidence file truncated at every offset is a typed format error (only trailing whitespace may go)", () => {
    const end = Buffer.from(bytes).toString("latin1").trimEnd().length;
    // Each cut is a full JSON.parse: the 37 KB unversioned file is cut at every 5th offset, the others at every offset.
    const step = bytes.length > 16_384 ? 5 : 1;
    for (let n = 0; n < bytes.length; n += n >= end - 64 ? 1 : step) {
      const got = formatErrorOrValue(() => parseAzureEvidence(bytes.subarray(0, n)));
      expect(got === "ok", `length ${n}`).toBe(n >= end);
    }
  });

  it("the HCL report truncated at every offset is a typed format error, directly and inside an evidence file", () => {
    // Only the whole NV index (2600 bytes) parses: even the zero padding after report_size may not go, since a
    // shorter report would be the same attestation under another evidence hash.
    const minimal = pieces.hclReport.length;
    for (let n = 0; n < pieces.hclReport.length; n++) {
      const cut = pieces.hclReport.subarray(0, n);
      const direct = formatErrorOrValue(() => parseHclReport(cut));
      expect(direct === "ok", `length ${n}`).toBe(n >= minimal);
      if (n % 17 === 0 || n < minimal) {
        const inFile = formatErrorOrValue(() => parseAzureEvidence(writeV1({ ...pieces, hclReport: cut })));
        expect(inFile === "ok", `file with HCL length ${n}`).toBe(n >= minimal);
      }
    }
  });

  it("the TPMS_ATTEST truncated at every offset, or with a byte appended, is a typed format error", () => {
    const m = pieces.tpmQuote.message;
    for (let n = 0; n < m.length; n++)
      expect(
        formatErrorOrValue(() => parseTpmAttest(m.subarray(0, n))),
        `length ${n}`,
      ).not.toBe("ok");
    expect(formatErrorOrValue(() => parseTpmAttest(new Uint8Array([...m, 0])))).toBe("EVIDENCE_TRAILING_BYTES");
  });

  it("the TPM signature at any other length is a typed format error", () => {
    const s = pieces.tpmQuote.signature;
    for (let n = 0; n < s.length; n += 5)
      expect(
        formatErrorOrValue(() => parseTpmSignature(s.subarray(0, n))),
        `length ${n}`,
      ).not.toBe("ok");
    // The same signature as a TPMT_SIGNATURE (RSASSA, SHA-256) parses to the same bytes.
    const tpmt = new Uint8Array([0x00, 0x14, 0x00, 0x0b, s.length >> 8, s.length & 0xff, ...s]);
    expect(parseTpmSignature(tpmt)).toEqual({ signature: s, form: "TPMT_SIGNATURE" });
    for (let n = 0; n < tpmt.length; n += 9)
      expect(
        formatErrorOrValue(() => parseTpmSignature(tpmt.subarray(0, n))),
        `length ${n}`,
      ).not.toBe("ok");
  });

  it("the runtime data truncated at every offset is a typed format error", () => {
    const rd = parsed.hcl.runtimeData;
    for (let n = 0; n < rd.length; n++)
      expect(
        formatErrorOrValue(() => parseRuntimeData(rd.subarray(0, n))),
        `length ${n}`,
      ).not.toBe("ok");
  });

  it("wrong PCR lists, wrong members and a wrong version are typed format errors", () => {
    const pcrs = pieces.tpmQuote.pcrs;
    const cases = [
      writeV1({ ...pieces, tpmQuote: { ...pieces.tpmQuote, pcrs: pcrs.slice(0, 23) } }),
      writeV1({ ...pieces, tpmQuote: { ...pieces.tpmQuote, pcrs: pcrs.map((p, i) => (i === 5 ? p.subarray(0, 20) : p)) } }),
      new Uint8Array(Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(writeV1(pieces)).toString()), extra: 1 }))),
      new Uint8Array(Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(writeV1(pieces)).toString()), version: 2 }))),
      new Uint8Array(Buffer.from("[]")),
      new Uint8Array([0xff, 0xfe, 0x7b]),
    ];
    for (const [i, c] of cases.entries())
      expect(
        formatErrorOrValue(() => parseAzureEvidence(c)),
        `case ${i}`,
      ).not.toBe("ok");
  });

  it("a base64url member is read in its one canonical form: every last character of 1–3 trailing bytes", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const file = JSON.parse(Buffer.from(writeV1(pieces)).toString()) as Record<string, unknown>;
    // The HCL report cut to lengths ending a base64 group with 1, 2 and 3 bytes (2, 3 and 4 characters).
    for (const cut of [1, 2, 3]) {
      const body = Buffer.from(pieces.hclReport.subarray(0, pieces.hclReport.length - 3 + cut)).toString("base64url");
      for (const last of alphabet) {
        const text = body.slice(0, -1) + last;
        // The definition: what decodes and encodes back to the same text.
        const canonical = Buffer.from(text, "base64url").toString("base64url") === text;
        const got = formatErrorOrValue(() => readEvidenceFile(new Uint8Array(Buffer.from(JSON.stringify({ ...file, hcl_report: text })))));
        expect(got, `${cut} byte(s), last character ${last}`).toBe(canonical ? "ok" : "AZCVM_EVIDENCE_FIELD_INVALID");
      }
      // Padded (as trustee writes it) and unpadded read to the same bytes; padding of the wrong length is refused.
      const read = (text: string) => readEvidenceFile(new Uint8Array(Buffer.from(JSON.stringify({ ...file, hcl_report: text }))));
      const pad = "=".repeat((4 - (body.length % 4)) % 4);
      expect(Buffer.from(read(body + pad).hclReport).equals(Buffer.from(read(body).hclReport)), `${cut} byte(s)`).toBe(true);
      expect(formatErrorOrValue(() => read(`${body + pad}=`))).toBe("AZCVM_EVIDENCE_FIELD_INVALID");
    }
  });

  it("random byte mutations of the evidence file never crash the parser (2,000 inputs)", () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const hcl = pieces.hclReport;
    for (let k = 0; k < 2000; k++) {
      const h = new Uint8Array(hcl);
      for (let j = 0; j < 1 + rand(4); j++) h[rand(h.length)] = rand(256);
      try {
        parseAzureEvidence(writeV1({ ...pieces, hclReport: h }));
      } catch (e) {
        expect(isKeepledgerError(e), String(e)).toBe(true);
      }
    }
  });
});

describe("Azure CVM measurement layout", () => {
  const set = "az-snp-vtpm-milan-2025-v1";
  const evidence = parseAzureEvidence(fixtureBytes("azure-cvm", set, "evidence-v1.json"));
  const verified = verifyAzureEvidence(evidence, {
    collateral: folderCollateral(set),
    at: new Date("2026-03-01T00:00:00Z"),
    dangerouslyAllowMissingAmdCrl: true,
  });

  it("packs hardware type, hardware measurement, PCR mask and PCR digest into 85 bytes and back", () => {
    const m = azureCvmMeasurementFromVerified(verified, { pcrs: [4, 7, 11] });
    expect(m.pcrMask).toBe((1 << 4) | (1 << 7) | (1 << 11));
    const packed = encodeAzureCvmMeasurement(m);
    expect(fromHex(packed).length).toBe(AZURE_CVM_MEASUREMENT_LENGTH);
    expect(packed.slice(0, 4)).toBe("0x01");
    expect(decodeAzureCvmMeasurement(packed)).toEqual(m);
    expect(azureCvmMeasurementFromVerified(verified)).toEqual(m);
  });

  it("the digest over all 24 PCRs is the one the TPM quote signed", () => {
    const all = azureCvmMeasurementFromVerified(verified, { pcrs: [...Array(24).keys()] });
    expect(all.pcrMask).toBe(0xffffff);
    expect(all.pcrDigest).toBe(toHex(evidence.tpmQuote.attest.pcrDigest));
  });

  it("matches the verified claims, and not once the hardware measurement, a named PCR or the hardware type differs", () => {
    const m = azureCvmMeasurementFromVerified(verified, { pcrs: [4, 7] });
    expect(azureCvmMeasurementMatches(verified.claims, fromHex(encodeAzureCvmMeasurement(m)))).toBe(true);
    const otherPcr = { ...verified.claims, pcrs: { ...verified.claims.pcrs, 7: toHex(new Uint8Array(32)) } };
    expect(azureCvmMeasurementMatches(otherPcr, fromHex(encodeAzureCvmMeasurement(m)))).toBe(false);
    // A PCR the policy does not name may change freely.
    const otherUnnamed = { ...verified.claims, pcrs: { ...verified.claims.pcrs, 11: toHex(new Uint8Array(32)) } };
    expect(azureCvmMeasurementMatches(otherUnnamed, fromHex(encodeAzureCvmMeasurement(m)))).toBe(true);
    const otherHw = { ...m, hardwareMeasurement: toHex(new Uint8Array(48).fill(1)) };
    expect(azureCvmMeasurementMatches(verified.claims, fromHex(encodeAzureCvmMeasurement(otherHw)))).toBe(false);
    expect(azureCvmMeasurementMatches(verified.claims, fromHex(encodeAzureCvmMeasurement({ ...m, hardware: "tdx" })))).toBe(false);
    const unquoted = { ...verified.claims, pcrs: { 4: verified.claims.pcrs[4]! } };
    expect(azureCvmMeasurementMatches(unquoted, fromHex(encodeAzureCvmMeasurement(m)))).toBe(false);
  });

  it("refuses malformed packed values and measurements with typed errors", () => {
    const good = fromHex(encodeAzureCvmMeasurement(azureCvmMeasurementFromVerified(verified)));
    const bad = (mutate: (b: Uint8Array) => Uint8Array): string => codeOf(() => decodeAzureCvmMeasurement(mutate(new Uint8Array(good))));
    expect(bad((b) => b.subarray(0, 84))).toBe("AZCVM_MEASUREMENT_INVALID");
    expect(bad((b) => new Uint8Array([...b, 0]))).toBe("AZCVM_MEASUREMENT_INVALID");
    expect(bad((b) => ((b[0] = 3), b))).toBe("AZCVM_MEASUREMENT_INVALID");
    expect(bad((b) => ((b[49] = 1), b))).toBe("AZCVM_MEASUREMENT_INVALID");
    const m = azureCvmMeasurementFromVerified(verified);
    expect(codeOf(() => encodeAzureCvmMeasurement({ ...m, hardwareMeasurement: "0x00" }))).toBe("AZCVM_MEASUREMENT_INVALID");
    expect(codeOf(() => encodeAzureCvmMeasurement({ ...m, pcrMask: 1 << 24 }))).toBe("AZCVM_MEASUREMENT_INVALID");
    expect(codeOf(() => azureCvmMeasurementFromVerified(verified, { pcrs: [24] }))).toBe("AZCVM_MEASUREMENT_INVALID");
    const partial = { ...verified, claims: { ...verified.claims, pcrs: { 4: verified.claims.pcrs[4]! } } };
    expect(codeOf(() => azureCvmMeasurementFromVerified(partial, { pcrs: [4, 7] }))).toBe("AZCVM_PCR_NOT_QUOTED");
  });

  it("binds a 32-byte binding hash as extraData and reads it back from the claims", () => {
    const hash = toHex(new Uint8Array(32).fill(0xab));
    expect(AZURE_CVM_REPORT_DATA.bind(hash)).toBe(hash);
    expect(codeOf(() => AZURE_CVM_REPORT_DATA.bind("0x00"))).toBe("AZCVM_BINDING_INVALID");
    expect(AZURE_CVM_REPORT_DATA.of({ ...verified.claims, nonce: hash })).toEqual(fromHex(hash));
  });
});

describe("Azure CVM SEV-SNP report privilege", () => {
  it("a report from a VMPL other than the paravisor's 0 is refused before its signature is looked at", () => {
    const set = "az-snp-vtpm-milan-2025-v1";
    const e = parseAzureEvidence(fixtureBytes("azure-cvm", set, "evidence-v1.json"));
    if (e.hardware.kind !== "snp") throw new Error("the Milan set is SEV-SNP");
    for (const vmpl of [1, 2, 3]) {
      const lower = { ...e, hardware: { ...e.hardware, report: { ...e.hardware.report, vmpl } } };
      const opts = { collateral: folderCollateral(set), at: new Date("2026-03-01T00:00:00Z"), dangerouslyAllowMissingAmdCrl: true };
      expect(codeOf(() => verifyAzureEvidence(lower, opts))).toBe("AZCVM_SNP_VMPL_INVALID");
    }
  });
});
