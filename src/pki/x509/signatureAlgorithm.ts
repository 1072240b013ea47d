import { constants, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { p1363ToDer } from "../keyImport.ts";
import { X509_CODES } from "./codes.ts";
import { DER, childrenOf, childrenUpTo, expectTag, readOid, readSmallInteger, type Tlv } from "./der.ts";

export type HashName = "sha256" | "sha384" | "sha512";

export type SignatureAlgorithm =
  | { kind: "ecdsa"; hash: HashName }
  | { kind: "rsa-pkcs1"; hash: HashName }
  | { kind: "rsa-pss"; hash: HashName; saltLength: number };

const HASH_OIDS: Record<string, HashName> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

const SIMPLE: Record<string, SignatureAlgorithm> = {
  "1.2.840.10045.4.3.2": { kind: "ecdsa", hash: "sha256" },
  "1.2.840.10045.4.3.3": { kind: "ecdsa", hash: "sha384" },
  "1.2.840.10045.4.3.4": { kind: "ecdsa", hash: "sha512" },
  "1.2.840.113549.1.1.11": { kind: "rsa-pkcs1", hash: "sha256" },
  "1.2.840.113549.1.1.12": { kind: "rsa-pkcs1", hash: "sha384" },
  "1.2.840.113549.1.1.13": { kind: "rsa-pkcs1", hash: "sha512" },
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";

function hashOf(algId: Tlv | undefined, field: string): HashName {
  const [hashOid] = childrenUpTo(expectTag(algId, DER.SEQUENCE, field), 2, field);
  const name = HASH_OIDS[readOid(hashOid, field)];
  if (!name) unsupported(`${RSASSA_PSS} with an unsupported hash`);
  return name;
}

function unsupported(oid: string): never {
  throw new VerificationError(X509_CODES.CERT_SIGNATURE_ALGORITHM_UNSUPPORTED, `unsupported signature algorithm ${oid}`, {
    details: { oid },
  });
}

/** Maps an AlgorithmIdentifier to what node:crypto needs. SHA-1 and MD5 are refused. */
export function parseSignatureAlgorithm(oid: string, params: Tlv | undefined): SignatureAlgorithm {
  const simple = SIMPLE[oid];
  if (simple) return simple;
  if (oid !== RSASSA_PSS) unsupported(oid);
  const seq = expectTag(params, DER.SEQUENCE, "RSASSA-PSS parameters");
  let hash: HashName | undefined;
  let saltLength = 20;
  let mgfHash: HashName | undefined;
  for (const field of childrenOf(seq, "RSASSA-PSS parameters")) {
    if (field.tag === 0xa0) {
      hash = hashOf(childrenUpTo(field, 1, "RSASSA-PSS hashAlgorithm")[0], "RSASSA-PSS hashAlgorithm");
    } else if (field.tag === 0xa1) {
      // MGF1 with its hash: SEQUENCE { OID mgf1, AlgorithmIdentifier hash }
      const [mgf] = childrenUpTo(field, 1, "RSASSA-PSS maskGenAlgorithm");
      const [mgfOid, mgfParams] = childrenUpTo(
        expectTag(mgf, DER.SEQUENCE, "RSASSA-PSS maskGenAlgorithm"),
        2,
        "RSASSA-PSS maskGenAlgorithm",
      );
      if (readOid(mgfOid, "RSASSA-PSS maskGenAlgorithm") !== MGF1)
        unsupported(`${RSASSA_PSS} with a mask generation function other than MGF1`);
      mgfHash = hashOf(mgfParams, "RSASSA-PSS MGF1 hash");
    } else if (field.tag === 0xa2) {
      const [int] = childrenUpTo(field, 1, "RSASSA-PSS saltLength");
      saltLength = readSmallInteger(int, "RSASSA-PSS saltLength");
    } else if (field.tag !== 0xa3) {
      // Unknown parameters would be ignored by OpenSSL; refuse them so one signature has one encoding.
      unsupported(`${RSASSA_PSS} with unknown parameter tag 0x${field.tag.toString(16)}`);
    }
  }
  if (hash !== undefined && mgfHash !== hash) unsupported(`${RSASSA_PSS} whose MGF1 hash differs from its hash`);
  // The default hash of RSASSA-PSS is SHA-1, which is not accepted.
  if (!hash) unsupported(`${RSASSA_PSS} with SHA-1`);
  return { kind: "rsa-pss", hash, saltLength };
}

/**
 * The coordinate length of the curve each hash is paired with where signatures are r‖s: ES256 with P-256,
 * ES384 with P-384, ES512 with P-521 (RFC 9053 §2.1) — as in every r‖s signature keepledger checks (DCAP
 * quotes and collateral, SNP reports, COSE, SPDM, the RIMs' ecdsa-sha384).
 */
const P1363_COORDINATE_BYTES: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 66 };

/**
 * Verifies a signature with node:crypto (OpenSSL). `encoding` says how an
 * ECDSA signature is laid out: "der" in X.509, "p1363" (r‖s) in quotes and reports — r and s each as long as
 * a coordinate of the curve paired with the hash (P1363_COORDINATE_BYTES), or it does not verify.
 */
export function verifyWith(
  algorithm: SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
  encoding: "der" | "p1363" = "der",
): boolean {
  try {
    switch (algorithm.kind) {
      case "ecdsa": {
        // The KeyObject bare and the signature in DER: node:crypto's fastest form (see keyImport.ts).
        const der = encoding === "der" ? signature : p1363ToDer(signature, P1363_COORDINATE_BYTES[algorithm.hash]);
        return der !== undefined && cryptoVerify(algorithm.hash, data, key, der);
      }
      case "rsa-pkcs1":
        // PKCS#1 v1.5 is node:crypto's default padding for an "rsa" key (not for an "rsa-pss" one): passed bare.
        return key.asymmetricKeyType === "rsa" && cryptoVerify(algorithm.hash, data, key, signature);
      case "rsa-pss":
        return verifyPss(algorithm.hash, data, signature, key, algorithm.saltLength);
    }
  } catch {
    // OpenSSL throws on keys of the wrong type or malformed signatures: both are simply "does not verify".
    return false;
  }
}

/**
 * RSASSA-PSS needs its padding and salt length in an options object, which node:crypto first probes as a
 * KeyObject and as a CryptoKey, each probe throwing and catching an error (keyImport.ts). With V8's stack trace
 * limit at 0 for the call, those errors capture no stack: 9 µs less per verification (of 74, RSA-4096). The
 * limit is restored before anything else can run (the call is synchronous).
 */
function verifyPss(hash: HashName, data: Uint8Array, signature: Uint8Array, key: KeyObject, saltLength: number): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
