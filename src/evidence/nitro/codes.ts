import { defineErrorCodes } from "../../errors/catalogue.ts";

/** Format errors of AWS Nitro attestation documents (COSE_Sign1 in CBOR). */
export const NITRO_CODES = defineErrorCodes("evidence/nitro", {
  NITRO_DOCUMENT_TOO_LARGE: {
    stage: "format",
    description: "The Nitro attestation document is larger than 16 KiB; NSM documents are about 4.5 KiB.",
  },
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
  NITRO_FIELD_MISSING: {
    stage: "format",
    description:
      "A field the attestation document must carry (module_id, digest, timestamp, pcrs with PCR0-2, certificate, cabundle) is absent.",
  },
  NITRO_FIELD_TYPE: {
    stage: "format",
    description: "A field of the attestation document has the wrong CBOR type.",
  },
  NITRO_FIELD_INVALID: {
    stage: "format",
    description:
      "A field of the attestation document has a value AWS does not specify (digest other than SHA384, PCR index or length, empty module_id, timestamp out of range).",
  },
  NITRO_FIELD_TOO_LARGE: {
    stage: "format",
    description:
      "A field of the attestation document exceeds its size limit (cabundle of 8 certificates, certificates of 4 KiB, public_key 1024, user_data and nonce 512 bytes, 32 PCRs).",
  },
  NITRO_FIELD_UNKNOWN: {
    stage: "format",
    description: "The attestation document carries a field AWS does not define; keepledger refuses signed statements it cannot interpret.",
  },
  NITRO_CERTIFICATE_MALFORMED: {
    stage: "format",
    description: "The document's certificate or a cabundle entry is not a certificate keepledger can parse.",
  },
});
