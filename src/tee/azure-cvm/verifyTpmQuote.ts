import { hash } from "node:crypto";
import { VerificationError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual, concatBytes, toHex } from "@keepledger/sdk/internal/util/bytes";
import { rsaPublicKeyFromJwk } from "../../pki/rsaJwk.ts";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import type { KeyObject } from "node:crypto";
import type { BoundedCache } from "../../util/boundedCache.ts";
import type { EvidenceKey } from "../verifierContext.ts";
import { AZCVM_VERIFY_CODES } from "./codes.ts";
import type { RsaJwk } from "./parseRuntimeData.ts";
import type { TpmQuote } from "./parseTpmQuote.ts";

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(hash("sha256", bytes, "buffer"));
}

export interface AttestationKey {
  key: KeyObject;
  modulusBytes: number;
  /** SubjectPublicKeyInfo DER, as OpenSSL exports it. */
  spki: Uint8Array;
}

/**
 * The HCL attestation key from its JWK; AZCVM_AK_INVALID when unusable. With a cache (a verifier context's), a
 * key is imported once per exact `n` and `e`: the AK stays the same for the VM's life.
 */
export function attestationKey(jwk: RsaJwk, cache?: BoundedCache<string, EvidenceKey>): AttestationKey {
  const id = `rsa:${jwk.n}.${jwk.e}`;
  const hit = cache?.get(id);
  if (hit?.modulusBytes !== undefined && hit.spki !== undefined) return { key: hit.key, modulusBytes: hit.modulusBytes, spki: hit.spki };
  try {
    const ak = rsaPublicKeyFromJwk(jwk.n, jwk.e);
    cache?.set(id, ak);
    return ak;
  } catch (cause) {
    throw new VerificationError(AZCVM_VERIFY_CODES.AZCVM_AK_INVALID, "the HCL attestation key is not a usable RSA key", {
      at: { field: "runtime_data.keys.HCLAkPub" },
      details: isKeepledgerError(cause) ? { reason: cause.code } : {},
      cause,
    });
  }
}

/** SHA-256 over the values of `selection` (ascending PCR indices), as TPM2_Quote computes pcrDigest. */
export function quotedPcrDigest(pcrs: readonly Uint8Array[], selection: readonly number[]): Uint8Array {
  return sha256(concatBytes(...selection.map((i) => pcrs[i]!)));
}

/**
 * The TPM quote: RSASSA-PKCS1-v1_5/SHA-256 over TPMS_ATTEST with the AK, then the PCR digest it signs
 * against the supplied values. The nonce (extraData) is checked by the caller. Pure.
 */
export function verifyTpmQuote(quote: TpmQuote, ak: { key: KeyObject; modulusBytes: number }, pcrs: readonly Uint8Array[]): void {
  const { attest, signature } = quote;
  if (signature.length !== ak.modulusBytes || !verifyWith({ kind: "rsa-pkcs1", hash: "sha256" }, attest.raw, signature, ak.key)) {
    throw new VerificationError(
      AZCVM_VERIFY_CODES.AZCVM_TPM_QUOTE_SIGNATURE_INVALID,
      "the TPM quote signature does not verify with the HCL attestation key",
      {
        at: { field: "tpm_quote.signature" },
        details: { signatureBytes: signature.length, modulusBytes: ak.modulusBytes },
      },
    );
  }
  const digest = quotedPcrDigest(pcrs, attest.pcrSelection);
  if (!bytesEqual(digest, attest.pcrDigest)) {
    throw new VerificationError(AZCVM_VERIFY_CODES.AZCVM_PCR_DIGEST_MISMATCH, "the PCR values are not the ones the TPM quote signed", {
      at: { field: "tpm_quote.pcrs" },
      details: { quoted: toHex(attest.pcrDigest), computed: toHex(digest), selection: attest.pcrSelection },
    });
  }
}
