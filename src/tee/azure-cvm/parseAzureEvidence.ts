import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { AZCVM_FORMAT_CODES } from "./codes.ts";
import { readEvidenceFile } from "./evidenceFile.ts";
import { parseSnpReport, parseTdxQuote, type SnpReport, type TdxQuote, type VerifierContext } from "./hardwareParsers.ts";
import { acrossVerifications } from "../verifierContext.ts";
import { parseHclReport, type HclReport } from "./parseHclReport.ts";
import { parseRuntimeData, type RuntimeData } from "./parseRuntimeData.ts";
import { parseTdReportStruct, type TdReportStruct } from "./parseTdReport.ts";
import { parsePcrValues, parseTpmAttest, parseTpmSignature, type TpmQuote } from "./parseTpmQuote.ts";

export type AzureHardware =
  | { kind: "snp"; report: SnpReport; vcekDer?: Uint8Array }
  | { kind: "tdx"; tdReport: TdReportStruct; quote: TdxQuote };

/** Azure confidential VM evidence, parsed: every piece typed, nothing verified. */
export interface AzureCvmEvidence {
  /** The evidence file's bytes (what the evidence hash is taken over). */
  raw: Uint8Array;
  format: "v1" | "unversioned";
  hcl: HclReport;
  runtimeData: RuntimeData;
  hardware: AzureHardware;
  tpmQuote: TpmQuote;
  /** PCR values of the SHA-256 bank, index 0..23. */
  pcrs: Uint8Array[];
}

function mismatch(message: string, field: string): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_HARDWARE_MISMATCH, message, { at: { field } });
}

/**
 * Parses one Azure CVM evidence file (docs/evidence/azure-cvm.md): the HCL report with its hardware report
 * (SEV-SNP report, or TDX TDREPORT plus its TD quote), the runtime data, the TPM quote and the PCR values.
 * No crypto, no I/O: EvidenceFormatError on anything malformed.
 */
export function parseAzureEvidence(bytes: Uint8Array, caches?: VerifierContext): AzureCvmEvidence {
  const file = readEvidenceFile(bytes);
  const hcl = parseHclReport(file.hclReport);
  const runtimeData = parseRuntimeData(hcl.runtimeData);
  let hardware: AzureHardware;
  if (hcl.hardware === "snp") {
    if (file.tdQuote) mismatch("an SEV-SNP HCL report comes with a TD quote", "td_quote");
    hardware = { kind: "snp", report: parseSnpReport(hcl.hardwareReport), ...(file.vcekDer ? { vcekDer: file.vcekDer } : {}) };
  } else {
    if (file.vcekDer) mismatch("a TDX HCL report comes with a VCEK", "vcek");
    if (!file.tdQuote) mismatch("a TDX HCL report needs its TD quote (td_quote)", "td_quote");
    hardware = {
      kind: "tdx",
      tdReport: parseTdReportStruct(hcl.hardwareReport),
      quote: parseTdxQuote(file.tdQuote, { pckChains: acrossVerifications(caches)?.pckChains }),
    };
  }
  const attest = parseTpmAttest(file.tpmQuote.message);
  const sig = parseTpmSignature(file.tpmQuote.signature);
  return {
    raw: bytes,
    format: file.format,
    hcl,
    runtimeData,
    hardware,
    tpmQuote: { attest, signature: sig.signature, signatureForm: sig.form },
    pcrs: parsePcrValues(file.tpmQuote.pcrs),
  };
}
