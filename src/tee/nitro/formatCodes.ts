import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { CBOR_CODES } from "../../evidence/cbor/codes.ts";
import { COSE_CODES } from "../../evidence/cose/codes.ts";

/** Format errors of AWS Nitro attestation documents (COSE_Sign1 in CBOR): the CBOR and COSE codes and the document's own. */
export const NITRO_CODES = {
  ...CBOR_CODES,
  ...COSE_CODES,
  ...defineErrorCodes("evidence/nitro", {
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
      description:
        "The attestation document carries a field AWS does not define; keepledger refuses signed statements it cannot interpret.",
    },
    NITRO_CERTIFICATE_MALFORMED: {
      stage: "format",
      description: "The document's certificate or a cabundle entry is not a certificate keepledger can parse.",
    },
  }),
};
