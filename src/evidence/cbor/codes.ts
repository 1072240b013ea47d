import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/**
 * Format errors of the CBOR reader (RFC 8949). The codes keep the NITRO_ prefix they had when the
 * reader lived in the Nitro parser: error codes are a contract and do not change with a move.
 */
export const CBOR_CODES = defineErrorCodes("evidence/cbor", {
  NITRO_CBOR_MALFORMED: {
    stage: "format",
    description: "The Nitro document is not well-formed CBOR (reserved header values, invalid UTF-8, a stray break, or a decoder failure).",
  },
  NITRO_CBOR_NON_CANONICAL: {
    stage: "format",
    description:
      "A CBOR integer or length is not encoded in its shortest form (RFC 8949 preferred serialization), which AWS's encoder always uses.",
  },
  NITRO_CBOR_INDEFINITE_LENGTH: {
    stage: "format",
    description:
      "An indefinite-length CBOR item appears where keepledger accepts none: in the unsigned COSE envelope, or as a chunked string.",
  },
  NITRO_CBOR_UNSUPPORTED: {
    stage: "format",
    description:
      "The Nitro document uses a CBOR feature no attestation document contains (tags, floats, undefined or other simple values, non-integer non-text map keys).",
  },
  NITRO_CBOR_DUPLICATE_KEY: {
    stage: "format",
    description: "A CBOR map in the Nitro document has the same key twice; which value counts would be ambiguous.",
  },
  NITRO_CBOR_TOO_DEEP: {
    stage: "format",
    description: "CBOR arrays and maps are nested deeper than any attestation document needs.",
  },
});
