import { defineErrorCodes } from "../errors/index.ts";

/** Error codes of src/ids: all are caller mistakes (bad values handed to an encoder or decoder). */
export const IDS_CODES = defineErrorCodes("ids", {
  IDS_UNKNOWN_TEE_KIND: {
    stage: "usage",
    description: "A TEE kind name or code is not one keepledger knows; use sgx, tdx, sev-snp, nitro or debug (codes 1..5).",
  },
  IDS_UNKNOWN_TCB_STATUS: { stage: "usage", description: "A TCB status name or code is not one keepledger knows (codes 1..8)." },
  IDS_UNKNOWN_LOGGING_PROFILE: { stage: "usage", description: "A logging profile is not production, staging or debug (codes 0..2)." },
  IDS_UNKNOWN_AMD_PRODUCT_LINE: { stage: "usage", description: "An AMD product line is not Milan, Genoa or Turin." },
  IDS_FIELD_LENGTH: {
    stage: "usage",
    description:
      "A fixed-size field (measurement register, hash, key) has the wrong number of bytes; the details name the field, got and want.",
  },
  IDS_FIELD_RANGE: { stage: "usage", description: "An integer field is outside its range (negative, or too large for its width)." },
  IDS_NOT_HEX: { stage: "usage", description: "A value that must be 0x-prefixed hex of whole bytes is not." },
  IDS_SGX_MEASUREMENT_MODE: {
    stage: "usage",
    description: "An SGX measurement must be either an exact MRENCLAVE (signer fields zero) or a zero MRENCLAVE with a non-zero MRSIGNER.",
  },
  IDS_SNP_HOST_DATA_FLAG: {
    stage: "usage",
    description: "The SEV-SNP hasHostData byte must be 0 or 1, and the host data zero when it is 0.",
  },
  IDS_MEASUREMENT_VALUE_LENGTH: { stage: "usage", description: "A packed measurement value has the wrong total length for its TEE kind." },
  IDS_BATCH_EMPTY: { stage: "usage", description: "A batch Merkle tree needs at least one leaf." },
  IDS_BATCH_INDEX: { stage: "usage", description: "A Merkle proof was asked for a leaf index outside the tree." },
});
