import { defineErrorCodes } from "../../errors/index.ts";

/**
 * Error codes of attested key release (docs/key-release.md): a validator's refusals of a deposit or a
 * release, which it answers over HTTP and the SDK reports per validator, and the SDK's own failures.
 */
export const KEY_CODES = defineErrorCodes("keys", {
  KEY_UNKNOWN: {
    stage: "usage",
    description: "No key (or no such version of it) is recorded in the KeyRegistry; check the key id and version.",
  },
  KEY_VERSION_RETIRED: {
    stage: "policy",
    description: "The key version is retired: no validator releases it any more. Use a newer version.",
  },
  KEY_NO_LIVE_VERDICT: {
    stage: "policy",
    description:
      "The requesting Keep holds no live verdict for the key's workload (none, expired or revoked with its measurement); attest it again.",
  },
  KEY_VERDICT_MISMATCH: {
    stage: "policy",
    description: "The verdict sent with a release request is not the Keep's latest on-chain verdict for that workload.",
  },
  KEY_WRONG_WORKLOAD: {
    stage: "policy",
    description: "The verdict is for a workload that may not receive this key (neither its workload nor its second workload).",
  },
  KEY_SUBJECT_REVOKED: { stage: "policy", description: "The requesting Keep's key is revoked in the key's workload (or everywhere)." },
  KEY_POLICY_TCB: { stage: "policy", description: "The verdict's TCB status is not one the key's release policy accepts." },
  KEY_POLICY_DEBUG: {
    stage: "policy",
    description: "The verdict is for a debug Keep or under a dev policy, and the key's release policy does not allow debug.",
  },
  KEY_NOT_A_SHAREHOLDER: {
    stage: "usage",
    description: "This validator holds no share of that key version (it is not one of the version's shareholders).",
  },
  KEY_SHARE_MISSING: {
    stage: "infrastructure",
    description: "This validator is a shareholder but has no deposited share for that version yet; the owner must deposit it.",
  },
  KEY_REQUEST_REPLAYED: {
    stage: "policy",
    description: "This release request was already served or refused by this validator; sign a fresh request with a recent block.",
  },
  KEY_REQUEST_STALE: {
    stage: "policy",
    description:
      "The release request names a block that is not canonical or is older than the validator accepts; sign it again with a recent block.",
  },
  KEY_REQUEST_SIGNATURE: {
    stage: "policy",
    description: "The release request is not signed by the verdict's subject key, or is signed for another validator or registry.",
  },
  KEY_DEPOSIT_UNAUTHORIZED: {
    stage: "policy",
    description: "The share deposit is not signed by the owner in force of the key's workload.",
  },
  KEY_DEPOSIT_MISMATCH: {
    stage: "policy",
    description: "The deposited share does not open with this validator's key-service key, or does not match its on-chain share hash.",
  },
  KEY_REQUEST_INVALID: { stage: "usage", description: "A key deposit or release body is malformed; the message names the field." },
  KEY_SERVICE_DISABLED: { stage: "usage", description: "This node runs no key service (its configuration names no KeyRegistry)." },
  KEY_TOO_FEW_SHARES: {
    stage: "infrastructure",
    description:
      "Fewer than t validators released a valid share; the per-validator errors say why. Retry later or check the Keep's verdict.",
  },
  KEY_COMBINE_MISMATCH: {
    stage: "verification",
    description: "A released share failed its on-chain share hash and was dropped (reported per validator).",
  },
  KEY_SERVICE_NOT_ATTESTED: {
    stage: "usage",
    description: "A validator's key-service key is not bound into a live self-attestation yet; createKey refuses to split for it.",
  },
});
