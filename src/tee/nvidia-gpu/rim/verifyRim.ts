/**
 * Verifies a parsed RIM: exactly the XML-DSig profile NVIDIA signs with
 * (enveloped, C14N 1.1, SHA-384, ECDSA P-384), the digest of the canonical
 * document, the signature over the canonical SignedInfo with the KeyInfo
 * signer's key, that signer's chain to the pinned NVIDIA RIM root as of
 * `at`, and OCSP for each certificate below the root. Pure, no I/O.
 */
import { hash } from "node:crypto";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import type { PkiCaches } from "../../../pki/x509/pkiCaches.ts";
import type { ParsedCertificate } from "../../../pki/x509/certificate.ts";
import { verifyWith } from "../../../pki/x509/signatureAlgorithm.ts";
import { verifyCertificateChain, type TrustedRoot, type VerifiedChain } from "../../../pki/x509/verifyCertificateChain.ts";
import type { ParsedOcspResponse } from "../../../pki/ocsp/ocspResponse.ts";
import { NVGPU_VERIFY_CODES } from "../codes.ts";
import { checkChainRevocation } from "../revocation.ts";
import { C14N_11, DIGEST_SHA384, ECDSA_SHA384, ENVELOPED_SIGNATURE, type ParsedRim } from "./parseRim.ts";

export interface VerifyRimOptions {
  at: Date;
  roots: readonly TrustedRoot[];
  ocspResponses: readonly ParsedOcspResponse[];
  dangerouslyAllowUncheckedRevocation: boolean;
  caches?: PkiCaches;
}

/** The XML-DSig ECDSA P-384 check, remembered by the exact SignedInfo and SignatureValue bytes and the signer. */
function signatureVerifies(signedInfo: Uint8Array, signature: Uint8Array, signer: ParsedCertificate, caches?: PkiCaches): boolean {
  const key = `rim:${signer.fingerprint}:${Buffer.from(signedInfo).toString("base64")}:${Buffer.from(signature).toString("base64")}`;
  const hit = caches?.signatures.get(key);
  if (hit !== undefined) return hit;
  const ok = verifyWith({ kind: "ecdsa", hash: "sha384" }, signedInfo, signature, signer.publicKey, "p1363");
  return caches ? caches.signatures.set(key, ok) : ok;
}

export interface VerifiedRim {
  rim: ParsedRim;
  chain: VerifiedChain;
  /** SHA-384 of the canonical signed document (the XML-DSig DigestValue): the RIM's identity, stable across re-signing. */
  digest: Uint8Array;
  revocationChecked: boolean;
  expiresAt: Date;
}

function refuse(rim: ParsedRim, message: string, details: Record<string, unknown>): never {
  throw new VerificationError(NVGPU_VERIFY_CODES.NVGPU_RIM_SIGNATURE_INVALID, `RIM ${rim.tagId.slice(0, 16)}…: ${message}`, { details });
}

export function verifyRim(rim: ParsedRim, options: VerifyRimOptions): VerifiedRim {
  const s = rim.signature;
  const profile = {
    canonicalizationMethod: s.canonicalizationMethod,
    signatureMethod: s.signatureMethod,
    referenceUri: s.referenceUri,
    transforms: s.transforms,
    digestMethod: s.digestMethod,
  };
  // One profile, checked exactly: anything else (another C14N, SHA-1, a reference to part of the document) is refused.
  if (
    s.canonicalizationMethod !== C14N_11 ||
    s.signatureMethod !== ECDSA_SHA384 ||
    s.referenceUri !== "" ||
    s.transforms.length !== 2 ||
    s.transforms[0] !== ENVELOPED_SIGNATURE ||
    s.transforms[1] !== C14N_11 ||
    s.digestMethod !== DIGEST_SHA384
  ) {
    refuse(rim, "not the XML-DSig profile NVIDIA signs RIMs with", profile);
  }
  const digest = new Uint8Array(hash("sha384", s.signedDocument, "buffer"));
  if (!bytesEqual(digest, s.digestValue))
    refuse(rim, "the document's digest differs from its DigestValue", { digest, digestValue: s.digestValue });
  const chain = verifyCertificateChain({
    name: "RIM signer chain",
    chain: s.chain,
    roots: options.roots,
    at: options.at,
    ...(options.caches ? { caches: options.caches } : {}),
  });
  const signer = chain.certificates[0]!;
  if (s.signatureValue.length !== 96 || !signatureVerifies(s.signedInfo, s.signatureValue, signer, options.caches)) {
    refuse(rim, "the SignatureValue does not verify with the signer's key", { signer: signer.subject });
  }
  const revocation = checkChainRevocation(chain, 0, options);
  return {
    rim,
    chain,
    digest,
    revocationChecked: revocation.checked,
    expiresAt: revocation.expiresAt < chain.expiresAt ? revocation.expiresAt : chain.expiresAt,
  };
}
