/**
 * OCSP for the certificates of a verified chain, as NVIDIA's verifier asks its
 * OCSP service: every certificate below the root from `first` on (the device
 * chain starts at 1: its leaf is issued by the GPU itself, which no responder
 * knows; RIM chains start at 0). Without a response the chain is refused,
 * unless the caller explicitly allows unchecked revocation.
 */
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { checkOcspStatus, coveringResponses, type ParsedOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
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
    const [cert, issuer] = [certs[i]!, certs[i + 1]!];
    // Only a missing answer may be waived; a revoked, unknown, forged or stale answer never is. Asked first,
    // without an exception (with no responses at all, the waived case, this runs on every verification), and
    // once: the status check takes the covering responses found here.
    const covering = coveringResponses(options.ocspResponses, cert, issuer);
    if (covering.length === 0) {
      if (!options.dangerouslyAllowUncheckedRevocation) {
        throw new VerificationError(NVGPU_VERIFY_CODES.NVGPU_OCSP_MISSING, `no OCSP response for "${cert.subject}"`, {
          details: { subject: cert.subject, serial: cert.serial, issuer: issuer.subject },
        });
      }
      checked = false;
      continue;
    }
    const status = checkOcspStatus({
      responses: options.ocspResponses,
      certificate: cert,
      issuer,
      covering,
      at: options.at,
      ...(options.caches ? { caches: options.caches } : {}),
    });
    if (status.expiresAt < expiresAt) expiresAt = status.expiresAt;
  }
  return { checked, expiresAt };
}
