/**
 * Tampering with the real Azure CVM evidence, byte by byte: every byte of the HCL report (its header, the
 * hardware report — SEV-SNP report or TDX TDREPORT —, the IGVM request header, the runtime data and the zero
 * padding), of the signed TPMS_ATTEST, of the TPM signature and of the TD quote. One long-lived verifier
 * context, as a validator has, warmed by the untouched evidence: the refusals also show that nothing
 * remembered carries a verdict over to bytes that differ. Each flip must be refused by the stage that owns
 * the byte; none may give the untouched evidence's own outcome, except the TDREPORT bytes listed below.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { staticCollateral } from "../../collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { createVerifierContext } from "../verifierContext.ts";
import { readEvidenceFile, type AzureEvidenceFile } from "./evidenceFile.ts";
import { parseAzureEvidence } from "./parseAzureEvidence.ts";
import { HCL_HEADER_SIZE, HCL_HW_REPORT_SIZE, HCL_RUNTIME_DATA_OFFSET, TDREPORT_SIZE } from "./parseHclReport.ts";
import { verifyAzureEvidence } from "./verifyAzureEvidence.ts";

const AZURE_SETS = [
  { set: "az-snp-vtpm-milan-2025-v1", file: "evidence-v1.json", hardware: "snp" },
  { set: "az-snp-vtpm-genoa", file: "evidence-genoa.json", hardware: "snp" },
  { set: "az-tdx-vtpm", file: "evidence-v1.json", hardware: "tdx" },
] as const;
const AT = new Date("2026-03-01T00:00:00Z");
/** The signed part of an SEV-SNP report (0x000..0x29F); the signature area follows, to 0x4A0. */
const SNP_SIGNED = 0x2a0;

/**
 * TDREPORT bytes no signature covers and nothing checks (offsets in the TDREPORT): REPORTTYPE's subtype,
 * version and reserved byte and reserved1 (1..16), CPUSVN (16..32), reserved2 and the MAC (192..256), and the
 * reserved bytes after TEE_TCB_INFO (495..512). The MAC is for the CPU alone; the TD quote repeats none of
 * them. A flip there keeps the verdict (under another evidence hash) — docs/threat-model.md.
 */
const TDREPORT_UNBOUND: readonly (readonly [number, number])[] = [
  [1, 32],
  [192, 256],
  [495, 512],
];

const context = createVerifierContext();

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

function flipped(bytes: Uint8Array, i: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[i]! ^= 0x01;
  return out;
}

describe.each(AZURE_SETS)("Azure CVM tamper: $set", ({ set, file, hardware }) => {
  const dir = fixturePath("azure-cvm", set);
  const collateral = staticCollateral(readdirSync(dir).map((name) => ({ name, bytes: fixtureBytes("azure-cvm", set, name) }))).collateral;
  const original = readEvidenceFile(fixtureBytes("azure-cvm", set, file));

  /** The verdict on an evidence file: "accepted" or the typed error's code (an untyped throw fails the test). */
  function outcome(pieces: AzureEvidenceFile): string {
    try {
      verifyAzureEvidence(parseAzureEvidence(writeV1(pieces)), {
        collateral,
        at: AT,
        dangerouslyAllowMissingAmdCrl: true,
        caches: context,
      });
      return "accepted";
    } catch (e) {
      if (!isKeepledgerError(e)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
      return e.code;
    }
  }
  // The SEV-SNP sets verify (the vectors carry no AMD CRL: waived, explicitly); the TDX set has no Intel collateral.
  const baseline = hardware === "snp" ? "accepted" : "AZCVM_TDX_TCB_UNKNOWN";

  it("re-encoded unchanged, the evidence gives the vector's own outcome", () => {
    expect(outcome(original)).toBe(baseline);
  });

  it("every byte of the HCL report, flipped, is refused by the stage that owns it", () => {
    const runtimeEnd = HCL_RUNTIME_DATA_OFFSET + parseAzureEvidence(writeV1(original)).hcl.runtimeData.length;
    const hw = HCL_HEADER_SIZE;
    const owner = (i: number): RegExp => {
      if (i < hw) return /^AZCVM_HCL_/;
      if (hardware === "snp" && i < hw + SNP_SIGNED) return /^(SNP_|AZCVM_SNP_VMPL_INVALID$)/;
      if (hardware === "snp" && i < hw + HCL_HW_REPORT_SIZE) return /^SNP_(REPORT_SIGNATURE_INVALID|SIGNATURE_MALFORMED|RESERVED_NONZERO)$/;
      if (i < hw + TDREPORT_SIZE) return /^AZCVM_(TD_QUOTE_MISMATCH|TDREPORT_INVALID)$/;
      if (i < hw + HCL_HW_REPORT_SIZE) return /^AZCVM_HCL_PADDING_NONZERO$/;
      if (i < HCL_RUNTIME_DATA_OFFSET) return /^AZCVM_HCL_/;
      if (i < runtimeEnd) return /^AZCVM_RUNTIME_DATA_(UNBOUND|INVALID)$/;
      return /^AZCVM_HCL_SIZE_INVALID$/;
    };
    const unbound: number[] = [];
    const codes = new Map<string, number>();
    for (let i = 0; i < original.hclReport.length; i++) {
      const code = outcome({ ...original, hclReport: flipped(original.hclReport, i) });
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code === baseline && hardware === "tdx") {
        unbound.push(i - hw);
        continue;
      }
      expect(code, `HCL byte ${i}`).toMatch(owner(i));
    }
    expect(codes.get("AZCVM_RUNTIME_DATA_UNBOUND")).toBeGreaterThan(900);
    if (hardware === "snp") {
      expect(codes.get("SNP_REPORT_SIGNATURE_INVALID")).toBeGreaterThan(400);
    } else {
      const expected = TDREPORT_UNBOUND.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
      expect(unbound).toEqual(expected);
      expect(codes.get("AZCVM_TD_QUOTE_MISMATCH")).toBeGreaterThan(800);
    }
  }, 120_000);

  it("every byte of the signed TPMS_ATTEST, flipped, is refused by the signature check or the parser", () => {
    const codes = new Set<string>();
    for (let i = 0; i < original.tpmQuote.message.length; i++) {
      const code = outcome({ ...original, tpmQuote: { ...original.tpmQuote, message: flipped(original.tpmQuote.message, i) } });
      // Length fields cut the structure short (the shared cursor's EVIDENCE_ codes); all else is the signature's.
      expect(code, `byte ${i}`).toMatch(/^(AZCVM_TPM_|EVIDENCE_(TRUNCATED|TRAILING_BYTES)$)/);
      codes.add(code);
    }
    expect(codes.has("AZCVM_TPM_QUOTE_SIGNATURE_INVALID")).toBe(true);
  });

  it("every byte of the TPM signature, flipped, is refused with AZCVM_TPM_QUOTE_SIGNATURE_INVALID", () => {
    for (let i = 0; i < original.tpmQuote.signature.length; i++) {
      const code = outcome({ ...original, tpmQuote: { ...original.tpmQuote, signature: flipped(original.tpmQuote.signature, i) } });
      expect(code, `byte ${i}`).toBe("AZCVM_TPM_QUOTE_SIGNATURE_INVALID");
    }
  });

  it("a PCR value in the quote's selection, changed, is refused with AZCVM_PCR_DIGEST_MISMATCH", () => {
    for (const i of [0, 4, 7, 11, 23]) {
      const pcrs = original.tpmQuote.pcrs.map((p, j) => (j === i ? flipped(p, 31) : p));
      expect(outcome({ ...original, tpmQuote: { ...original.tpmQuote, pcrs } }), `PCR ${i}`).toBe("AZCVM_PCR_DIGEST_MISMATCH");
    }
  });

  if (hardware === "tdx") {
    it("every byte of the TD quote, flipped, is refused as malformed or forged, never as an unknown TCB", () => {
      const codes = new Map<string, number>();
      for (let i = 0; i < original.tdQuote!.length; i++) {
        const code = outcome({ ...original, tdQuote: flipped(original.tdQuote!, i) });
        expect(code, `byte ${i}`).not.toBe("accepted");
        expect(code, `byte ${i}`).not.toBe(baseline);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      // Header and body (48 + 584 bytes) are what the attestation key signs.
      expect(codes.get("DCAP_QUOTE_SIGNATURE_INVALID")).toBeGreaterThan(600);
      expect(codes.get("DCAP_QE_REPORT_SIGNATURE_INVALID")).toBeGreaterThan(300);
    }, 120_000);
  }

  it("another VM's attestation key in the runtime data is unbound", () => {
    const e = parseAzureEvidence(writeV1(original));
    const swapped = { ...e, runtimeData: { ...e.runtimeData, akPub: { ...e.runtimeData.akPub, n: e.runtimeData.ekPub!.n } } };
    let code = "accepted";
    try {
      verifyAzureEvidence(swapped, { collateral, at: AT, dangerouslyAllowMissingAmdCrl: true });
    } catch (err) {
      if (!isKeepledgerError(err)) throw err;
      code = err.code;
    }
    expect(code).toBe("AZCVM_TPM_QUOTE_SIGNATURE_INVALID");
  });

  it("the untouched evidence still gives its own outcome with the same context afterwards", () => {
    expect(outcome(original)).toBe(baseline);
  });
});
