import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/**
 * Verification errors of Nitro documents. Chain failures keep the shared
 * x509 codes (CERT_EXPIRED, CERT_ROOT_UNTRUSTED, …): they mean the same thing here.
 */
export const NITRO_VERIFY_CODES = defineErrorCodes("verify/nitro", {
  NITRO_SIGNATURE_INVALID: {
    stage: "verification",
    description:
      "The COSE_Sign1 signature does not verify with the document's certificate: the document was altered or not signed by that enclave.",
  },
  NITRO_LEAF_KEY_UNSUPPORTED: {
    stage: "verification",
    description:
      "The document's certificate does not hold an ECDSA P-384 key usable for ES384 signatures (wrong key type or curve, or no digitalSignature key usage).",
  },
  NITRO_VERIFY_TIME_INVALID: {
    stage: "usage",
    description: "The verification time given to the Nitro verifier is not a valid date.",
  },
  NITRO_DOCUMENT_FROM_FUTURE: {
    stage: "verification",
    description:
      "The document's timestamp is after the verification time: evidence from the future is refused (check the clocks, or verify later).",
  },
});
