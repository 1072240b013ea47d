import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** OCSP (RFC 6960) response parsing and verification. */
export const OCSP_CODES = defineErrorCodes("pki/ocsp", {
  OCSP_MALFORMED: {
    stage: "format",
    description: "An OCSP response is not a DER OCSPResponse with a BasicOCSPResponse (RFC 6960 §4.2.1).",
  },
  OCSP_RESPONSE_UNSUCCESSFUL: {
    stage: "verification",
    description: "The OCSP responder answered with an error status (malformedRequest, internalError, tryLater, sigRequired, unauthorized).",
  },
  OCSP_SIGNATURE_INVALID: { stage: "verification", description: "An OCSP response's signature does not verify with its responder's key." },
  OCSP_RESPONDER_UNAUTHORIZED: {
    stage: "verification",
    description:
      "An OCSP response is signed neither by the certificate's issuer nor by a responder certificate that issuer issued for OCSP signing (id-kp-OCSPSigning), valid at the verification time.",
  },
  OCSP_CERT_NOT_COVERED: {
    stage: "verification",
    description: "No OCSP response names the certificate (issuer name and key hash, serial number).",
  },
  OCSP_NOT_YET_VALID: { stage: "verification", description: "An OCSP response's thisUpdate is after the verification time." },
  OCSP_EXPIRED: {
    stage: "verification",
    description:
      "An OCSP response's nextUpdate is before the verification time, or it has none (so it cannot say the status still holds): fetch a fresh one.",
  },
  OCSP_CERT_STATUS_UNKNOWN: { stage: "verification", description: "The OCSP responder does not know the certificate (status unknown)." },
});
