import "reflect-metadata"; // @peculiar/x509 relies on it (tsyringe); must load first
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { X509Certificate, X509Crl } from "@peculiar/x509";
import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { X509_CODES } from "./codes.ts";
import { bytesEqual } from "../../util/bytes.ts";
import { DER, childrenOf, decodeOid, expectTag, readSingle, type Tlv } from "./der.ts";
import { parseTime, renderName } from "./names.ts";
import { parseSignatureAlgorithm, type SignatureAlgorithm } from "./signatureAlgorithm.ts";

/** A certificate parsed once, with the exact signed bytes kept for node:crypto. */
export interface ParsedCertificate {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of the DER encoding: how roots are pinned. */
  fingerprint: string;
  /** The full @peculiar/x509 object, built on first access (slow: ~0.6 ms). */
  readonly x509: X509Certificate;
  /** Every extension as encoded, in order. */
  extensions: readonly CertificateExtension[];
  /** keyUsage flags (see KEY_USAGE), null when the extension is absent. */
  keyUsage: number | null;
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
  /** The full @peculiar/x509 object, built on first access. */
  readonly x509: X509Crl;
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

/** One certificate extension as encoded. */
export interface CertificateExtension {
  oid: string;
  critical: boolean;
  /** The extnValue contents (the DER inside the OCTET STRING). */
  value: Uint8Array;
}

/**
 * Parses a DER or PEM certificate with the bounded DER reader; results are
 * cached by the DER's SHA-256. The fields verification needs are read here
 * directly (tens of microseconds, against ~0.6 ms for a full ASN.1 object
 * model); the @peculiar/x509 object is built only when something asks for
 * `x509`, e.g. to read an extension with its API.
 */
export function parseCertificate(input: Uint8Array | string, field = "certificate"): ParsedCertificate {
  const der = toDer(input, "CERTIFICATE");
  const fingerprint = sha256Hex(der);
  const hit = certCache.get(fingerprint);
  if (hit) return hit;
  const { tbs, algorithm, signature } = splitSigned(der, field, "certificate");
  const f = childrenOf(readSingle(tbs, DER.SEQUENCE, `${field}.tbs`), `${field}.tbs`);
  let i = f[0]?.tag === 0xa0 ? 1 : 0;
  const serial = expectTag(f[i++], DER.INTEGER, `${field}.serialNumber`);
  i++; // signature AlgorithmIdentifier: compared with the outer one in splitSigned
  const issuerName = expectTag(f[i++], DER.SEQUENCE, `${field}.issuer`);
  const validity = childrenOf(expectTag(f[i++], DER.SEQUENCE, `${field}.validity`), `${field}.validity`);
  const subjectName = expectTag(f[i++], DER.SEQUENCE, `${field}.subject`);
  const spki = expectTag(f[i++], DER.SEQUENCE, `${field}.subjectPublicKeyInfo`).raw;
  const extensions = parseExtensions(f.slice(i).find((t) => t.tag === 0xa3), field);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch (cause) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} has an unusable public key`, { at: { field }, cause });
  }
  const basic = extensions.find((e) => e.oid === "2.5.29.19");
  const keyUsage = keyUsageOf(extensions.find((e) => e.oid === "2.5.29.15"), field);
  let x509: X509Certificate | undefined;
  return remember(certCache, fingerprint, {
    der,
    fingerprint,
    get x509(): X509Certificate {
      try {
        x509 ??= new X509Certificate(der);
      } catch (cause) {
        throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} could not be parsed`, { at: { field }, cause });
      }
      return x509;
    },
    tbs,
    signatureAlgorithm: algorithm,
    signature,
    spki,
    publicKey,
    subject: renderName(subjectName, `${field}.subject`),
    issuer: renderName(issuerName, `${field}.issuer`),
    serial: normalizeSerial(Buffer.from(serial.value).toString("hex")),
    notBefore: parseTime(validity[0], `${field}.notBefore`),
    notAfter: parseTime(validity[1], `${field}.notAfter`),
    isCa: basic !== undefined && isCaConstraint(basic.value, field),
    extensions,
    keyUsage,
    canSignCertificates: keyUsage === null || (keyUsage & KEY_USAGE.keyCertSign) !== 0,
    canSignCrls: keyUsage === null || (keyUsage & KEY_USAGE.cRLSign) !== 0,
  });
}

/** keyUsage bits as @peculiar/x509's KeyUsageFlags numbers them (bit n of the BIT STRING = 1 << n). */
export const KEY_USAGE = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

function parseExtensions(wrapper: Tlv | undefined, field: string): CertificateExtension[] {
  if (wrapper === undefined) return [];
  const [list] = childrenOf(wrapper, `${field}.extensions`);
  const out: CertificateExtension[] = [];
  for (const ext of childrenOf(expectTag(list, DER.SEQUENCE, `${field}.extensions`), `${field}.extensions`)) {
    const parts = childrenOf(expectTag(ext, DER.SEQUENCE, `${field}.extension`), `${field}.extension`);
    const oid = decodeOid(expectTag(parts[0], DER.OID, `${field}.extension`).value);
    const critical = parts.length === 3 && expectTag(parts[1], DER.BOOLEAN, `${field}.extension.critical`).value[0] !== 0;
    const value = expectTag(parts[parts.length - 1], DER.OCTET_STRING, `${field}.extension.value`).value;
    if (parts.length < 2 || parts.length > 3 || out.some((e) => e.oid === oid)) {
      throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: malformed or repeated extension ${oid}`, { at: { field } });
    }
    out.push({ oid, critical, value });
  }
  return out;
}

function isCaConstraint(value: Uint8Array, field: string): boolean {
  const [first] = childrenOf(readSingle(value, DER.SEQUENCE, `${field}.basicConstraints`), `${field}.basicConstraints`);
  return first?.tag === DER.BOOLEAN && first.value[0] !== 0;
}

function keyUsageOf(ext: CertificateExtension | undefined, field: string): number | null {
  if (ext === undefined) return null;
  const bits = readSingle(ext.value, DER.BIT_STRING, `${field}.keyUsage`).value;
  if (bits.length === 0 || bits[0]! > 7 || bits.length > 3) {
    throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field}: malformed keyUsage`, { at: { field } });
  }
  let flags = 0;
  for (let byte = 1; byte < bits.length && byte <= 2; byte++) {
    for (let bit = 0; bit < 8; bit++) if ((bits[byte]! & (0x80 >> bit)) !== 0) flags |= 1 << ((byte - 1) * 8 + bit);
  }
  return flags;
}

/** Parses every PEM certificate in a text, in order. */
export function parsePemCertificates(text: string, field = "certificate chain"): ParsedCertificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b, i) => parseCertificate(b, `${field}[${i}]`));
}

/** Parses a DER or PEM CRL with the bounded DER reader; results are cached by the DER's SHA-256. */
export function parseCrl(input: Uint8Array | string, field = "CRL"): ParsedCrl {
  const der = toDer(input, "X509 CRL");
  const key = sha256Hex(der);
  const hit = crlCache.get(key);
  if (hit) return hit;
  const { tbs, algorithm, signature } = splitSigned(der, field, "crl");
  const f = childrenOf(readSingle(tbs, DER.SEQUENCE, `${field}.tbs`), `${field}.tbs`);
  let i = f[0]?.tag === DER.INTEGER ? 1 : 0;
  i++; // signature AlgorithmIdentifier
  const issuerName = expectTag(f[i++], DER.SEQUENCE, `${field}.issuer`);
  const thisUpdate = parseTime(f[i++], `${field}.thisUpdate`);
  const nextUpdate = f[i] !== undefined && (f[i]!.tag === 0x17 || f[i]!.tag === 0x18) ? parseTime(f[i++], `${field}.nextUpdate`) : undefined;
  const revokedSerials = new Set<string>();
  if (f[i]?.tag === DER.SEQUENCE) {
    for (const entry of childrenOf(f[i]!, `${field}.revokedCertificates`)) {
      const [serial] = childrenOf(expectTag(entry, DER.SEQUENCE, `${field}.revokedCertificate`), `${field}.revokedCertificate`);
      revokedSerials.add(normalizeSerial(Buffer.from(expectTag(serial, DER.INTEGER, `${field}.revokedCertificate.serial`).value).toString("hex")));
    }
  }
  let x509: X509Crl | undefined;
  return remember(crlCache, key, {
    der,
    fingerprint: key,
    get x509(): X509Crl {
      try {
        x509 ??= new X509Crl(der);
      } catch (cause) {
        throw new EvidenceFormatError(X509_CODES.CERT_MALFORMED, `${field} could not be parsed`, { at: { field }, cause });
      }
      return x509;
    },
    tbs,
    signatureAlgorithm: algorithm,
    signature,
    issuer: renderName(issuerName, `${field}.issuer`),
    thisUpdate,
    nextUpdate,
    revokedSerials,
  });
}
