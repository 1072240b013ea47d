/**
 * The NVIDIA GPU evidence file, in one of three forms:
 *  1. hex text of the attestation report (what NVIDIA's tools and the shared
 *     vectors write: hopperAttestationReport.txt); the device certificate
 *     chain then comes from the collateral (hopperCertChain.txt beside it);
 *  2. the raw binary report (starts 0x11 0xE0: SPDM 1.1 GET_MEASUREMENTS);
 *  3. NVIDIA attestation SDK's per-GPU evidence object, JSON
 *     `{"evidence": base64(report), "certificate": base64(PEM chain), "arch"?}`,
 *     which carries its own chain.
 * Parsing only: report structure, opaque fields and certificate DER.
 */
import { bufferView, bytesView } from "../../util/bufferView.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parsePemCertificates, type ParsedCertificate } from "../../pki/x509/certificate.ts";
import { NVGPU_FORMAT_CODES } from "./codes.ts";
import { decodeGpuOpaqueInfo, type GpuOpaqueInfo } from "./parseOpaqueData.ts";
import { GET_MEASUREMENTS, SPDM_VERSION_1_1, parseSpdmReport, type SpdmMeasurementReport } from "./parseSpdmReport.ts";

export interface NvidiaGpuEvidence {
  report: SpdmMeasurementReport;
  info: GpuOpaqueInfo;
  /** The device chain when the evidence carried one (form 3), leaf first; otherwise null (taken from collateral). */
  certChain: ParsedCertificate[] | null;
}

/** Hard cap on an evidence file: a report is ~4 KiB, a chain ~5 KiB. */
const MAX_EVIDENCE_BYTES = 256 * 1024;

function encodingError(message: string): never {
  throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_EVIDENCE_ENCODING_INVALID, message, { at: { field: "evidence" } });
}

function isSpdmStart(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === SPDM_VERSION_1_1 && b[1] === GET_MEASUREMENTS;
}

function hexText(bytes: Uint8Array): string | null {
  const text = Buffer.from(bytes).toString("latin1").trim();
  return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? text : null;
}

/** Whether the bytes look like NVIDIA GPU evidence in any accepted form. Never throws. */
export function detectNvidiaGpuEvidence(bytes: Uint8Array): boolean {
  try {
    if (bytes.length === 0 || bytes.length > MAX_EVIDENCE_BYTES) return false;
    if (isSpdmStart(bytes)) return true;
    const text = Buffer.from(bytes.subarray(0, 8)).toString("latin1").trimStart().toLowerCase();
    if (text.startsWith("11e0")) return hexText(bytes) !== null;
    if (text.startsWith("{")) {
      // Sniff in place before decoding and parsing, as the Azure CVM detector does: other kinds' JSON evidence
      // comes through here.
      const view = bufferView(bytes);
      if (!view.includes('"evidence"') || !view.includes('"certificate"')) return false;
      const json = JSON.parse(view.toString("utf8")) as Record<string, unknown>;
      return typeof json.evidence === "string" && typeof json.certificate === "string";
    }
    return false;
  } catch {
    return false;
  }
}

function base64Field(json: Record<string, unknown>, name: string): Uint8Array {
  const v = json[name];
  if (typeof v !== "string") encodingError(`"${name}" is not a string`);
  const bytes = bytesView(Buffer.from(v, "base64"));
  // Canonical base64 only: anything Node would skip or any non-zero padding bit is refused.
  if (Buffer.from(bytes).toString("base64") !== v) encodingError(`"${name}" is not canonical base64`);
  return bytes;
}

export function parseNvidiaGpuEvidence(bytes: Uint8Array): NvidiaGpuEvidence {
  if (bytes.length === 0) encodingError("the evidence is empty");
  if (bytes.length > MAX_EVIDENCE_BYTES) encodingError(`the evidence is larger than ${MAX_EVIDENCE_BYTES} bytes`);
  let reportBytes: Uint8Array;
  let certChain: ParsedCertificate[] | null = null;
  const first = Buffer.from(bytes.subarray(0, 1)).toString("latin1");
  if (isSpdmStart(bytes)) {
    reportBytes = bytes;
  } else if (first === "{") {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {
      encodingError("the evidence is not valid JSON");
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) encodingError("the JSON evidence is not an object");
    const obj = json as Record<string, unknown>;
    reportBytes = base64Field(obj, "evidence");
    certChain = parsePemCertificates(Buffer.from(base64Field(obj, "certificate")).toString("latin1"), "GPU certificate chain");
    if (certChain.length === 0) encodingError('"certificate" holds no PEM certificate');
  } else {
    const hex = hexText(bytes);
    if (hex === null) encodingError("the evidence is neither hex text, a binary SPDM report nor NVIDIA's JSON evidence object");
    reportBytes = bytesView(Buffer.from(hex, "hex"));
  }
  const report = parseSpdmReport(reportBytes);
  return { report, info: decodeGpuOpaqueInfo(report.response.opaque), certChain };
}
