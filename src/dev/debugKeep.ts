/**
 * Fresh debug Keep evidence (no TEE: INSECURE, development only) for a new key, bound to a recent block
 * the way a Keep binds it: chain, registry, the key and the block's hash in the report data, the
 * evidence's time the block's (chain time). It is what the dev network seeds and writes as the sample
 * request.
 */
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../chain/deployment.ts";
import { createDebugEvidence } from "../tee/debug/createDebugEvidence.ts";
import { bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";

export interface DebugKeepRequestOptions {
  deployment: Deployment;
  workloadId: Hex;
  measurement: Hex;
  /** The block to bind (from the node's GET /v1/nonce). */
  block: { number: number; hash: Hex; timestamp: number };
  /** The Keep's key (default: a new one). */
  privateKey?: Hex;
}

export interface DebugKeepRequest {
  /** The body of POST /v1/evidence. */
  body: { workloadId: Hex; evidence: string; publicKey: Hex; freshnessBlock: number };
  subject: Address;
  publicKey: Hex;
  evidence: Uint8Array;
}

export function debugKeepRequest(o: DebugKeepRequestOptions): DebugKeepRequest {
  const privateKey = o.privateKey ?? generatePrivateKey();
  const keep = privateKeyToAccount(privateKey);
  const binding = bindingHash({
    chainId: o.deployment.chainId,
    attestationRegistry: o.deployment.contracts.attestationRegistry,
    subjectPublicKey: publicKey64(keep.publicKey),
    blockHash: o.block.hash,
  });
  const evidence = createDebugEvidence({
    privateKey,
    measurement: o.measurement,
    reportData: reportDataFor("debug", binding),
    timestamp: o.block.timestamp * 1000,
  });
  return {
    body: {
      workloadId: o.workloadId,
      evidence: Buffer.from(evidence).toString("base64"),
      publicKey: keep.publicKey,
      freshnessBlock: o.block.number,
    },
    subject: keep.address,
    publicKey: keep.publicKey,
    evidence,
  };
}
