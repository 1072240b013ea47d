import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

/** Verification errors of debug Keep evidence. */
export const DEBUG_VERIFY_CODES = defineErrorCodes("verify/debug", {
  DEBUG_PUBLIC_KEY_INVALID: {
    stage: "verification",
    description:
      "The debug Keep's public key is not a usable key: a small-order Ed25519 point (version 2), or not a point on secp256k1 (version 1).",
  },
  DEBUG_SIGNATURE_INVALID: {
    stage: "verification",
    description:
      "The debug Keep signature does not verify under (version 1: recover to) the embedded public key: the evidence was altered or signed by another key.",
  },
  DEBUG_SIGNATURE_HIGH_S: {
    stage: "verification",
    description:
      "A version 1 (secp256k1) debug Keep signature has a high s value; only low-s signatures are accepted, so each evidence has a single encoding.",
  },
  DEBUG_EVIDENCE_FROM_FUTURE: {
    stage: "verification",
    description: "The debug Keep evidence is dated after the verification time.",
  },
  DEBUG_EVIDENCE_TOO_OLD: {
    stage: "verification",
    description: "The debug Keep evidence is older than the maximum age (24 h by default): ask the Keep for fresh evidence.",
  },
  DEBUG_VERIFY_TIME_INVALID: {
    stage: "usage",
    description: "The verification time or maximum age given to the debug Keep verifier is invalid.",
  },
});
