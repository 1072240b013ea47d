import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Format errors of Arm CCA attestation tokens (a tag 399 or 907 collection of two COSE_Sign1 tokens). */
export const ARM_CCA_CODES = defineErrorCodes("tee/arm-cca", {
  CCA_TOKEN_TOO_LARGE: {
    stage: "format",
    description: "The Arm CCA attestation token is larger than 16 KiB; real tokens are 2 to 3 KiB.",
  },
  CCA_COLLECTION_MALFORMED: {
    stage: "format",
    description:
      "The bytes are not a CCA token collection: CBOR tag 399 over {44234: platform bstr, 44241: realm bstr}, or tag 907 over {44234: [content-format, bstr], 44241: [content-format, bstr]}.",
  },
  CCA_CBOR_MALFORMED: {
    stage: "format",
    description: "A CCA token is not well-formed CBOR (reserved header values, invalid UTF-8, a stray break, or a decoder failure).",
  },
  CCA_CBOR_NON_CANONICAL: {
    stage: "format",
    description: "A CBOR integer or length in a CCA token is not encoded in its shortest form.",
  },
  CCA_CBOR_INDEFINITE_LENGTH: {
    stage: "format",
    description: "An indefinite-length CBOR item appears in the unsigned envelope of a CCA token, or as a chunked string.",
  },
  CCA_CBOR_UNSUPPORTED: {
    stage: "format",
    description:
      "A CCA token uses a CBOR feature no CCA token contains (tags inside claims, floats, undefined, non-integer non-text map keys).",
  },
  CCA_CBOR_DUPLICATE_KEY: {
    stage: "format",
    description: "A CBOR map in a CCA token has the same key twice; which value counts would be ambiguous.",
  },
  CCA_CBOR_TOO_DEEP: {
    stage: "format",
    description: "CBOR arrays and maps in a CCA token are nested deeper than any CCA token needs.",
  },
  CCA_COSE_MALFORMED: {
    stage: "format",
    description:
      "The platform or realm token is not a COSE_Sign1 structure (tag 18, protected bstr, unprotected map, payload bstr, signature bstr).",
  },
  CCA_COSE_HEADER_INVALID: {
    stage: "format",
    description: "A COSE header of a CCA token is not {1: -35} (protected) and {} (unprotected).",
  },
  CCA_COSE_ALG_UNSUPPORTED: {
    stage: "format",
    description: "The COSE algorithm of a CCA token is not ES384 (-35).",
  },
  CCA_COSE_SIGNATURE_MALFORMED: {
    stage: "format",
    description: "The COSE signature of a CCA token is not 96 bytes (r‖s of ECDSA P-384).",
  },
  CCA_CLAIM_MISSING: {
    stage: "format",
    description:
      "A mandatory claim is absent (platform: profile, challenge, implementation id, instance id, config, lifecycle, software components, hash algorithm; realm: challenge, personalization value, RIM, REMs, hash algorithms, public key).",
  },
  CCA_CLAIM_TYPE: {
    stage: "format",
    description: "A claim of a CCA token has the wrong CBOR type.",
  },
  CCA_CLAIM_SIZE: {
    stage: "format",
    description:
      "A claim of a CCA token has a size the CCA token profile does not allow (challenge, RIM, REM, personalization value, public key, instance or implementation id, software component measurement).",
  },
  CCA_CLAIM_INVALID: {
    stage: "format",
    description:
      "A claim of a CCA token has a value the profile does not define (unknown profile, hash algorithm other than sha-256/sha-512, lifecycle outside its ranges, empty component list).",
  },
  CCA_REALM_KEY_INVALID: {
    stage: "format",
    description:
      "The realm public key (claim 44237) is not a P-384 key: neither a 97-byte uncompressed point (legacy profile) nor a COSE_Key {1: 2, -1: 2, -2: x, -3: y} (realm profile 1.0.0).",
  },
});

/** Verification errors of Arm CCA attestation tokens. */
export const ARM_CCA_VERIFY_CODES = defineErrorCodes("tee/arm-cca/verify", {
  CCA_REALM_SIGNATURE_INVALID: {
    stage: "verification",
    description: "The realm token's ES384 signature does not verify with the realm public key (RAK) it carries.",
  },
  CCA_BINDING_MISMATCH: {
    stage: "verification",
    description:
      "The platform token's challenge is not the hash of the realm public key (hash algorithm from realm claim 44240): the two tokens were not issued together.",
  },
  CCA_PLATFORM_NOT_ENDORSED: {
    stage: "verification",
    description:
      "The platform token's ES384 signature verifies with none of the trusted CPAKs (platform attestation keys) given as collateral for this platform.",
  },
  CCA_CPAK_INVALID: {
    stage: "usage",
    description: "A CPAK given as a trusted endorsement is not a P-384 public key (PEM SubjectPublicKeyInfo or JWK).",
  },
  CCA_VERIFY_TIME_INVALID: {
    stage: "usage",
    description: "The verification time given for a CCA token is not a valid date.",
  },
});

// The measurement layout declares its own codes (the facts side may not import this file).
export { ARM_CCA_MEASUREMENT_CODES } from "@keepledger/sdk/internal/tee/arm-cca/measurement";
