import { defineErrorCodes } from "../../errors/catalogue.ts";

export const X509_CODES = defineErrorCodes("x509", {
  CERT_MALFORMED: { stage: "format", description: "A certificate or CRL could not be parsed." },
  CERT_NOT_YET_VALID: { stage: "verification", description: "A certificate's notBefore is after the verification time." },
  CERT_EXPIRED: { stage: "verification", description: "A certificate's notAfter is before the verification time." },
  CERT_SIGNATURE_INVALID: { stage: "verification", description: "A certificate is not signed by the certificate that claims to be its issuer." },
  CERT_CHAIN_BROKEN: { stage: "verification", description: "A certificate's issuer name does not match the next certificate's subject, or the chain is empty." },
  CERT_ISSUER_NOT_CA: { stage: "verification", description: "A certificate that issues others is not marked as a CA (basicConstraints) or may not sign certificates (keyUsage)." },
  CERT_ROOT_UNTRUSTED: { stage: "verification", description: "The chain does not end at a pinned vendor root (roots are pinned by SHA-256 fingerprint)." },
  CERT_REVOKED: { stage: "verification", description: "A certificate in the chain is listed in its issuer's CRL." },
  CERT_SIGNATURE_ALGORITHM_UNSUPPORTED: { stage: "verification", description: "A certificate or CRL uses a signature algorithm keepledger does not accept." },
  CRL_MISSING: { stage: "verification", description: "A CRL required to check a certificate in the chain was not provided by the collateral." },
  CRL_SIGNATURE_INVALID: { stage: "verification", description: "A CRL is not signed by the certificate that issued the checked certificates." },
  CRL_NOT_YET_VALID: { stage: "verification", description: "A CRL's thisUpdate is after the verification time." },
  CRL_EXPIRED: { stage: "verification", description: "A CRL's nextUpdate is before the verification time: fetch fresh collateral." },
});
