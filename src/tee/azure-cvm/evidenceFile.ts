import { bufferView, bytesView } from "../../util/bufferView.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { AZCVM_FORMAT_CODES } from "./codes.ts";

/** The evidence file as read: the pieces still encoded as bytes, nothing interpreted yet. */
export interface AzureEvidenceFile {
  /** "v1": trustee's versioned format (`version: 1`); "unversioned": its earlier form (byte arrays, PEM VCEK). */
  format: "v1" | "unversioned";
  hclReport: Uint8Array;
  tpmQuote: { message: Uint8Array; signature: Uint8Array; pcrs: Uint8Array[] };
  /** SEV-SNP: the VCEK the report was signed with, DER (untrusted: it is chain-verified like any collateral). */
  vcekDer?: Uint8Array;
  /** TDX: the TD quote of the same TDREPORT, as the TD Quoting Enclave wrote it. */
  tdQuote?: Uint8Array;
}

/** Largest evidence file accepted: the real ones are 8..37 KiB. */
export const MAX_EVIDENCE_FILE_BYTES = 1024 * 1024;

/** Strict UTF-8 (a BOM is dropped, as before); decoding keeps no state between calls, so one decoder serves all. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

const V1_KEYS: ReadonlySet<string> = new Set(["version", "hcl_report", "tpm_quote", "vcek", "td_quote"]);
const UNVERSIONED_KEYS: ReadonlySet<string> = new Set(["report", "quote", "vcek"]);
const QUOTE_KEYS: ReadonlySet<string> = new Set(["message", "signature", "pcrs"]);

function fail(message: string, field: string, details: Record<string, unknown> = {}): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_EVIDENCE_FIELD_INVALID, message, { at: { field }, details });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, field: string): void {
  for (const key of Object.keys(obj)) if (!allowed.has(key)) fail(`unknown member "${key}" in ${field}`, `${field}.${key}`);
}

function hexField(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string" || v.length === 0 || v.length % 2 !== 0 || !/^[0-9a-f]+$/.test(v)) fail(`${field} is not lowercase hex`, field);
  return bytesView(Buffer.from(v, "hex"));
}

/** Each base64url character's 6-bit value, by char code (the alphabet is checked before this is read). */
const BASE64URL_VALUE: readonly number[] = Object.freeze(
  Array.from({ length: 128 }, (_, c) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(String.fromCharCode(c))),
);

function base64urlField(v: unknown, field: string): Uint8Array {
  // base64url as trustee writes it (padded); unpadded is accepted too, but never the standard alphabet or non-zero pad bits.
  if (typeof v !== "string" || !/^[A-Za-z0-9_-]+={0,2}$/.test(v)) fail(`${field} is not base64url`, field);
  // The characters before the padding (at most two '=', the pattern says), counted rather than cut off.
  const bodyLength = v.length - (v.endsWith("==") ? 2 : v.endsWith("=") ? 1 : 0);
  if (bodyLength % 4 === 1 || (v.length !== bodyLength && v.length % 4 !== 0)) fail(`${field} is not base64url`, field);
  // Canonical: the bits the last character carries beyond the bytes (4 of them for 2 characters in a group, 2
  // for 3) are zero — the same test as re-encoding and comparing, without encoding a 3 KB report again.
  const spare = bodyLength % 4 === 2 ? 0x0f : bodyLength % 4 === 3 ? 0x03 : 0;
  if ((BASE64URL_VALUE[v.charCodeAt(bodyLength - 1)]! & spare) !== 0) fail(`${field} is not canonical base64url`, field);
  // Decoded with its padding: Node decodes padded base64url in its fast path and unpadded in a slower one
  // (the 3.5 KB HCL report: 2.1 µs against 5.3 µs, and the padding cut off first cost 1.5 µs more). The bytes
  // are the same either way.
  return bytesView(Buffer.from(v, "base64url"));
}

function byteArrayField(v: unknown, field: string): Uint8Array {
  if (!Array.isArray(v) || v.length === 0) fail(`${field} is not a byte array`, field);
  const out = new Uint8Array(v.length);
  v.forEach((b, i) => {
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) fail(`${field}[${i}] is not a byte`, `${field}[${i}]`);
    out[i] = b;
  });
  return out;
}

function pemCertificateField(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string") fail(`${field} is not a PEM certificate`, field);
  const m = /^\s*-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----\s*$/.exec(v);
  if (!m) fail(`${field} is not exactly one PEM certificate`, field);
  const bytes = bytesView(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
  if (bytes.length === 0) fail(`${field} is an empty PEM certificate`, field);
  return bytes;
}

function listField<T>(v: unknown, field: string, item: (x: unknown, f: string) => T): T[] {
  if (!Array.isArray(v)) fail(`${field} is not a list`, field);
  return v.map((x, i) => item(x, `${field}[${i}]`));
}

/**
 * Cheap sniff: a JSON object naming an HCL report and a TPM quote in either layout. Never throws;
 * {@link readEvidenceFile} decides.
 */
export function detectAzureEvidenceFile(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes.length > MAX_EVIDENCE_FILE_BYTES) return false;
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b) return false;
  // Searched in place: no copy and no string of a file that is usually another kind's.
  const text = bufferView(bytes);
  return (text.includes('"hcl_report"') && text.includes('"tpm_quote"')) || (text.includes('"report"') && text.includes('"quote"'));
}

/**
 * The Azure CVM evidence file, as trustee's az-snp-vtpm / az-tdx-vtpm attesters write it
 * (docs/evidence/azure-cvm.md): exactly the members of one layout, each in that layout's encoding.
 * Every alternative spelling is refused, so one capture has one accepted form.
 */
export function readEvidenceFile(bytes: Uint8Array): AzureEvidenceFile {
  if (bytes.length > MAX_EVIDENCE_FILE_BYTES) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_EVIDENCE_JSON_INVALID, "the evidence file is larger than 1 MiB", {
      details: { length: bytes.length },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(bytes));
  } catch (cause) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_EVIDENCE_JSON_INVALID, "the evidence file is not UTF-8 JSON", { cause });
  }
  if (!isObject(json)) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_EVIDENCE_JSON_INVALID, "the evidence file is not a JSON object");
  }
  if ("version" in json) {
    if (json.version !== 1) fail("the evidence file version is not 1", "version", { got: json.version });
    onlyKeys(json, V1_KEYS, "evidence");
    const q = json.tpm_quote;
    if (!isObject(q)) fail("tpm_quote is not an object", "tpm_quote");
    onlyKeys(q, QUOTE_KEYS, "tpm_quote");
    return {
      format: "v1",
      hclReport: base64urlField(json.hcl_report, "hcl_report"),
      tpmQuote: {
        message: hexField(q.message, "tpm_quote.message"),
        signature: hexField(q.signature, "tpm_quote.signature"),
        pcrs: listField(q.pcrs, "tpm_quote.pcrs", hexField),
      },
      ...(json.vcek === undefined ? {} : { vcekDer: base64urlField(json.vcek, "vcek") }),
      ...(json.td_quote === undefined ? {} : { tdQuote: base64urlField(json.td_quote, "td_quote") }),
    };
  }
  if (!("report" in json)) {
    throw new EvidenceFormatError(
      AZCVM_FORMAT_CODES.AZCVM_EVIDENCE_JSON_INVALID,
      "the evidence file has neither version 1 nor the unversioned layout",
      {
        details: { members: Object.keys(json).slice(0, 8) },
      },
    );
  }
  onlyKeys(json, UNVERSIONED_KEYS, "evidence");
  const q = json.quote;
  if (!isObject(q)) fail("quote is not an object", "quote");
  onlyKeys(q, QUOTE_KEYS, "quote");
  return {
    format: "unversioned",
    hclReport: byteArrayField(json.report, "report"),
    tpmQuote: {
      message: byteArrayField(q.message, "quote.message"),
      signature: byteArrayField(q.signature, "quote.signature"),
      pcrs: listField(q.pcrs, "quote.pcrs", byteArrayField),
    },
    ...(json.vcek === undefined ? {} : { vcekDer: pemCertificateField(json.vcek, "vcek") }),
  };
}
