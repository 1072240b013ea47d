import { defineErrorCodes } from "../errors/catalogue.ts";

export const SDK_CODES = defineErrorCodes("sdk", {
  SDK_REGISTRY_UNKNOWN: {
    stage: "usage",
    description: "No AttestationRegistry address is known for this chain: pass { registry } (from the deployment JSON).",
  },
  SDK_PROVIDER_INVALID: {
    stage: "usage",
    description:
      "The provider or signer is of no accepted shape: a connection is an http(s) JSON-RPC URL, an EIP-1193 provider (a viem client is one) or an ethers v6 Provider or connected Signer; a signer is an ethers v6 Signer (connected, to send), a viem wallet client with an account, a viem local account (signing only) or an EIP-1193 provider with an account.",
  },
  SDK_REQUEST_INVALID: {
    stage: "usage",
    description:
      "requestAttestation/requestNonce was called with an argument of the wrong form (node URL, workload id, public key, freshness block, unbound with a key); the message names it.",
  },
  SDK_NODE_UNREACHABLE: {
    stage: "infrastructure",
    description: "The validator node could not be reached (connection refused, DNS, reset); try again or another validator's endpoint.",
  },
  SDK_NODE_ANSWER_INVALID: {
    stage: "infrastructure",
    description:
      "The validator node answered with a status or body the SDK does not understand (not a keepledger node, or a proxy in between).",
  },
  SDK_VERDICT_REJECTED: {
    stage: "policy",
    description:
      "The node reported the verdict rejected without an error of its own; look the request up on the node (GET /v1/verdicts/{requestId}).",
  },
  SDK_TRANSACTION_FAILED: {
    stage: "infrastructure",
    description:
      "A transaction the SDK sent (materializeVerdict) was mined but reverted although its simulation just before passed (the chain moved in between); details.txHash names it. A refusal the simulation sees is CHAIN_REVERTED.",
  },
  SDK_ATTESTATION_TIMEOUT: {
    stage: "infrastructure",
    description:
      "The verdict was not settled within the timeout; details.requestId and details.verdictId let you look it up later (GET /v1/verdicts/{id}).",
  },
});
