import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const X509_CODES = defineErrorCodes("x509", {
  /** Kept under its historical name (the code strings are stable); declared here since the DER reader moved into src/pki. */
  EVIDENCE_DER_MALFORMED: { stage: "format", description: "An ASN.1 DER structure (certificate, CRL or extension) is malformed." },
  CERT_MALFORMED: { stage: "format", description: "A certificate or CRL could not be parsed." },
  DER_LENGTH_NOT_MINIMAL: {
    stage: "format",
    description: "A DER length is not in its shortest form (long form below 128, a leading zero length octet) or is indefinite (BER).",
  },
  DER_OID_INVALID: {
    stage: "format",
    description: "An OBJECT IDENTIFIER is empty, has an arc padded with a leading 0x80 octet, or ends inside an arc.",
  },
  DER_BOOLEAN_INVALID: { stage: "format", description: "A BOOLEAN is not exactly one octet 0x00 or 0xFF." },
  DER_INTEGER_NOT_MINIMAL: { stage: "format", description: "An INTEGER is empty or has a redundant leading 0x00 or 0xFF octet." },
  DER_BIT_STRING_INVALID: {
    stage: "format",
    description:
      "A BIT STRING has more than 7 unused bits, non-zero padding bits, or (a named-bit list such as keyUsage) trailing zero bits.",
  },
  DER_TRAILING_DATA: {
    stage: "format",
    description:
      "Bytes or elements follow the last field of a structure (after a certificate's signatureValue, after the top-level element).",
  },
  DER_DEFAULT_ENCODED: {
    stage: "format",
    description: "A field equal to its DEFAULT is encoded (critical FALSE, cA FALSE, version v1): DER omits it.",
  },
  CERT_TIME_INVALID: {
    stage: "format",
    description:
      "A certificate or CRL time is not YYMMDDHHMMSSZ (UTCTime, years to 2049) or YYYYMMDDHHMMSSZ (GeneralizedTime, from 2050), as RFC 5280 requires.",
  },
  CERT_VERSION_INVALID: {
    stage: "format",
    description:
      "A certificate or CRL version is not one RFC 5280 allows for its contents (extensions need v3; a CRL with extensions needs v2).",
  },
  CERT_PATH_LENGTH_EXCEEDED: {
    stage: "verification",
    description: "More CA certificates sit below an issuer than its basicConstraints pathLenConstraint allows.",
  },
  CERT_CRITICAL_EXTENSION_UNSUPPORTED: {
    stage: "verification",
    description:
      "A certificate in the chain has a critical extension keepledger does not process (it understands basicConstraints and keyUsage).",
  },
  CERT_NAME_CONSTRAINTS_UNSUPPORTED: {
    stage: "verification",
    description: "A certificate in the chain carries nameConstraints, which keepledger does not enforce and so refuses.",
  },
  CERT_LEAF_IS_CA: {
    stage: "verification",
    description: "The end-entity certificate of a chain (PCK, TCB signer, VCEK/VLEK, Nitro leaf) is marked as a CA by basicConstraints.",
  },
  CERT_NOT_YET_VALID: { stage: "verification", description: "A certificate's notBefore is after the verification time." },
  CERT_EXPIRED: { stage: "verification", description: "A certificate's notAfter is before the verification time." },
  CERT_SIGNATURE_INVALID: {
    stage: "verification",
    description: "A certificate is not signed by the certificate that claims to be its issuer.",
  },
  CERT_CHAIN_BROKEN: {
    stage: "verification",
    description: "A certificate's issuer name does not match the next certificate's subject, or the chain is empty.",
  },
  CERT_ISSUER_NOT_CA: {
    stage: "verification",
    description:
      "A certificate that issues others is not marked as a CA (basicConstraints), or its keyUsage is absent or lacks keyCertSign (cRLSign for a CRL issuer).",
  },
  CERT_ROOT_UNTRUSTED: {
    stage: "verification",
    description: "The chain does not end at a pinned vendor root (roots are pinned by SHA-256 fingerprint).",
  },
  CERT_REVOKED: { stage: "verification", description: "A certificate in the chain is listed in its issuer's CRL." },
  CERT_SIGNATURE_ALGORITHM_UNSUPPORTED: {
    stage: "verification",
    description: "A certificate or CRL uses a signature algorithm keepledger does not accept.",
  },
  CRL_MISSING: {
    stage: "verification",
    description: "A CRL required to check a certificate in the chain was not provided by the collateral.",
  },
  CRL_SIGNATURE_INVALID: {
    stage: "verification",
    description: "A CRL is not signed by the certificate that issued the checked certificates.",
  },
  CRL_NOT_YET_VALID: { stage: "verification", description: "A CRL's thisUpdate is after the verification time." },
  CRL_EXPIRED: { stage: "verification", description: "A CRL's nextUpdate is before the verification time: fetch fresh collateral." },
});
