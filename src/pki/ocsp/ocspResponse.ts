/**
 * OCSP responses (RFC 6960): parse a DER OCSPResponse into its
 * BasicOCSPResponse, and decide a certificate's status as of a time. The
 * response must be signed by the certificate's issuer, or by a responder
 * certificate that issuer issued with id-kp-OCSPSigning (§4.2.2.2); its
 * thisUpdate..nextUpdate window must hold the verification time. Pure: the
 * caller fetches responses (collateral) and passes them in. Its times are
 * GeneralizedTime whatever the year (RFC 6960 §4.2.1), unlike certificates'.
 */
import { createHash, hash } from "node:crypto";
import { EvidenceFormatError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import { parseCertificate, serialOf, type ParsedCertificate } from "../x509/certificate.ts";
import { X509_CODES } from "../x509/codes.ts";
import { DER, checkBitString, childrenOf, readOid, readSingle, readSmallInteger, readTlv, type Tlv } from "../x509/der.ts";
import { parseTime } from "../x509/names.ts";
import type { PkiCaches } from "../x509/pkiCaches.ts";
import { isSignedBy } from "../x509/verifyCertificateChain.ts";
import { parseSignatureAlgorithm, verifyWith, type SignatureAlgorithm } from "../x509/signatureAlgorithm.ts";
import { OCSP_CODES } from "./codes.ts";

const ID_PKIX_OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1";
const ID_KP_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
const EXTENDED_KEY_USAGE = "2.5.29.37";
const CERT_ID_HASHES: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const STATUS_NAMES = ["successful", "malformedRequest", "internalError", "tryLater", "(unused)", "sigRequired", "unauthorized"];

export interface OcspSingleResponse {
  /** node:crypto name of the CertID hash ("sha1" is only an identifier here, never a signature). */
  hash: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** Lowercase hex without leading zeros, as ParsedCertificate.serial. */
  serial: string;
  status: "good" | "revoked" | "unknown";
  revocationTime: Date | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

export interface ParsedOcspResponse {
  der: Uint8Array;
  fingerprint: string;
  /** The exact tbsResponseData bytes the responder signed. */
  tbs: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  signature: Uint8Array;
  responderId: { byName: Uint8Array } | { byKeyHash: Uint8Array };
  producedAt: Date;
  responses: OcspSingleResponse[];
  /** Certificates the responder attached (a delegated responder's certificate). */
  certificates: ParsedCertificate[];
}

function malformed(message: string, field: string, offset = 0): never {
  throw new EvidenceFormatError(OCSP_CODES.OCSP_MALFORMED, `OCSP response: ${message}`, { at: { field, offset } });
}

function expect(t: Tlv | undefined, tag: number, field: string): Tlv {
  if (t === undefined || t.tag !== tag) malformed(`${field} is missing or has the wrong tag`, field, t?.offset ?? 0);
  return t;
}

function parseSingle(single: Tlv, i: number): OcspSingleResponse {
  const field = `responses[${i}]`;
  const [certId, certStatus, thisUpdate, ...rest] = childrenOf(expect(single, DER.SEQUENCE, field), field);
  const [hashAlg, nameHash, keyHash, serial, ...extra] = childrenOf(expect(certId, DER.SEQUENCE, `${field}.certID`), `${field}.certID`);
  if (extra.length > 0) malformed("certID has extra fields", `${field}.certID`);
  const hashOid = readOid(
    childrenOf(expect(hashAlg, DER.SEQUENCE, `${field}.certID.hashAlgorithm`), field)[0],
    `${field}.certID.hashAlgorithm`,
  );
  const hash = CERT_ID_HASHES[hashOid];
  if (!hash) malformed(`unsupported CertID hash ${hashOid}`, `${field}.certID.hashAlgorithm`);
  const serialTlv = expect(serial, DER.INTEGER, `${field}.certID.serialNumber`);
  let status: OcspSingleResponse["status"];
  let revocationTime: Date | null = null;
  if (certStatus?.tag === 0x80 && certStatus.value.length === 0) status = "good";
  else if (certStatus?.tag === 0x82 && certStatus.value.length === 0) status = "unknown";
  else if (certStatus?.tag === 0xa1) {
    status = "revoked";
    revocationTime = parseTime(childrenOf(certStatus, `${field}.revokedInfo`)[0], `${field}.revocationTime`, true);
  } else malformed("certStatus is not good, revoked or unknown", `${field}.certStatus`, certStatus?.offset ?? 0);
  let nextUpdate: Date | null = null;
  for (const t of rest) {
    if (t.tag === 0xa0 && nextUpdate === null) nextUpdate = parseTime(childrenOf(t, `${field}.nextUpdate`)[0], `${field}.nextUpdate`, true);
    else if (t.tag !== 0xa1) malformed("unexpected field in SingleResponse", field, t.offset);
  }
  return {
    hash,
    issuerNameHash: expect(nameHash, DER.OCTET_STRING, `${field}.certID.issuerNameHash`).value,
    issuerKeyHash: expect(keyHash, DER.OCTET_STRING, `${field}.certID.issuerKeyHash`).value,
    serial: serialOf(serialTlv.value),
    status,
    revocationTime,
    thisUpdate: parseTime(thisUpdate, `${field}.thisUpdate`, true),
    nextUpdate,
  };
}

/** Parses a DER OCSPResponse. A response whose status is not "successful" fails with OCSP_RESPONSE_UNSUCCESSFUL. */
export function parseOcspResponse(der: Uint8Array, caches?: PkiCaches): ParsedOcspResponse {
  const outer = readSingle(der, DER.SEQUENCE, "OCSPResponse");
  const [statusTlv, bytesTlv, ...extra] = childrenOf(outer, "OCSPResponse");
  if (extra.length > 0) malformed("extra fields after responseBytes", "OCSPResponse");
  const status = readSmallInteger(statusTlv, "OCSPResponse.responseStatus", DER.ENUMERATED);
  if (status !== 0) {
    throw new VerificationError(OCSP_CODES.OCSP_RESPONSE_UNSUCCESSFUL, `OCSP responder answered ${STATUS_NAMES[status] ?? status}`, {
      details: { responseStatus: status },
    });
  }
  const [responseBytes] = childrenOf(expect(bytesTlv, 0xa0, "responseBytes"), "responseBytes");
  const [type, octets] = childrenOf(expect(responseBytes, DER.SEQUENCE, "responseBytes"), "responseBytes");
  if (readOid(type, "responseBytes.responseType") !== ID_PKIX_OCSP_BASIC)
    malformed("not a BasicOCSPResponse", "responseBytes.responseType");
  const inner = expect(octets, DER.OCTET_STRING, "responseBytes.response");
  const basic = readSingle(inner.value, DER.SEQUENCE, "BasicOCSPResponse", inner.valueOffset);
  const [tbs, alg, sig, certs, ...more] = childrenOf(basic, "BasicOCSPResponse");
  if (more.length > 0) malformed("extra fields in BasicOCSPResponse", "BasicOCSPResponse");
  const [algOid, algParams] = childrenOf(expect(alg, DER.SEQUENCE, "signatureAlgorithm"), "signatureAlgorithm");
  const signatureAlgorithm = parseSignatureAlgorithm(readOid(algOid, "signatureAlgorithm"), algParams);
  const sigBits = checkBitString(expect(sig, DER.BIT_STRING, "signature"), "signature");
  if (sigBits.unused !== 0) malformed("signature has unused bits", "signature");
  const fields = childrenOf(expect(tbs, DER.SEQUENCE, "tbsResponseData"), "tbsResponseData");
  let k = 0;
  if (fields[k]?.tag === 0xa0) {
    const version = readSmallInteger(childrenOf(fields[k]!, "version")[0], "tbsResponseData.version");
    if (version !== 0) malformed(`version ${version + 1} is not v1`, "tbsResponseData.version");
    k++;
  }
  const rid = fields[k++];
  let responderId: ParsedOcspResponse["responderId"];
  if (rid?.tag === 0xa1) responderId = { byName: expect(childrenOf(rid, "responderID")[0], DER.SEQUENCE, "responderID.byName").raw };
  else if (rid?.tag === 0xa2)
    responderId = { byKeyHash: expect(childrenOf(rid, "responderID")[0], DER.OCTET_STRING, "responderID.byKey").value };
  else malformed("responderID is neither byName nor byKey", "tbsResponseData.responderID", rid?.offset ?? 0);
  const producedAt = parseTime(fields[k++], "tbsResponseData.producedAt", true);
  const responses = childrenOf(expect(fields[k++], DER.SEQUENCE, "tbsResponseData.responses"), "responses").map(parseSingle);
  if (fields[k]?.tag === 0xa1) k++; // responseExtensions (a nonce, which offline verification cannot use)
  if (k !== fields.length) malformed("unexpected fields in tbsResponseData", "tbsResponseData");
  const certificates =
    certs === undefined
      ? []
      : childrenOf(expect(childrenOf(expect(certs, 0xa0, "certs"), "certs")[0], DER.SEQUENCE, "certs"), "certs").map((c, i) =>
          parseCertificate(c.raw, `OCSP responder certificate ${i}`, caches),
        );
  return {
    der,
    fingerprint: hash("sha256", der, "hex"),
    tbs: tbs!.raw,
    signatureAlgorithm,
    signature: sigBits.bytes,
    responderId,
    producedAt,
    responses,
    certificates,
  };
}

/** The issuer name DER and subjectPublicKey bits an OCSP CertID hashes (RFC 6960 §4.1.1). */
export function issuerParts(issuer: ParsedCertificate): { name: Uint8Array; key: Uint8Array } {
  const tbs = childrenOf(readSingle(issuer.tbs, DER.SEQUENCE, "tbsCertificate"), "tbsCertificate");
  const i = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const spki = childrenOf(readSingle(issuer.spki, DER.SEQUENCE, "subjectPublicKeyInfo"), "subjectPublicKeyInfo");
  return { name: tbs[i + 4]!.raw, key: checkBitString(spki[1]!, "subjectPublicKey").bytes };
}

function digest(hash: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(data).digest());
}

// A parsed certificate never changes, so its CertID hashes are computed once per hash algorithm: the revocation
// check asks every response about every certificate of a chain on each verification.
const certIdHashes = new WeakMap<ParsedCertificate, Map<string, { name: Uint8Array; key: Uint8Array }>>();

function certIdHashesOf(issuer: ParsedCertificate, hash: string): { name: Uint8Array; key: Uint8Array } {
  let byHash = certIdHashes.get(issuer);
  if (!byHash) certIdHashes.set(issuer, (byHash = new Map()));
  let hashes = byHash.get(hash);
  if (!hashes) {
    const { name, key } = issuerParts(issuer);
    byHash.set(hash, (hashes = { name: digest(hash, name), key: digest(hash, key) }));
  }
  return hashes;
}

export function coversCertificate(single: OcspSingleResponse, certificate: ParsedCertificate, issuer: ParsedCertificate): boolean {
  if (single.serial !== certificate.serial) return false;
  const { name, key } = certIdHashesOf(issuer, single.hash);
  return bytesEqual(single.issuerNameHash, name) && bytesEqual(single.issuerKeyHash, key);
}

function hasOcspSigning(cert: ParsedCertificate): boolean {
  const eku = cert.extensions.find((e) => e.oid === EXTENDED_KEY_USAGE);
  if (!eku) return false;
  const seq = readSingle(eku.value, DER.SEQUENCE, "extendedKeyUsage");
  return childrenOf(seq, "extendedKeyUsage").some((t) => readOid(t, "extendedKeyUsage") === ID_KP_OCSP_SIGNING);
}

/** Whether `cert`'s key signed the response, remembered by the response's and the certificate's fingerprints. */
function signedBy(response: ParsedOcspResponse, cert: ParsedCertificate, caches?: PkiCaches): boolean {
  const key = `ocsp:${response.fingerprint}:${cert.fingerprint}`;
  const hit = caches?.signatures.get(key);
  if (hit !== undefined) return hit;
  const ok = verifyWith(response.signatureAlgorithm, response.tbs, response.signature, cert.publicKey, "der");
  return caches ? caches.signatures.set(key, ok) : ok;
}

/** Who signed the response: the issuer itself, or a delegated responder the issuer certified for OCSP signing. */
function responderOf(response: ParsedOcspResponse, issuer: ParsedCertificate, at: Date, caches?: PkiCaches): ParsedCertificate {
  if (signedBy(response, issuer, caches)) return issuer;
  for (const cert of response.certificates) {
    if (!signedBy(response, cert, caches)) continue;
    if (
      cert.issuer === issuer.subject &&
      isSignedBy(cert, issuer, caches) &&
      hasOcspSigning(cert) &&
      at >= cert.notBefore &&
      at <= cert.notAfter
    ) {
      return cert;
    }
    throw new VerificationError(
      OCSP_CODES.OCSP_RESPONDER_UNAUTHORIZED,
      `the OCSP responder "${cert.subject}" is not authorized by "${issuer.subject}"`,
      {
        details: { responder: cert.subject, issuer: issuer.subject, at },
      },
    );
  }
  throw new VerificationError(
    OCSP_CODES.OCSP_SIGNATURE_INVALID,
    `the OCSP response for a certificate of "${issuer.subject}" does not verify`,
    {
      details: { issuer: issuer.subject, responderCertificates: response.certificates.map((c) => c.subject) },
    },
  );
}

export interface OcspStatusOptions {
  /** Responses to choose from (collateral). */
  responses: readonly ParsedOcspResponse[];
  certificate: ParsedCertificate;
  issuer: ParsedCertificate;
  at: Date;
  caches?: PkiCaches;
  /** coveringResponses(responses, certificate, issuer), when the caller has already asked it. */
  covering?: readonly CoveringResponse[];
}

/** One single response that names a certificate, with the response it is part of. */
export interface CoveringResponse {
  response: ParsedOcspResponse;
  single: OcspSingleResponse;
}

/** The single responses among `responses` that name `certificate` (issued by `issuer`), newest first. */
export function coveringResponses(
  responses: readonly ParsedOcspResponse[],
  certificate: ParsedCertificate,
  issuer: ParsedCertificate,
): CoveringResponse[] {
  const covering: CoveringResponse[] = [];
  for (const response of responses) {
    for (const single of response.responses) if (coversCertificate(single, certificate, issuer)) covering.push({ response, single });
  }
  return covering.length > 1 ? covering.sort((a, b) => b.single.thisUpdate.getTime() - a.single.thisUpdate.getTime()) : covering;
}

export interface OcspStatus {
  response: ParsedOcspResponse;
  single: OcspSingleResponse;
  responder: ParsedCertificate;
  /** Until when this answer holds (its nextUpdate). */
  expiresAt: Date;
}

/**
 * The certificate's OCSP status as of `at`: the newest response that names it and is in force at `at`,
 * signed by an authorized responder. Good → returned; revoked → CERT_REVOKED; unknown → OCSP_CERT_STATUS_UNKNOWN.
 */
export function checkOcspStatus(options: OcspStatusOptions): OcspStatus {
  const { certificate, issuer, at } = options;
  const details = { subject: certificate.subject, serial: certificate.serial, issuer: issuer.subject, at };
  const covering = options.covering ?? coveringResponses(options.responses, certificate, issuer);
  if (covering.length === 0) {
    throw new VerificationError(OCSP_CODES.OCSP_CERT_NOT_COVERED, `no OCSP response covers "${certificate.subject}"`, { details });
  }
  const current = covering.filter((c) => c.single.thisUpdate <= at);
  if (current.length === 0) {
    throw new VerificationError(OCSP_CODES.OCSP_NOT_YET_VALID, `the OCSP response for "${certificate.subject}" is not yet valid`, {
      details: { ...details, thisUpdate: covering[0]!.single.thisUpdate },
    });
  }
  const { response, single } = current[0]!;
  if (single.nextUpdate === null || single.nextUpdate < at) {
    throw new VerificationError(OCSP_CODES.OCSP_EXPIRED, `the OCSP response for "${certificate.subject}" has expired`, {
      details: { ...details, nextUpdate: single.nextUpdate },
    });
  }
  const responder = responderOf(response, issuer, at, options.caches);
  if (single.status === "revoked") {
    throw new VerificationError(X509_CODES.CERT_REVOKED, `certificate "${certificate.subject}" is revoked (OCSP)`, {
      details: { ...details, revocationTime: single.revocationTime },
    });
  }
  if (single.status === "unknown") {
    throw new VerificationError(OCSP_CODES.OCSP_CERT_STATUS_UNKNOWN, `the OCSP responder does not know "${certificate.subject}"`, {
      details,
    });
  }
  return { response, single, responder, expiresAt: single.nextUpdate };
}

/** Reads the first element of a buffer (for callers that recognize OCSP responses among collateral files). */
export function looksLikeOcspResponse(der: Uint8Array): boolean {
  try {
    const outer = readTlv(der, 0, "OCSPResponse");
    const first = readTlv(outer.value, 0, "OCSPResponse.responseStatus");
    return outer.tag === DER.SEQUENCE && first.tag === DER.ENUMERATED;
  } catch {
    return false;
  }
}
