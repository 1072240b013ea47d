import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import { EvidenceFormatError, InfrastructureError, isKeepledgerError } from "../../errors/KeepledgerError.ts";
import { fromHex, toHex } from "../../util/bytes.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { AZURE_CVM_REPORT_DATA } from "./binding.ts";
import { detectAzureEvidenceFile } from "./evidenceFile.ts";
import { parseAzureEvidence } from "./parseAzureEvidence.ts";
import { verifyAzureEvidence, type VerifyAzureEvidenceOptions } from "./verifyAzureEvidence.ts";

/** The vector sets and their evidence file, as the vector folders hold them. */
export const AZURE_SETS = [
  { set: "az-snp-vtpm-milan-2025-v1", file: "evidence-v1.json", hardware: "snp" },
  { set: "az-snp-vtpm-genoa", file: "evidence-genoa.json", hardware: "snp" },
  { set: "az-tdx-vtpm", file: "evidence-v1.json", hardware: "tdx" },
] as const;

/** The set's folder as collateral, exactly as `--collateral <dir>` reads it. */
export function folderCollateral(set: string): VerifyAzureEvidenceOptions["collateral"] {
  const dir = fixturePath("azure-cvm", set);
  return staticCollateral(readdirSync(dir).map((name) => ({ name, bytes: fixtureBytes("azure-cvm", set, name) }))).collateral;
}

export function codeOf(f: () => unknown): string {
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
