import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../../errors/KeepledgerError.ts";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { AZURE_SETS, codeOf, folderCollateral } from "./azureCvmVectors.test.ts";
import { readEvidenceFile, type AzureEvidenceFile } from "./evidenceFile.ts";
import { parseAzureEvidence } from "./parseAzureEvidence.ts";
import { HCL_HEADER_SIZE, HCL_RUNTIME_DATA_OFFSET } from "./parseHclReport.ts";
import { verifyAzureEvidence } from "./verifyAzureEvidence.ts";
import { createVerifierContext } from "../../verify/verifierContext.ts";

/** One long-lived context, as a validator has: the tamper runs also check that caches never carry a verdict over. */
const caches = createVerifierContext();

/** Writes pieces back as a version 1 evidence file (the layout trustee writes). */
export function writeV1(f: AzureEvidenceFile): Uint8Array {
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

function flipped(bytes: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[i]! ^= 0x01;
  return out;
}

/** Every outcome must be a typed refusal: a KeepledgerError, never acceptance or a crash. */
function outcome(set: string, file: Uint8Array): string {
  const collateral = folderCollateral(set);
  try {
    const e = parseAzureEvidence(file);
    verifyAzureEvidence(e, { collateral, at: new Date("2026-03-01T00:00:00Z"), dangerouslyAllowMissingAmdCrl: true, caches });
    return "accepted";
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
}

describe.each(AZURE_SETS)("Azure CVM tamper: $set", ({ set, file, hardware }) => {
  const original = readEvidenceFile(fixtureBytes("azure-cvm", set, file));
  const collateral = folderCollateral(set);
  const at = new Date("2026-03-01T00:00:00Z");
  const base = writeV1(original);
  const baseline = outcome(set, base);

  it("re-encoded unchanged, the evidence gives the vector's own outcome", () => {
    expect(baseline).toBe(hardware === "snp" ? "accepted" : "AZCVM_TDX_TCB_UNKNOWN");
  });

  it("every byte of the signed TPMS_ATTEST, flipped, is refused by the signature check or the parser", () => {
    const codes = new Set<string>();
    for (let i = 0; i < original.tpmQuote.message.length; i++) {
      const code = outcome(
        set,
        writeV1({ ...original, tpmQuote: { ...original.tpmQuote, message: flipped(original.tpmQuote.message, i) } }),
      );
      expect(code, `byte ${i}`).not.toBe("accepted");
      expect(code, `byte ${i}`).not.toBe(baseline);
      codes.add(code);
    }
    expect(codes.has("AZCVM_TPM_QUOTE_SIGNATURE_INVALID")).toBe(true);
  });

  it("every byte of the TPM signature, flipped, is refused with AZCVM_TPM_QUOTE_SIGNATURE_INVALID", () => {
    for (let i = 0; i < original.tpmQuote.signature.length; i += 7) {
      const code = outcome(
        set,
        writeV1({ ...original, tpmQuote: { ...original.tpmQuote, signature: flipped(original.tpmQuote.signature, i) } }),
      );
      expect(code, `byte ${i}`).toBe("AZCVM_TPM_QUOTE_SIGNATURE_INVALID");
    }
  });

  it("every byte of the HCL runtime data, flipped, is refused: unbound, or no longer the JSON the AK is read from", () => {
    const start = HCL_RUNTIME_DATA_OFFSET;
    const end = start + parseAzureEvidence(base).hcl.runtimeData.length;
    const codes = new Set<string>();
    for (let i = start; i < end; i++) {
      const code = outcome(set, writeV1({ ...original, hclReport: flipped(original.hclReport, i) }));
      expect(code, `byte ${i}`).not.toBe("accepted");
      expect(code, `byte ${i}`).not.toBe(baseline);
      codes.add(code);
    }
    expect([...codes].every((c) => c === "AZCVM_RUNTIME_DATA_UNBOUND" || c === "AZCVM_RUNTIME_DATA_INVALID")).toBe(true);
    expect(codes.has("AZCVM_RUNTIME_DATA_UNBOUND")).toBe(true);
  });

  it("a PCR value in the quote's selection, changed, is refused with AZCVM_PCR_DIGEST_MISMATCH", () => {
    for (const i of [0, 4, 7, 11, 23]) {
      const pcrs = original.tpmQuote.pcrs.map((p, j) => (j === i ? flipped(p, 31) : p));
      expect(outcome(set, writeV1({ ...original, tpmQuote: { ...original.tpmQuote, pcrs } })), `PCR ${i}`).toBe(
        "AZCVM_PCR_DIGEST_MISMATCH",
      );
    }
  });

  it("bytes of the hardware report, flipped, are refused by the hardware path", () => {
    const codes = new Set<string>();
    // SEV-SNP: a sample across the signed report (header, measurement, REPORT_DATA, CHIP_ID, the signature).
    // TDX: the TDREPORT is only MAC'd, never signed; what counts of it is what the TD quote repeats —
    // REPORT_DATA (128), TEE_TCB_INFO (264..384) and TDINFO (512..912). Its other bytes carry no claim.
    const offsets = hardware === "snp" ? [0x08, 0x50, 0x90, 0xa0, 0x1a0, 0x2a0, 0x300] : [128, 159, 264, 300, 383, 512, 600, 911];
    for (const off of offsets) {
      const code = outcome(set, writeV1({ ...original, hclReport: flipped(original.hclReport, HCL_HEADER_SIZE + off) }));
      expect(code, `offset ${off}`).not.toBe("accepted");
      expect(code, `offset ${off}`).not.toBe(baseline);
      codes.add(code);
    }
    expect(codes.has(hardware === "snp" ? "SNP_REPORT_SIGNATURE_INVALID" : "AZCVM_TD_QUOTE_MISMATCH")).toBe(true);
  });

  if (hardware === "tdx") {
    it("bytes of the TD quote's signed region, flipped, are refused as forged, never as an unknown TCB", () => {
      for (let i = 0; i < 48 + 584; i += 13) {
        const code = outcome(set, writeV1({ ...original, tdQuote: flipped(original.tdQuote!, i) }));
        expect(code, `byte ${i}`).not.toBe("accepted");
        expect(code, `byte ${i}`).not.toBe("AZCVM_TDX_TCB_UNKNOWN");
      }
    });
  }

  it("another VM's attestation key in the runtime data is unbound", () => {
    const e = parseAzureEvidence(base);
    const swapped = { ...e, runtimeData: { ...e.runtimeData, akPub: { ...e.runtimeData.akPub, n: e.runtimeData.ekPub!.n } } };
    expect(codeOf(() => verifyAzureEvidence(swapped, { collateral, at, dangerouslyAllowMissingAmdCrl: true }))).toBe(
      "AZCVM_TPM_QUOTE_SIGNATURE_INVALID",
    );
  });
});
