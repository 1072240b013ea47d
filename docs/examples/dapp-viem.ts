// The dApp guide's steps with viem (docs/dapp-guide.md). Run by test/sdk/dappExamples.test.ts.
import { createPublicClient, http, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { iKeepAttestationAbi, isAttested, keepReportData, requestAttestation, requestNonce, type TeeKind } from "@keepledger/sdk";

export interface DappSteps {
  rpcUrl: string; // the chain's JSON-RPC endpoint
  nodeUrl: string; // a validator node
  workloadId: Hex; // printed by `keepledger workload add`
  tee: TeeKind;
  /** Your TEE's quote API: evidence over these 64 (Nitro: 32) bytes of report data. */
  getEvidence(reportData: Hex, nonce: { blockTimestamp: Date }): Promise<Uint8Array>;
}

export async function attestAndCheckWithViem(steps: DappSteps) {
  const client = createPublicClient({ transport: http(steps.rpcUrl) });

  // In the Keep: a key that never leaves the TEE, bound to a fresh block, evidence over that binding.
  const keep = privateKeyToAccount(generatePrivateKey());
  const nonce = await requestNonce(steps.nodeUrl, { workloadId: steps.workloadId });
  const { reportData, subject } = keepReportData({
    tee: steps.tee,
    chainId: nonce.chainId,
    registry: nonce.registry,
    publicKey: keep.publicKey,
    blockHash: nonce.blockHash,
  });
  const evidence = await steps.getEvidence(reportData, nonce);
  const result = await requestAttestation(steps.nodeUrl, evidence, steps.workloadId, {
    publicKey: keep.publicKey,
    freshnessBlock: nonce.blockNumber,
    timeoutMs: 120_000,
  });

  // In the dApp: the SDK takes the viem client…
  const viaSdk = await isAttested(client, subject, steps.workloadId, { registry: nonce.registry });
  // …and the typed ABI asks the contract directly: [ok, verdictId, expiresAt].
  const [ok, verdictId, expiresAt] = await client.readContract({
    address: nonce.registry,
    abi: iKeepAttestationAbi,
    functionName: "isAttested",
    args: [subject, steps.workloadId],
  });
  return { result, subject, viaSdk, viaContract: { ok, verdictId, expiresAt } };
}
