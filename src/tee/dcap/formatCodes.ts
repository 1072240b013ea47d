import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Format codes of Intel DCAP quotes (SGX v3, TDX v4/v5). Shared codes (truncation, trailing bytes) live in ../codes.ts. */
export const DCAP_FORMAT_CODES = defineErrorCodes("evidence/dcap", {
  DCAP_QUOTE_VERSION_UNSUPPORTED: {
    stage: "format",
    description: "The quote header carries a version this verifier does not support (SGX: 3; TDX: 4 or 5).",
  },
  DCAP_TEE_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "The quote header names a TEE type other than SGX (0x00) or TDX (0x81), or one that does not fit the quote version.",
  },
  DCAP_ATTESTATION_KEY_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "The quote is not signed with an ECDSA P-256 attestation key (type 2), the only type Intel's quoting enclaves use.",
  },
  DCAP_BODY_TYPE_UNSUPPORTED: {
    stage: "format",
    description: "A v5 quote declares a body type or body size other than TD 1.0 (2, 584 bytes) or TD 1.5 (3, 648 bytes).",
  },
  DCAP_CERTIFICATION_DATA_UNSUPPORTED: {
    stage: "format",
    description:
      "The certification data is not a PCK certificate chain (type 5), or for TDX not nested in QE report certification data (type 6).",
  },
  DCAP_CERTIFICATION_DATA_MALFORMED: {
    stage: "format",
    description:
      "The PCK certificate chain in the certification data is not exactly Intel's PEM text: BEGIN line, canonical base64 in 64-character lines, END line, each ending in a line feed, nothing between blocks, at most one NUL as the last byte.",
  },
  DCAP_PCK_CHAIN_LENGTH: {
    stage: "format",
    description:
      "The PCK certificate chain in the certification data does not hold exactly three certificates: PCK certificate, PCK Platform/Processor CA, Intel SGX Root CA.",
  },
  DCAP_TRAILING_DATA: {
    stage: "format",
    description:
      "Bytes follow the quote's signature data other than the one padding real TDX quotes carry: exactly 70 zero bytes after a v4 quote, padding it to the size of a v5 TD 1.5 quote. SGX and v5 quotes end with their signature data.",
  },
});
