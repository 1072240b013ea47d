import "reflect-metadata"; // @peculiar/x509 relies on it (tsyringe); must load first
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { X509Certificate, X509Crl, BasicConstraintsExtension, KeyUsagesExtension, KeyUsageFlags } from "@peculiar/x509";
import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { X509_CODES } from "./codes.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { DER, childrenOf, decodeOid, expectTag, readSingle } from "./der.ts";
import { parseSignatureAlgorithm, type SignatureAlgorithm } from "./signatureAlgorithm.ts";

/** A certificate parsed once, with the exact signed bytes kept for node:crypto. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER encoding: how roots are pinned. */
  fingerprint: string;
  x509: X509Certificate;
  /** The exact tbsCertificate bytes the issuer signed. */
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  /** The signature as it appears in the certificate (DER for ECDSA). */
  signature: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  publicKey: KeyObject;
  subject: string;
  issuer: string;
  /** Lowercase hex serial without leading zeros. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  /** keyUsage allows keyCertSign (true when the extension is absent). */
  canSignCertificates: boolean;
  /** keyUsage allows cRLSign (true when the extension is absent). */
  canSignCrls: boolean;
}

export interface ParsedCrl {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER encoding. */
  fingerprint: string;
  x509: X509Crl;
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** Revoked serials, lowercase hex without leading zeros. */
  revokedSerials: ReadonlySet<string>;
}

const certCache = new Map<string, ParsedCertificate>();
const crlCache = new Map<string, ParsedCrl>();
const CACHE_LIMIT = 4096;

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** Drops parsed certificates and CRLs (for cold-cache benchmarks). */
export function clearParseCaches(): void {
  certCache.clear();
  crlCache.clear();
}

export function normalizeSerial(hex: string): string {
  const s = hex.toLowerCase().replace(/^0x/, "").replace(/^0+/, "");
  return s === "" ? "0" : s;
}

/** Splits `SEQUENCE { tbs, signatureAlgorithm, signatureValue }` byte-exactly. */
function splitSigned(
  der: Uint8Array,
  what: string,
  kind: "certificate" | "crl",
): { tbs: Uint8Array; algorithm: SignatureAlgorithm; signature: Uint8Array } {
  const outer = readSingle(der, DER.SEQUENCE, what);
  const [tbs, alg, sig] = childrenOf(outer, what);
  const tbsSeq = expectTag(tbs, DER.SEQUENCE, `${what}.tbs`);
  const algSeq = expectTag(alg, DER.SEQUENCE, `${what}.signatureAlgorithm`);
  // RFC 5280 §4.1.1.2 / §5.1.1.2: the unsigned outer algorithm must equal the signed one inside the TBS.
  // Otherwise its bytes (e.g. RSA-PSS parameters) could change without breaking the signature, giving a
  // second encoding — and a second collateral hash — of the same certificate.
  const inner = childrenOf(tbsSeq, `${what}.tbs`);
  const index = kind === "certificate" ? (inner[0]?.tag === 0xa0 ? 2 : 1) : inner[0]?.tag === DER.INTEGER ? 1 : 0;
  if (inner[index] === undefined || !bytesEqual(inner[index].raw, algSeq.raw)) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${what}: the signature algorithm outside the signed part differs from the one inside`, {
      at: { field: what },
    });
  }
  const sigBits = expectTag(sig, DER.BIT_STRING, `${what}.signatureValue`);
  if (sigBits.value.length < 1 || sigBits.value[0] !== 0) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${what} signature BIT STRING has unused bits`, { at: { field: what } });
  }
  const [oid, params] = childrenOf(algSeq, `${what}.signatureAlgorithm`);
  const algorithm = parseSignatureAlgorithm(decodeOid(expectTag(oid, DER.OID, `${what}.signatureAlgorithm`).value), params);
  return { tbs: tbs!.raw, algorithm, signature: sigBits.value.subarray(1) };
}

function toDer(input: Uint8Array | string, label: "CERTIFICATE" | "X509 CRL"): Uint8Array {
  if (typeof input !== "string") return input;
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(input);
  if (!m) throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `no PEM ${label} block found`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
}

/** Parses a DER or PEM certificate; results are cached by the DER's SHA-256. */
export function parseCertificate(input: Uint8Array | string, field = "certificate"): ParsedCertificate {
  const der = toDer(input, "CERTIFICATE");
  const fingerprint = sha256Hex(der);
  const hit = certCache.get(fingerprint);
  if (hit) return hit;
  const { tbs, algorithm, signature } = splitSigned(der, field, "certificate");
  try {
    const x509 = new X509Certificate(der);
    const spki = new Uint8Array(x509.publicKey.rawData);
    const bc = x509.getExtension(BasicConstraintsExtension);
    const ku = x509.getExtension(KeyUsagesExtension);
    return remember(certCache, fingerprint, {
      der,
      fingerprint,
      x509,
      tbs,
      signatureAlgorithm: algorithm,
      signature,
      spki,
      publicKey: createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }),
      subject: x509.subject,
      issuer: x509.issuer,
      serial: normalizeSerial(x509.serialNumber),
      notBefore: x509.notBefore,
      notAfter: x509.notAfter,
      isCa: bc?.ca === true,
      canSignCertificates: ku === null || (ku.usages & KeyUsageFlags.keyCertSign) !== 0,
      canSignCrls: ku === null || (ku.usages & KeyUsageFlags.cRLSign) !== 0,
    });
  } catch (cause) {
    // @peculiar/x509 throws plain Errors on malformed extensions or names; every field is read here, inside the guard.
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} could not be parsed`, { at: { field }, cause });
  }
}

/** Parses every PEM certificate in a text, in order. */
export function parsePemCertificates(text: string, field = "certificate chain"): ParsedCertificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b, i) => parseCertificate(b, `${field}[${i}]`));
}

/** Parses a DER or PEM CRL; results are cached by the DER's SHA-256. */
export function parseCrl(input: Uint8Array | string, field = "CRL"): ParsedCrl {
  const der = toDer(input, "X509 CRL");
  const key = sha256Hex(der);
  const hit = crlCache.get(key);
  if (hit) return hit;
  const { tbs, algorithm, signature } = splitSigned(der, field, "crl");
  try {
    const x509 = new X509Crl(der);
    return remember(crlCache, key, {
      der,
      fingerprint: key,
      x509,
      tbs,
      signatureAlgorithm: algorithm,
      signature,
      issuer: x509.issuer,
      thisUpdate: x509.thisUpdate,
      nextUpdate: x509.nextUpdate,
      revokedSerials: new Set(x509.entries.map((e) => normalizeSerial(e.serialNumber))),
    });
  } catch (cause) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} could not be parsed`, { at: { field }, cause });
  }
}
