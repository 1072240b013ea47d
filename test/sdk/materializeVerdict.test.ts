/**
 * The SDK's one transaction, with either library's signer: validators in batch mode finalize a Keep's
 * verdict without storing it; materializeVerdict with an ethers v6 Signer, or with a viem wallet
 * client, or with neither (an EIP-1193 provider whose wallet holds the account), stores it with the
 * node's Merkle proof, and isAttested (through the other library, or a URL) then says yes. A result
 * without a proof, and a verdict stored already, are refused before anything is sent.
 */
import { FallbackProvider, JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, hexToBytes, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import {
  isAttested,
  keepReportData,
  materializeVerdict,
  requestAttestation,
  requestNonce,
  type AttestationResult,
} from "../../src/sdk/index.ts";
import { signDebugTestEvidence } from "../support/debugKeepSigner.ts";
import { fetchEip1193 } from "../support/eip1193Wallets.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "../node/support/nodeNetwork.ts";

/** Anvil's ninth and tenth well-known development accounts: funded at genesis, used by nothing else here. */
const ETHERS_RELAYER = "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97";
const VIEM_RELAYER = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

let net: NodeNetwork;
let provider: JsonRpcProvider;

beforeAll(async () => {
  net = await startNodeNetwork({ validatorWorkload: false, batch: { enabled: true, maxItems: 4, maxWaitMs: 300 } });
  for (let i = 0; i < 3; i++) await net.startNode(i);
  provider = new JsonRpcProvider(net.anvil.url, undefined, { staticNetwork: true });
}, 120_000);
afterAll(async () => {
  provider?.destroy();
  await net?.stop();
});

/** A debug Keep attested through node 0 (finalized in a batch): the SDK's result and the key's address. */
async function batchedKeep(): Promise<{ result: AttestationResult; subject: Hex }> {
  const keep = Wallet.createRandom();
  const url = net.nodes[0]!.url;
  const nonce = await requestNonce(url, { workloadId: net.workloadId });
  const { reportData, subject } = keepReportData({
    tee: "debug",
    chainId: nonce.chainId,
    registry: nonce.registry,
    publicKey: keep.signingKey.publicKey as Hex,
    blockHash: nonce.blockHash,
  });
  const evidence = await signDebugTestEvidence({
    signer: ETHERS_RELAYER,
    measurement: hexToBytes(APP_DEBUG_MEASUREMENT),
    reportData: hexToBytes(reportData),
    timestamp: nonce.blockTimestamp.getTime(),
  });
  const result = await requestAttestation(url, evidence, net.workloadId, {
    publicKey: keep.signingKey.publicKey as Hex,
    freshnessBlock: nonce.blockNumber,
    timeoutMs: 60_000,
  });
  expect(result).toMatchObject({ status: "finalized", mode: "batch", batchId: expect.stringMatching(/^0x/) });
  return { result, subject };
}

describe("materializeVerdict", () => {
  const registry = () => net.deployment.contracts.attestationRegistry;

  it("with an ethers v6 Signer: the batched verdict then counts in isAttested (asked through viem)", async () => {
    const { result, subject } = await batchedKeep();
    expect((await isAttested(net.publicClient, subject, net.workloadId, { registry: registry() })).ok).toBe(false);
    const sent = await materializeVerdict(new Wallet(ETHERS_RELAYER, provider), result, { registry: registry() });
    expect(sent.verdictId).toBe(result.verdictId);
    expect((await provider.getTransactionReceipt(sent.txHash))?.status).toBe(1);
    expect(await isAttested(net.publicClient, subject, net.workloadId, { registry: registry() })).toMatchObject({
      ok: true,
      verdictId: result.verdictId,
    });
  });

  it("with an ethers Signer on a FallbackProvider (no send()): the receipt comes through its high-level calls", async () => {
    const { result, subject } = await batchedKeep();
    // Its own backend: destroying a FallbackProvider destroys the providers under it.
    const fallback = new FallbackProvider([new JsonRpcProvider(net.anvil.url, undefined, { staticNetwork: true })], 31337n, { quorum: 1 });
    try {
      const sent = await materializeVerdict(new Wallet(ETHERS_RELAYER, fallback), result, { registry: registry() });
      expect((await provider.getTransactionReceipt(sent.txHash))?.status).toBe(1);
      expect(await isAttested(fallback, subject, net.workloadId, { registry: registry() })).toMatchObject({
        ok: true,
        verdictId: result.verdictId,
      });
    } finally {
      fallback.destroy();
    }
  });

  it("with a viem wallet client: the same (asked through ethers)", async () => {
    const { result, subject } = await batchedKeep();
    expect((await isAttested(provider, subject, net.workloadId, { registry: registry() })).ok).toBe(false);
    const wallet = createWalletClient({ account: privateKeyToAccount(VIEM_RELAYER), chain: foundry, transport: http(net.anvil.url) });
    const sent = await materializeVerdict(wallet, result, { registry: registry() });
    expect((await net.publicClient.getTransactionReceipt({ hash: sent.txHash })).status).toBe("success");
    expect(await isAttested(provider, subject, net.workloadId, { registry: registry() })).toMatchObject({
      ok: true,
      verdictId: result.verdictId,
    });
  });

  it("with neither ethers nor viem: an EIP-1193 provider whose wallet holds the account (the dev chain's unlocked one)", async () => {
    const { result, subject } = await batchedKeep();
    expect((await isAttested(net.anvil.url, subject, net.workloadId, { registry: registry() })).ok).toBe(false);
    const relayer = new Wallet(ETHERS_RELAYER).address as Hex;
    const sent = await materializeVerdict(fetchEip1193(net.anvil.url, relayer), result, { registry: registry() });
    expect((await net.publicClient.getTransactionReceipt({ hash: sent.txHash })).from).toBe(relayer.toLowerCase());
    expect(await isAttested(net.anvil.url, subject, net.workloadId, { registry: registry() })).toMatchObject({
      ok: true,
      verdictId: result.verdictId,
    });
    // Stored once: the same verdict again is the registry's own refusal, decoded before anything is sent.
    await expect(materializeVerdict(fetchEip1193(net.anvil.url, relayer), result, { registry: registry() })).rejects.toMatchObject({
      code: "CHAIN_REVERTED",
      details: { errorName: "AttestationRegistryVerdictAlreadyFinalized", args: [result.verdictId] },
    });
  });

  it("refuses a result without a batch proof, and an ethers Signer without a provider, before sending", async () => {
    const single = { verdictId: `0x${"11".repeat(32)}` as Hex };
    await expect(materializeVerdict(new Wallet(ETHERS_RELAYER, provider), single, { registry: registry() })).rejects.toMatchObject({
      code: "SDK_REQUEST_INVALID",
    });
    const { result } = await batchedKeep();
    await expect(materializeVerdict(new Wallet(ETHERS_RELAYER), result, { registry: registry() })).rejects.toMatchObject({
      code: "SDK_PROVIDER_INVALID",
    });
  });
});
