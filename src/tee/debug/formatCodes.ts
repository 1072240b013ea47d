import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Format errors of debug Keep evidence (docs/evidence/debug-keep.md). */
export const DEBUG_CODES = defineErrorCodes("evidence/debug", {
  DEBUG_MAGIC_INVALID: {
    stage: "format",
    description: "The evidence does not start with the debug Keep magic 7f 'KEEPDBG'.",
  },
  DEBUG_VERSION_UNSUPPORTED: {
    stage: "format",
    description: "The debug Keep evidence has a version other than 2 (Ed25519) or 1 (legacy secp256k1).",
  },
  DEBUG_FLAGS_INVALID: {
    stage: "format",
    description: "The reserved flags of debug Keep evidence are not zero.",
  },
  DEBUG_TIMESTAMP_INVALID: {
    stage: "format",
    description: "The debug Keep timestamp is beyond the range of dates.",
  },
  DEBUG_SIGNATURE_MALFORMED: {
    stage: "format",
    description: "The recovery byte v of a version 1 (secp256k1) debug Keep signature is not 27 or 28.",
  },
  DEBUG_INPUT_INVALID: {
    stage: "usage",
    description: "createDebugEvidence was given a field of the wrong size (the key is a 32-byte Ed25519 seed) or an invalid timestamp.",
  },
});
