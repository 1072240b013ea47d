import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/**
 * Format errors of COSE_Sign1 envelopes (RFC 9052). The codes keep the NITRO_ prefix they had when the
 * parser lived in the Nitro parser: error codes are a contract and do not change with a move.
 */
export const COSE_CODES = defineErrorCodes("evidence/cose", {
  NITRO_DOCUMENT_TOO_LARGE: {
    stage: "format",
    description: "The Nitro attestation document is larger than 16 KiB; NSM documents are about 4.5 KiB.",
  },
  NITRO_COSE_MALFORMED: {
    stage: "format",
    description:
      "The bytes are not a COSE_Sign1 structure: an array of four items (protected bstr, unprotected map, payload bstr, signature bstr), optionally with tag 18.",
  },
  NITRO_COSE_HEADER_INVALID: {
    stage: "format",
    description:
      "A COSE header is not what NSM produces: the protected header must be the map {1: alg} and the unprotected header an empty map.",
  },
  NITRO_COSE_ALG_UNSUPPORTED: {
    stage: "format",
    description: "The COSE algorithm is not ES384 (-35), the only algorithm AWS Nitro documents use.",
  },
  NITRO_COSE_SIGNATURE_MALFORMED: {
    stage: "format",
    description: "The COSE signature is not 96 bytes (r‖s of ECDSA P-384).",
  },
});
