/**
 * OCSP for the certificates of a verified chain, as NVIDIA's verifier asks its
 * OCSP service: every certificate below the root from `first` on (the device
 * chain starts at 1: its leaf is issued by the GPU itself, which no responder
 * knows; RIM chains start at 0). Without a response the chain is refused,
 * unless the caller explicitly allows unchecked revocation.
 */
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { checkOcspStatus, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { OCSP_CODES } from "../../pki/ocsp/codes.ts";
import type { PkiCaches } from "../../pki/x509/pkiCaches.ts";
import type { VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import { NVGPU_VERIFY_CODES } from "./codes.ts";

export interface RevocationOptions {
  at: Date;
  ocspResponses: readonly ParsedOcspResponse[];
  dangerouslyAllowUncheckedRevocation: boolean;
  caches?: PkiCaches;
}

export function checkChainRevocation(
  chain: VerifiedChain,
  first: number,
  options: RevocationOptions,
): { checked: boolean; expiresAt: Date } {
  const certs = chain.certificates;
  let expiresAt = chain.expiresAt;
  let checked = true;
  for (let i = first; i < certs.length - 1; i++) {
    try {
      const status = checkOcspStatus({
        responses: options.ocspResponses,
        certificate: certs[i]!,
        issuer: certs[i + 1]!,
        at: options.at,
        ...(options.caches ? { caches: options.caches } : {}),
      });
      if (status.expiresAt < expiresAt) expiresAt = status.expiresAt;
    } catch (e) {
      // Only a missing answer may be waived; a revoked, unknown, forged or stale answer never is.
      if (!(e instanceof VerificationError && e.code === OCSP_CODES.OCSP_CERT_NOT_COVERED)) throw e;
      if (!options.dangerouslyAllowUncheckedRevocation) {
        throw new VerificationError(NVGPU_VERIFY_CODES.NVGPU_OCSP_MISSING, `no OCSP response for "${certs[i]!.subject}"`, {
          details: { subject: certs[i]!.subject, serial: certs[i]!.serial, issuer: certs[i + 1]!.subject },
          cause: e,
        });
      }
      checked = false;
    }
  }
  return { checked, expiresAt };
}
