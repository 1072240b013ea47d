import { defineErrorCodes } from "../errors/index.ts";

/** Error codes of src/chain. */
export const CHAIN_CODES = defineErrorCodes("chain", {
  CHAIN_REVERTED: {
    stage: "usage",
    description:
      "A keepledger contract refused the call; details.errorName names the contract's custom error and details.args its arguments (see docs/contracts.md).",
  },
  CHAIN_TRANSACTION_DROPPED: {
    stage: "infrastructure",
    description:
      "A broadcast transaction disappeared: no receipt and unknown to the RPC node (a reorg dropped it, or the mempool evicted it). The node sends it again with a fresh nonce.",
  },
  CHAIN_TRANSACTION_FAILED: {
    stage: "infrastructure",
    description:
      "A transaction was sent but did not succeed (dropped, or reverted without a decodable reason); retry or inspect the transaction hash.",
  },
  CHAIN_RPC: {
    stage: "infrastructure",
    description: "The JSON-RPC endpoint failed or could not be reached; the same request may succeed later.",
  },
  CHAIN_POLICY_INVALID: {
    stage: "usage",
    description:
      "A policy cannot be put on chain as given (a launch field out of range: a TCB component over 255, a VMPL over 3, no VMPL, an fmc for Milan or Genoa, a mask over 64 bits, a digest that is not 32 bytes); details.at names the field.",
  },
  CHAIN_DEPLOYMENT_FILE: {
    stage: "usage",
    description:
      "A deployment JSON file is missing, not JSON, or lacks a field; details.at names the field. Re-run `keepledger deploy --out <file>`.",
  },
  CHAIN_DEPLOYMENT_MISMATCH: {
    stage: "usage",
    description: "The deployed contracts do not match the deployment description (wrong chain, missing code, or not wired to each other).",
  },
  CHAIN_DEPLOYER_KEY: {
    stage: "usage",
    description: "Deploying to an RPC URL needs the deployer's private key in KEEPLEDGER_DEPLOYER_KEY (0x-prefixed, 32 bytes).",
  },
  CHAIN_SIGNATURES: {
    stage: "usage",
    description: "Signatures to pack are malformed (not 65 bytes) or two come from the same signer.",
  },
});
