import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const CERT_CODES = defineErrorCodes("cert", {
  CERT_REQUEST_INVALID: { stage: "usage", description: "A certificate request is malformed (missing field, wrong length, not JSON)." },
  CERT_REQUEST_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The certificate request is not signed by the attested key it names.",
  },
  CERT_REQUEST_STALE: {
    stage: "verification",
    description: "The certificate request is older than allowed or dated in the future: make a fresh one.",
  },
  CERT_SUBJECT_NOT_ATTESTED: {
    stage: "verification",
    description: "The key has no live verdict for the workload (never attested, expired or revoked): attest the Keep first.",
  },
  CERT_ISSUER_NOT_VALIDATOR: {
    stage: "verification",
    description: "The certificate was not issued by a counting validator of this registry.",
  },
  CERT_NOT_KEEP_CERTIFICATE: {
    stage: "verification",
    description: "The certificate has no keepledger attestation extension, or it is malformed.",
  },
  CERT_WRONG_DEPLOYMENT: {
    stage: "verification",
    description: "The certificate names another chain, registry or workload than the one checked.",
  },
  CERT_OUTSIDE_VALIDITY: {
    stage: "verification",
    description: "The certificate is not valid at the checked time (short-lived by design: request a new one).",
  },
  CERT_VERDICT_MISMATCH: {
    stage: "verification",
    description: "The verdict named in the certificate is no longer the live verdict of its subject for the workload.",
  },
});
