import { EvidenceFormatError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseCertificate, type ParsedCertificate } from "../../pki/x509/certificate.ts";
import type { PkiCaches } from "../../pki/x509/pkiCaches.ts";
import { NITRO_CODES } from "./formatCodes.ts";
import { decodeCbor, type CborValue } from "../../evidence/cbor/decodeCbor.ts";
import { parseCoseSign1, type CoseSign1 } from "../../evidence/cose/parseCoseSign1.ts";

/**
 * Limits from AWS's specification of the attestation document
 * (aws-nitro-enclaves-nsm-api, "Attestation document specification"), with
 * room for certificates: AWS caps them at 1024 bytes, keepledger at 4 KiB.
 */
export const NITRO_LIMITS = {
  maxCabundle: 8,
  maxCertificateBytes: 4096,
  maxPcrs: 32,
  maxPublicKeyBytes: 1024,
  maxUserDataBytes: 512,
  maxNonceBytes: 512,
  /** The latest instant a JavaScript Date can hold (ms since the epoch). */
  maxTimestampMs: 8.64e15,
} as const;

/**
 * The only digest NSM reports. AWS allows PCRs of 32, 48 or 64 bytes for
 * SHA256/384/512; with SHA384 fixed, every PCR is 48 bytes.
 */
export const NITRO_DIGEST = "SHA384";
const DIGEST_LENGTH = 48;

/** An AWS Nitro Enclaves attestation document: the COSE envelope and its decoded payload. Nothing here is verified. */
export interface NitroDocument {
  /** The document exactly as given (tagged or not): what the evidence hash covers. A private copy. */
  raw: Uint8Array;
  cose: CoseSign1;
  moduleId: string;
  digest: typeof NITRO_DIGEST;
  /** Milliseconds since the Unix epoch, as the NSM signed it. */
  timestamp: number;
  /** PCR index to value, in ascending index order. */
  pcrs: ReadonlyMap<number, Uint8Array>;
  /** The enclave's signing certificate (the COSE key). */
  certificate: ParsedCertificate;
  /** The issuing chain as the document lists it: cabundle[0] is the root. */
  cabundle: readonly ParsedCertificate[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

const REQUIRED = ["module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"] as const;
const OPTIONAL = ["public_key", "user_data", "nonce"] as const;
const KNOWN: ReadonlySet<string> = new Set<string>([...REQUIRED, ...OPTIONAL]);

function err(code: keyof typeof NITRO_CODES, message: string, field: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(NITRO_CODES[code], message, { at: { field }, ...(details ? { details } : {}) });
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof Map) return "map";
  if (Array.isArray(v)) return "array";
  return typeof v === "bigint" ? "integer" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "float") : typeof v;
}

function wrongType(field: string, want: string, got: unknown): never {
  return err("NITRO_FIELD_TYPE", `${field} must be ${want}, not ${typeName(got)}`, field, { want, got: typeName(got) });
}

function bytesField(v: CborValue | undefined, field: string, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) wrongType(field, "a byte string", v);
  if (v.length > max) err("NITRO_FIELD_TOO_LARGE", `${field} is longer than ${max} bytes`, field, { got: v.length, max });
  return v;
}

function optionalBytes(v: CborValue | undefined, field: string, max: number): Uint8Array | null {
  return v === undefined || v === null ? null : bytesField(v, field, max);
}

function timestampField(v: CborValue | undefined): number {
  const field = "timestamp";
  // cbor-x yields a number up to 2^32-1 and a bigint above; a negative integer is the wrong CBOR type (major 1).
  if (typeof v !== "number" && typeof v !== "bigint") wrongType(field, "an unsigned integer", v);
  if (v < 0) wrongType(field, "an unsigned integer", "negative integer");
  if (v > NITRO_LIMITS.maxTimestampMs)
    err("NITRO_FIELD_INVALID", "timestamp is beyond the range of dates", field, { got: v, max: NITRO_LIMITS.maxTimestampMs });
  return Number(v);
}

function pcrsField(v: CborValue | undefined): Map<number, Uint8Array> {
  if (!(v instanceof Map)) wrongType("pcrs", "a map", v);
  if (v.size === 0 || v.size > NITRO_LIMITS.maxPcrs) {
    err(v.size === 0 ? "NITRO_FIELD_INVALID" : "NITRO_FIELD_TOO_LARGE", `pcrs must hold 1 to ${NITRO_LIMITS.maxPcrs} entries`, "pcrs", {
      got: v.size,
      max: NITRO_LIMITS.maxPcrs,
    });
  }
  const out = new Map<number, Uint8Array>();
  for (const [index, value] of v) {
    if (typeof index !== "number" || index < 0) wrongType("pcrs", "a map with unsigned integer keys", index);
    const field = `pcrs[${index}]`;
    if (index >= NITRO_LIMITS.maxPcrs)
      err("NITRO_FIELD_INVALID", `PCR index ${index} is out of range 0..${NITRO_LIMITS.maxPcrs - 1}`, field, { got: index });
    if (!(value instanceof Uint8Array)) wrongType(field, "a byte string", value);
    if (value.length !== DIGEST_LENGTH) {
      err("NITRO_FIELD_INVALID", `${field} is ${value.length} bytes; a SHA384 PCR is ${DIGEST_LENGTH}`, field, {
        got: value.length,
        want: DIGEST_LENGTH,
      });
    }
    out.set(index, value);
  }
  for (const required of [0, 1, 2]) {
    if (!out.has(required)) err("NITRO_FIELD_MISSING", `pcrs has no PCR${required}`, `pcrs[${required}]`);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function certificateField(v: CborValue | undefined, field: string, pki: PkiCaches | undefined): ParsedCertificate {
  const der = bytesField(v, field, NITRO_LIMITS.maxCertificateBytes);
  if (der.length === 0) err("NITRO_FIELD_INVALID", `${field} is empty`, field);
  try {
    return parseCertificate(der, field, pki);
  } catch (cause) {
    if (isKeepledgerError(cause)) throw cause;
    throw new EvidenceFormatError(NITRO_CODES.NITRO_CERTIFICATE_MALFORMED, `${field} is not a certificate keepledger can parse`, {
      at: { field },
      cause,
    });
  }
}

function cabundleField(v: CborValue | undefined, pki: PkiCaches | undefined): ParsedCertificate[] {
  if (!Array.isArray(v)) wrongType("cabundle", "an array", v);
  if (v.length === 0) err("NITRO_FIELD_INVALID", "cabundle is empty", "cabundle");
  if (v.length > NITRO_LIMITS.maxCabundle)
    err("NITRO_FIELD_TOO_LARGE", `cabundle holds more than ${NITRO_LIMITS.maxCabundle} certificates`, "cabundle", {
      got: v.length,
      max: NITRO_LIMITS.maxCabundle,
    });
  return v.map((c, i) => certificateField(c, `cabundle[${i}]`, pki));
}

/** Reads the payload map: every field AWS defines, with its exact type and bounds; nothing else. */
function parsePayload(cose: CoseSign1, pki: PkiCaches | undefined): Omit<NitroDocument, "raw" | "cose"> {
  const doc = decodeCbor(cose.payload, cose.spans.payload.end - cose.payload.length, { field: "payload", allowIndefiniteContainers: true });
  if (!(doc instanceof Map)) wrongType("payload", "a map", doc);
  for (const key of doc.keys()) {
    if (typeof key !== "string") wrongType("payload", "a map with text keys", key);
    if (!KNOWN.has(key)) err("NITRO_FIELD_UNKNOWN", `unknown attestation document field "${key}"`, key);
  }
  for (const key of REQUIRED) {
    if (!doc.has(key)) err("NITRO_FIELD_MISSING", `the attestation document has no ${key}`, key);
  }
  const moduleId = doc.get("module_id");
  if (typeof moduleId !== "string") wrongType("module_id", "a text string", moduleId);
  if (moduleId.length === 0) err("NITRO_FIELD_INVALID", "module_id is empty", "module_id");
  const digest = doc.get("digest");
  if (typeof digest !== "string") wrongType("digest", "a text string", digest);
  if (digest !== NITRO_DIGEST)
    err("NITRO_FIELD_INVALID", `digest ${JSON.stringify(digest.slice(0, 32))} is not SHA384`, "digest", {
      got: digest.slice(0, 32),
      want: NITRO_DIGEST,
    });
  return {
    moduleId,
    digest: NITRO_DIGEST,
    timestamp: timestampField(doc.get("timestamp")),
    pcrs: pcrsField(doc.get("pcrs")),
    certificate: certificateField(doc.get("certificate"), "certificate", pki),
    cabundle: cabundleField(doc.get("cabundle"), pki),
    publicKey: optionalBytes(doc.get("public_key"), "public_key", NITRO_LIMITS.maxPublicKeyBytes),
    userData: optionalBytes(doc.get("user_data"), "user_data", NITRO_LIMITS.maxUserDataBytes),
    nonce: optionalBytes(doc.get("nonce"), "nonce", NITRO_LIMITS.maxNonceBytes),
  };
}

/**
 * Parses an AWS Nitro Enclaves attestation document (COSE_Sign1, tagged or
 * not) from untrusted bytes. No signature or chain is checked here: see
 * verifyNitroDocument. Every failure is an EvidenceFormatError naming the field.
 */
export interface ParseNitroDocumentOptions {
  /** Remembers parsed certificates (a verifier context's); without it each is parsed again. */
  pki?: PkiCaches;
}

export function parseNitroDocument(bytes: Uint8Array, options: ParseNitroDocumentOptions = {}): NitroDocument {
  const raw = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
  const cose = parseCoseSign1(raw);
  return { raw, cose, ...parsePayload(cose, options.pki) };
}
