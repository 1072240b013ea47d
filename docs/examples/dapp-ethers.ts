// The dApp guide's steps with ethers v6 (docs/dapp-guide.md). Run by test/sdk/dappExamples.test.ts.
import { JsonRpcProvider, Wallet } from "ethers";
import { isAttested, keepReportData, requestAttestation, requestNonce, type TeeKind } from "@keepledger/sdk";
import { IKeepAttestation__factory } from "@keepledger/sdk/ethers";

type Hex = `0x${string}`;

export interface DappSteps {
  rpcUrl: string; // the chain's JSON-RPC endpoint
  nodeUrl: string; // a validator node
  workloadId: Hex; // printed by `keepledger workload add`
  tee: TeeKind;
  /** Your TEE's quote API: evidence over these 64 (Nitro: 32) bytes of report data. */
  getEvidence(reportData: Hex, nonce: { blockTimestamp: Date }): Promise<Uint8Array>;
}

export async function attestAndCheckWithEthers(steps: DappSteps) {
  const provider = new JsonRpcProvider(steps.rpcUrl);

  // In the Keep: a key that never leaves the TEE, bound to a fresh block, evidence over that binding.
  const keep = Wallet.createRandom();
  const nonce = await requestNonce(steps.nodeUrl, { workloadId: steps.workloadId });
  const { reportData, subject } = keepReportData({
    tee: steps.tee,
    chainId: nonce.chainId,
    registry: nonce.registry,
    publicKey: keep.signingKey.publicKey as Hex,
    blockHash: nonce.blockHash,
  });
  const evidence = await steps.getEvidence(reportData, nonce);
  const result = await requestAttestation(steps.nodeUrl, evidence, steps.workloadId, {
    publicKey: keep.signingKey.publicKey as Hex,
    freshnessBlock: nonce.blockNumber,
    timeoutMs: 120_000,
  });

  // In the dApp: the SDK takes the ethers provider (or a connected Signer) as it is…
  const viaSdk = await isAttested(provider, subject, steps.workloadId, { registry: nonce.registry });
  // …and the typed factory asks the contract directly: [ok, verdictId, expiresAt].
  const registry = IKeepAttestation__factory.connect(nonce.registry, provider);
  const [ok, verdictId, expiresAt] = await registry.isAttested(subject, steps.workloadId);
  provider.destroy();
  return { result, subject, viaSdk, viaContract: { ok, verdictId, expiresAt } };
}
