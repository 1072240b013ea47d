import { constants, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
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
 * Verifies a signature with node:crypto (OpenSSL). `encoding` says how an
 * ECDSA signature is laid out: "der" in X.509, "p1363" (r‖s) in quotes and reports.
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
      case "ecdsa":
        return cryptoVerify(algorithm.hash, data, { key, dsaEncoding: encoding === "der" ? "der" : "ieee-p1363" }, signature);
      case "rsa-pkcs1":
        return cryptoVerify(algorithm.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case "rsa-pss":
        return cryptoVerify(
          algorithm.hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength },
          signature,
        );
    }
  } catch {
    // OpenSSL throws on keys of the wrong type or malformed signatures: both are simply "does not verify".
    return false;
  }
}
