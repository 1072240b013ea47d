import { defineErrorCodes } from "@keepledger/sdk/internal/errors/index";

/** Error codes of the validator node (src/node): configuration, intake, quorum and submission. */
export const NODE_CODES = defineErrorCodes("node", {
  NODE_CONFIG_UNREADABLE: {
    stage: "usage",
    description: "The node's configuration file cannot be read or is not JSON; pass an existing JSON file to `keepledger node --config`.",
  },
  NODE_CONFIG_INVALID: {
    stage: "usage",
    description:
      "A field of the node's configuration is missing or wrong; the message names each field and what it expects (see docs/node.md).",
  },
  NODE_SECRET_MISSING: {
    stage: "usage",
    description:
      "The environment variable the configuration names for the signing key or the keystore password is not set, or does not hold a 32-byte hex key.",
  },
  NODE_KEYSTORE_INVALID: {
    stage: "usage",
    description:
      "The signer keystore is not an Ethereum keystore v3 file keepledger can read (scrypt or pbkdf2, aes-128-ctr), or the password is wrong.",
  },
  NODE_NOT_A_VALIDATOR: {
    stage: "usage",
    description:
      "The node's signing key is not a registered validator of the ValidatorSet; governance must add it first (docs/governance.md).",
  },
  NODE_LOGGING_PROFILE_MISMATCH: {
    stage: "usage",
    description:
      "The configured logging profile differs from the one registered on-chain for this validator; a profile change is a governed on-chain act (setLoggingProfile).",
  },
  NODE_ENDPOINT_MISMATCH: {
    stage: "usage",
    description:
      "The configured publicUrl differs from the validator's endpoint on-chain; peers would not find the node. Call ValidatorSet.setEndpoint or fix the configuration.",
  },
  NODE_REQUEST_INVALID: {
    stage: "usage",
    description:
      "A request body field is missing or malformed; the message names the field and the form it needs (docs/node.md, HTTP API).",
  },
  NODE_PUBLIC_KEY_INVALID: {
    stage: "usage",
    description: "The subject public key is not an uncompressed secp256k1 point (64 bytes X‖Y or 65 bytes 0x04‖X‖Y).",
  },
  NODE_BODY_TOO_LARGE: {
    stage: "usage",
    description:
      "The request body is larger than the node accepts (limits.maxBodyBytes; for peer requests a limit per endpoint sized from batch.maxItems, docs/node.md).",
  },
  NODE_UNSUPPORTED_MEDIA_TYPE: { stage: "usage", description: "The request body must be JSON (Content-Type: application/json)." },
  NODE_RATE_LIMITED: {
    stage: "infrastructure",
    description: "Too many requests from this client; wait for the number of seconds in Retry-After.",
  },
  NODE_NOT_FOUND: { stage: "usage", description: "No such route, verdict or request on this node." },
  NODE_METHOD_NOT_ALLOWED: { stage: "usage", description: "The route exists but not for this HTTP method." },
  NODE_UNAVAILABLE: {
    stage: "infrastructure",
    description: "The node cannot serve the request now (shutting down, its store or RPC failing); retry later.",
  },
  NODE_UNKNOWN_WORKLOAD: { stage: "policy", description: "The workload id is not registered in the WorkloadRegistry." },
  NODE_FRESHNESS_BLOCK_UNKNOWN: {
    stage: "policy",
    description: "The freshness block is not a block of this chain (yet); fetch GET /v1/nonce and bind its block.",
  },
  NODE_FRESHNESS_BLOCK_UNCONFIRMED: {
    stage: "policy",
    description: "The freshness block is not yet as deep as the node's confirmations setting; bind the block GET /v1/nonce returns.",
  },
  NODE_VALIDATOR_CONTEXT_UNKNOWN: {
    stage: "policy",
    description: "Evidence submitted in the validator context must be about a registered validator's key.",
  },
  NODE_PEER_UNAUTHORIZED: {
    stage: "usage",
    description: "A peer request was authenticated, but its sender is not a registered validator of the ValidatorSet.",
  },
  NODE_PEER_UNAUTHENTICATED: {
    stage: "usage",
    description:
      "A peer request's authentication header is missing, malformed or not signed by the key it names (peer authentication uses its own EIP-712 domain, docs/node.md); refused before the body is read.",
  },
  NODE_PEER_WRONG_RECIPIENT: {
    stage: "usage",
    description:
      "A peer request was authenticated for another validator (its recipient is not this node's address); refused before the body is read.",
  },
  NODE_PEER_AUTH_EXPIRED: {
    stage: "usage",
    description:
      "A peer request's authentication has expired, or its expiry is further ahead than a request may live; refused before the body is read.",
  },
  NODE_PEER_REPLAYED: {
    stage: "usage",
    description:
      "A peer request's nonce was already used by its sender within the expiry window (a replay); refused before the body is read.",
  },
  NODE_PEER_BODY_HASH_MISMATCH: {
    stage: "usage",
    description: "The body of a peer request does not hash (SHA-256) to the hash its authentication signed.",
  },
  NODE_PEER_SIGNATURE_NOT_CANONICAL: {
    stage: "policy",
    description:
      "A peer returned a countersignature the AttestationRegistry would refuse (not 65 bytes, high s, v not 27 or 28, or no key recovers); the collector drops it and counts the peer faulty.",
  },
  NODE_PEER_SIGNATURE_WRONG_SIGNER: {
    stage: "policy",
    description:
      "A peer returned a countersignature that recovers to another address than the validator asked (another key, or other fields signed); the collector drops it and counts the peer faulty.",
  },
  NODE_PEER_SIGNER_NOT_COUNTING: {
    stage: "policy",
    description:
      "A peer's countersignature recovers to a validator that does not count now (not registered, inactive, or its own verdict lapsed); the collector drops it.",
  },
  NODE_VALIDATOR_WORKLOAD_NOT_VALIDATOR_CONTEXT: {
    stage: "policy",
    description:
      "Evidence for the designated validator workload must bind the validator context and the validator's logging profile (context: \"validator\"); a validator's own verdict cannot be obtained as an ordinary Keep submission.",
  },
  NODE_PEER_DISAGREES: {
    stage: "policy",
    description: "The peer appraised the evidence independently and reached a different verdict than the one proposed; it does not sign.",
  },
  NODE_PEER_ISSUED_AT_SKEW: {
    stage: "policy",
    description: "The proposed issuedAt is further from the peer's chain time than it tolerates (peers.maxIssuedAtSkewSeconds).",
  },
  NODE_PEER_BATCH_ROOT_MISMATCH: {
    stage: "policy",
    description: "The proposed batch root is not the Merkle root of the proposed items; the peer does not sign it.",
  },
  NODE_QUORUM_REFUSED: {
    stage: "policy",
    description: "So many validators refused the verdict that it can never reach the threshold; details list each refusal's code.",
  },
  NODE_VERDICT_EXPIRED_UNFINALIZED: {
    stage: "infrastructure",
    description:
      "The verdict expired before it could be finalized (validators or the chain unreachable for its whole lifetime); submit fresh evidence.",
  },
  NODE_INTERNAL_ERROR: {
    stage: "infrastructure",
    description: "The node failed in an unexpected way while serving the request; it is logged, and should be reported as a bug.",
  },
  COLLATERAL_SUPERSEDED: {
    stage: "verification",
    description:
      "A peer has verified a newer CRL, TCB Info or QE Identity than the collector sent (details: the document, the date and number sent, the newer ones, and the newer documents themselves in `superseding`): it does not sign on collateral it holds stale. The collector verifies the documents shown, refreshes its own sources and re-appraises (at most twice per request); operators need do nothing.",
  },
  COLLATERAL_FRESHNESS_UNKNOWN: {
    stage: "infrastructure",
    description:
      "This validator's own collateral sources are down and nothing it has verified shows the offered CRL, TCB Info or QE Identity is the current one; it does not sign on collateral it cannot compare. Retried.",
  },
  NODE_VERDICT_SUPERSEDED: {
    stage: "policy",
    description:
      "Recorded on a collector's pending verdict it replaced: peers showed newer collateral, the re-appraisal gave another verdict (details.supersededBy), and the request now follows that one. The old verdict's signatures were discarded; GET /v1/verdicts/{old id} answers with the new verdict.",
  },
  NODE_SELF_ATTESTATION_FAILED: {
    stage: "infrastructure",
    description:
      "The node could not attest itself (evidence device, quorum or chain failing); it retries with backoff and reports the state in /healthz.",
  },
});
