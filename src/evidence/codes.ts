import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Codes shared by every evidence parser. Kind-specific codes live beside each parser. */
export const EVIDENCE_CODES = defineErrorCodes("evidence", {
  EVIDENCE_TRUNCATED: {
    stage: "format",
    description: "The evidence ends before a field it declares; the bytes were cut short or a length field lies.",
  },
  EVIDENCE_TRAILING_BYTES: {
    stage: "format",
    description: "The evidence has bytes after its last field where the format allows none.",
  },
  EVIDENCE_LENGTH_INVALID: {
    stage: "format",
    description: "A length field holds a value the format does not allow (too large, negative or inconsistent).",
  },
  EVIDENCE_EMPTY: {
    stage: "format",
    description: "The evidence is empty.",
  },
  EVIDENCE_UNKNOWN_KIND: {
    stage: "format",
    description: "The bytes are not a supported kind of evidence (SGX/TDX quote, SEV-SNP report, Nitro document, debug Keep evidence).",
  },
  EVIDENCE_ENCODING_INVALID: {
    stage: "format",
    description: "Text evidence is neither valid hex nor valid base64.",
  },
});
