/**
 * Attested key release end to end (docs/key-release.md) on a 3-validator network (k = 2), nodes in this
 * process, anvil as the chain, a KeyRegistry beside the deployment: the owner splits a secret 2-of-3 and
 * deposits the sealed shares; a debug Keep with a live verdict obtains the secret; a Keep whose verdict is
 * for another workload's key, revoked or expired gets nothing from any validator; fewer than t shares
 * combine to nothing; a replayed request is refused; release receipts are committed on-chain and prove.
 * The owner and the Keep hold viem clients, ethers v6 Wallets, or neither (a URL and EIP-1193 wallets).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concatHex, getAddress, keccak256, parseEventLogs, toBytes, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { JsonRpcProvider, Wallet } from "ethers";
import { keyRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { generateHpkeKeyPair, hpkeSeal, shareInfo } from "@keepledger/sdk/internal/chain/keyRelease/hpke";
import {
  createKeyOnChain,
  defaultReleasePolicy,
  deployKeyRegistry,
  keyServiceKeyOf,
  retireKeyVersion,
} from "../../src/chain/keyRegistry.ts";
import { verdictFromJson, verdictToJson, type VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { revokeSubject } from "../../src/chain/revocations.ts";
import { registerWorkload } from "../../src/chain/workloads.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import {
  batchProof,
  keyId as keyIdOf,
  receiptLeaf,
  releaseRequestTypedData,
  shareDepositTypedData,
  shareHash,
  type Verdict,
} from "@keepledger/sdk/internal/ids/index";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { fetchEip1193, keyWalletEip1193 } from "../support/eip1193Wallets.ts";
import { ANVIL_DEPLOYER_KEY } from "./support/anvil.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

let net: NodeNetwork;
let keyRegistry: Address;
let shareholders: Address[];
const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 1) & 0xff);
let keyId: Hex;

async function attestedKeep(): Promise<{ account: ReturnType<typeof privateKeyToAccount>; verdict: Verdict }> {
  const keep = await net.debugKeep(net.nodes[0]!.url);
  const posted = await net.post(net.nodes[0]!.url, keep.body);
  const view = await net.waitSettled(net.nodes[0]!.url, posted.json.verdictId as Hex);
  expect(view.status).toBe("finalized");
  const account = privateKeyToAccount(keep.privateKey);
  reattestKey.set(account.address, keep.privateKey);
  return { account, verdict: verdictFromJson(view.verdict as VerdictJson) };
}

async function refusalCodes(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    expect(isKeepledgerError(error) && error.code).toBe("KEY_TOO_FEW_SHARES");
    const refusals = (error as { details: { refusals: { code: string }[] } }).details.refusals;
    return refusals.map((r) => r.code);
  }
  throw new Error("expected the release to fail");
}

/** The Keeps' private keys by address, so that a test can have the same Keep attest again. */
const reattestKey = new Map<Address, Hex>();

async function rawRelease(
  node: number,
  id: Hex,
  version: number,
  account: ReturnType<typeof privateKeyToAccount>,
  verdict: Verdict,
  override: { blockHash?: Hex } = {},
): Promise<{ status: number; json: Record<string, { code?: string }> }> {
  const recipient = await generateHpkeKeyPair();
  const block = await net.publicClient.getBlock();
  const request = {
    keyId: id,
    version,
    validator: getAddress(net.nodes[node]!.account.address),
    recipientKeyHash: keccak256(recipient.publicKey),
    blockNumber: block.number,
    blockHash: override.blockHash ?? block.hash,
  };
  const body = {
    version,
    recipientPublicKey: recipient.publicKey,
    blockNumber: block.number.toString(),
    blockHash: request.blockHash,
    verdict: verdictToJson(verdict),
    signature: await account.signTypedData(releaseRequestTypedData(request, net.deployment.chainId, keyRegistry)),
  };
  const r = await fetch(`${net.nodes[node]!.url}/v1/keys/${id}/release`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, { code?: string }> };
}

const release = (account: ReturnType<typeof privateKeyToAccount>, verdict: Verdict, id: Hex = keyId) =>
  releaseKey({ publicClient: net.publicClient, deployment: net.deployment, keyRegistry, keyId: id, account, verdict });

beforeAll(async () => {
  net = await startNodeNetwork({ validatorWorkload: false });
  keyRegistry = (await deployKeyRegistry(net.clients, net.deployment)).address;
  for (const n of net.nodes) n.config.keyService = { registry: keyRegistry, receiptIntervalMs: 3_600_000, maxRequestAgeBlocks: 64 };
  for (let i = 0; i < 3; i++) await net.startNode(i);
  shareholders = net.nodes.map((n) => getAddress(n.account.address));
  // The debug Keep workload of the dev network: its verdicts are dev-policy verdicts, so this key allows debug.
  ({ keyId } = await createKey({
    clients: net.clients,
    deployment: net.deployment,
    keyRegistry,
    workloadId: net.workloadId,
    name: "demo data key",
    shareholders,
    threshold: 2,
    secret,
    policy: { ...defaultReleasePolicy(), allowDebug: true },
    // No validator workload on this network: nothing self-attests, so no key-service key is attested.
    dangerouslyAllowUnattestedKeyService: true,
  }));
}, 120_000);
afterAll(async () => net?.stop());

describe("attested key release, 3 validators, t = 2", () => {
  it("publishes each node's key-service key, and createKey refuses unattested ones unless told", async () => {
    for (const n of net.nodes) {
      const onChain = await keyServiceKeyOf(net, keyRegistry, n.account.address);
      expect(onChain.publicKey).toBe(n.node!.keys!.publicKey);
      expect(onChain.attested).toBe(false);
    }
    const refused = createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: net.workloadId,
      name: "strict",
      shareholders,
      threshold: 2,
    });
    await expect(refused).rejects.toMatchObject({ code: "KEY_SERVICE_NOT_ATTESTED" });
  });

  it("a Keep with a live verdict obtains the key from the validators", async () => {
    const { account, verdict } = await attestedKeep();
    const started = performance.now();
    const got = await release(account, verdict);
    console.log(`release of a 2-of-3 key: ${Math.round(performance.now() - started)} ms`);
    expect(toHex(got.secret)).toBe(toHex(secret));
    expect(got.shares.filter((s) => s.ok)).toHaveLength(3);
  });

  it("createKey and releaseKey take ethers v6, and neither ethers nor viem (a JSON-RPC URL, EIP-1193 wallets)", async () => {
    const provider = new JsonRpcProvider(net.anvil.url, undefined, { staticNetwork: true });
    try {
      const owner = { deployment: net.deployment, keyRegistry, workloadId: net.workloadId, shareholders, threshold: 2, secret };
      const options = { ...owner, policy: { ...defaultReleasePolicy(), allowDebug: true }, dangerouslyAllowUnattestedKeyService: true };
      // The workload owner as an ethers Wallet, and as the dev chain's unlocked account behind plain EIP-1193.
      const viaEthers = await createKey({ ...options, name: "ethers key", signer: new Wallet(ANVIL_DEPLOYER_KEY, provider) });
      const deployer = net.clients.walletClient.account.address;
      const viaEip1193 = await createKey({ ...options, name: "eip1193 key", signer: fetchEip1193(net.anvil.url, deployer) });
      for (const created of [viaEthers, viaEip1193]) expect(created).toMatchObject({ version: 1, gasUsed: expect.any(BigInt) });
      const { account, verdict } = await attestedKeep();
      const keepKey = reattestKey.get(account.address)!;
      const common = { deployment: net.deployment, keyRegistry, verdict };
      // The Keep as an ethers Wallet without a provider (it only signs), reading through an ethers provider…
      const e = await releaseKey({ ...common, keyId: viaEthers.keyId, publicClient: provider, account: new Wallet(keepKey) });
      // …and as a wallet holding its key behind EIP-1193 (eth_signTypedData_v4), reading through a URL.
      const n = await releaseKey({
        ...common,
        keyId: viaEip1193.keyId,
        publicClient: net.anvil.url,
        account: keyWalletEip1193(net.anvil.url, keepKey),
      });
      for (const got of [e, n]) {
        expect(toHex(got.secret)).toBe(toHex(secret));
        expect(got.shares.filter((s) => s.ok)).toHaveLength(3);
      }
    } finally {
      provider.destroy();
    }
  });

  it("a Keep attested for the key's workload gets nothing for another workload's key", async () => {
    const other = (await registerWorkload(net.clients, net.deployment, "other")).workloadId;
    const otherKey = await createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: other,
      name: "other key",
      shareholders,
      threshold: 2,
      dangerouslyAllowUnattestedKeyService: true,
    });
    const { account, verdict } = await attestedKeep();
    expect(await refusalCodes(release(account, verdict, otherKey.keyId))).toEqual([
      "KEY_WRONG_WORKLOAD",
      "KEY_WRONG_WORKLOAD",
      "KEY_WRONG_WORKLOAD",
    ]);
  });

  it("a key whose release policy refuses debug releases nothing to a debug Keep", async () => {
    const strict = await createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: net.workloadId,
      name: "no debug",
      shareholders,
      threshold: 2,
      dangerouslyAllowUnattestedKeyService: true,
    });
    const { account, verdict } = await attestedKeep();
    expect(await refusalCodes(release(account, verdict, strict.keyId))).toEqual([
      "KEY_POLICY_DEBUG",
      "KEY_POLICY_DEBUG",
      "KEY_POLICY_DEBUG",
    ]);
  });

  it("a revoked Keep gets nothing from any validator", async () => {
    const { account, verdict } = await attestedKeep();
    await revokeSubject(net.clients, net.deployment, verdict.subject, net.workloadId, "key leaked");
    expect(await refusalCodes(release(account, verdict))).toEqual(["KEY_SUBJECT_REVOKED", "KEY_SUBJECT_REVOKED", "KEY_SUBJECT_REVOKED"]);
  });

  it("a request signed by another key, or for a verdict that is not the Keep's, is refused", async () => {
    const { verdict } = await attestedKeep();
    const impostor = privateKeyToAccount(keccak256(toHex("impostor")));
    expect(await refusalCodes(release(impostor, verdict))).toEqual([
      "KEY_REQUEST_SIGNATURE",
      "KEY_REQUEST_SIGNATURE",
      "KEY_REQUEST_SIGNATURE",
    ]);
  });

  it("with one validator down, t = 2 shares still open the key; with two down, one share opens nothing", async () => {
    const { account, verdict } = await attestedKeep();
    await net.stopNode(2);
    try {
      const got = await release(account, verdict);
      expect(toHex(got.secret)).toBe(toHex(secret));
      await net.stopNode(1);
      const codes = await refusalCodes(release(account, verdict));
      expect(codes.filter((c) => c === "SDK_NODE_UNREACHABLE")).toHaveLength(2);
    } finally {
      await net.startNode(1).catch(() => undefined);
      await net.startNode(2).catch(() => undefined);
    }
  });

  it("refuses a replayed release request, and commits receipts that prove on-chain", async () => {
    const { account, verdict } = await attestedKeep();
    const node = net.nodes[0]!;
    const recipient = await generateHpkeKeyPair();
    const block = await net.publicClient.getBlock();
    const request = {
      keyId,
      version: 1,
      validator: getAddress(node.account.address),
      recipientKeyHash: keccak256(recipient.publicKey),
      blockNumber: block.number,
      blockHash: block.hash,
    };
    const body = {
      version: 1,
      recipientPublicKey: recipient.publicKey,
      blockNumber: block.number.toString(),
      blockHash: block.hash,
      verdict: verdictToJson(verdict),
      signature: await account.signTypedData(releaseRequestTypedData(request, net.deployment.chainId, keyRegistry)),
    };
    const post = async () => {
      const r = await fetch(`${node.url}/v1/keys/${keyId}/release`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, { code?: string }> };
    };
    expect((await post()).status).toBe(200);
    expect(await post()).toMatchObject({ status: 409, json: { error: { code: "KEY_REQUEST_REPLAYED" } } });

    const keys = node.node!.keys!;
    const pending = await keys.pendingReceiptCount();
    expect(pending).toBeGreaterThan(0);
    const committed = await keys.commitReceipts();
    expect(committed.committed).toBe(pending);
    console.log(`receipt commit: ${committed.committed} receipts, ${committed.gasUsed} gas`);
    const receipt = await net.publicClient.getTransactionReceipt({
      hash: (
        await net.publicClient.getContractEvents({ address: keyRegistry, abi: keyRegistryAbi, eventName: "ReleaseReceiptsCommitted" })
      ).at(-1)!.transactionHash,
    });
    const [event] = parseEventLogs({ abi: keyRegistryAbi, logs: receipt.logs, eventName: "ReleaseReceiptsCommitted" });
    const receipts = event!.args.receipts.map((r) => ({ ...r, version: Number(r.version) }));
    expect(receipts.map((r) => r.subject)).toContain(verdict.subject);
    const leaves = receipts.map((r) => receiptLeaf(node.account.address, r));
    const i = receipts.findIndex((r) => r.subject === verdict.subject);
    const proves = await net.publicClient.readContract({
      address: keyRegistry,
      abi: keyRegistryAbi,
      functionName: "verifyReleaseReceipt",
      args: [node.account.address, receipts[i]!, event!.args.root, batchProof(leaves, i)],
    });
    expect(proves).toBe(true);
  });

  it("refuses, with its code, an unknown key, a retired version, a missing share, a non-shareholder, an unaccepted TCB status, an older verdict and a stale block", async () => {
    const { account, verdict } = await attestedKeep();
    const owner = { clients: net.clients, deployment: net.deployment, keyRegistry, workloadId: net.workloadId, secret, threshold: 2 };
    const unsafe = { dangerouslyAllowUnattestedKeyService: true, policy: { ...defaultReleasePolicy(), allowDebug: true } };

    const unknown = await rawRelease(0, keccak256(toHex("no such key")), 1, account, verdict);
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: "KEY_UNKNOWN" } } });

    const retiring = await createKey({ ...owner, ...unsafe, name: "retiring", shareholders });
    await retireKeyVersion(net.clients, keyRegistry, retiring.keyId, 1);
    expect(await refusalCodes(release(account, verdict, retiring.keyId))).toEqual(Array(3).fill("KEY_VERSION_RETIRED"));

    // Recorded on-chain, never deposited.
    const undeposited = keyIdOf(net.workloadId, "undeposited");
    await createKeyOnChain(net.clients, keyRegistry, {
      workloadId: net.workloadId,
      name: "undeposited",
      policy: unsafe.policy,
      threshold: 2,
      shareholders,
      shareHashes: shareholders.map((_, i) => keccak256(toHex(`share ${i}`))),
    });
    expect(await refusalCodes(release(account, verdict, undeposited))).toEqual(Array(3).fill("KEY_SHARE_MISSING"));

    const pair = await createKey({ ...owner, ...unsafe, name: "two holders", shareholders: shareholders.slice(0, 2) });
    expect(await rawRelease(2, pair.keyId, 1, account, verdict)).toMatchObject({
      status: 400,
      json: { error: { code: "KEY_NOT_A_SHAREHOLDER" } },
    });

    const hardened = await createKey({
      ...owner,
      name: "SW hardening only",
      shareholders,
      dangerouslyAllowUnattestedKeyService: true,
      policy: { ...defaultReleasePolicy(), allowDebug: true, acceptedTcbStatuses: 1 << 2 },
    });
    expect(await refusalCodes(release(account, verdict, hardened.keyId))).toEqual(Array(3).fill("KEY_POLICY_TCB"));

    const stale = await rawRelease(0, keyId, 1, account, verdict, { blockHash: keccak256(toHex("not a block")) });
    expect(stale).toMatchObject({ status: 422, json: { error: { code: "KEY_REQUEST_STALE" } } });

    // The same Keep attests again: its first verdict is no longer its latest. The registry replaces the
    // latest verdict only for a strictly newer issuedAt (on a tie the first stays), and issuedAt is the
    // collector's view of chain time: move the chain on and wait until the collector sees it, or on a loaded
    // machine the second verdict can carry the first one's second.
    for (const [method, params] of [
      ["evm_increaseTime", [5]],
      ["evm_mine", []],
    ] as const) {
      await fetch(net.anvil.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
    }
    for (const deadline = Date.now() + 30_000; ; ) {
      const head = (await (await fetch(`${net.nodes[0]!.url}/v1/nonce`)).json()) as { blockTimestamp: number };
      if (BigInt(head.blockTimestamp) > verdict.issuedAt) break;
      if (Date.now() > deadline) throw new Error("the collector never saw the chain move past the first verdict");
      await new Promise((r) => setTimeout(r, 100));
    }
    const keepKey = reattestKey.get(account.address)!;
    const again = await net.debugKeep(net.nodes[0]!.url, { privateKey: keepKey });
    const posted = await net.post(net.nodes[0]!.url, again.body);
    // Finalized, not merely settled: a refused re-attestation would leave the first verdict the latest.
    const settled = await net.waitSettled(net.nodes[0]!.url, posted.json.verdictId as Hex);
    expect(settled.status).toBe("finalized");
    expect(verdictFromJson(settled.verdict as VerdictJson).issuedAt).toBeGreaterThan(verdict.issuedAt);
    expect(await refusalCodes(release(account, verdict))).toEqual(Array(3).fill("KEY_VERDICT_MISMATCH"));
  });

  it("refuses deposits not signed by the workload owner, or sealed to another validator", async () => {
    const node = net.nodes[0]!;
    const id = keyIdOf(net.workloadId, "data key for deposits");
    const shares = [0, 1, 2].map((i) => toBytes(keccak256(toHex(`deposit share ${i}`))));
    const hashes = shares.map((s, i) => shareHash(id, 1, i + 1, s));
    await createKeyOnChain(net.clients, keyRegistry, {
      workloadId: net.workloadId,
      name: "data key for deposits",
      policy: defaultReleasePolicy(),
      threshold: 2,
      shareholders,
      shareHashes: hashes,
    });
    const depositBody = async (signer: ReturnType<typeof privateKeyToAccount> | "owner", sealedTo: number) => {
      const sealed = await hpkeSeal(
        net.nodes[sealedTo]!.node!.keys!.publicKey,
        shareInfo(id, 1, getAddress(node.account.address)),
        shares[0]!,
      );
      const typed = shareDepositTypedData(
        { keyId: id, version: 1, validator: node.account.address, sealedHash: keccak256(concatHex([sealed.enc, sealed.ct])) },
        net.deployment.chainId,
        keyRegistry,
      );
      const signature =
        signer === "owner"
          ? await net.clients.walletClient.signTypedData({ account: net.clients.walletClient.account, ...typed })
          : await signer.signTypedData(typed);
      return { version: 1, sealed, shareHashes: hashes, signature };
    };
    const post = async (body: unknown) => {
      const r = await fetch(`${node.url}/v1/keys/${id}/shares`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, { code?: string }> };
    };
    const stranger = privateKeyToAccount(keccak256(toHex("stranger")));
    expect(await post(await depositBody(stranger, 0))).toMatchObject({
      status: 422,
      json: { error: { code: "KEY_DEPOSIT_UNAUTHORIZED" } },
    });
    expect(await post(await depositBody("owner", 1))).toMatchObject({ status: 422, json: { error: { code: "KEY_DEPOSIT_MISMATCH" } } });
    expect(await post(await depositBody("owner", 0))).toMatchObject({ status: 200, json: { index: 1 } });
  });

  it("a Keep whose verdict expired gets nothing from any validator", async () => {
    const { account, verdict } = await attestedKeep();
    const wait = Number(verdict.expiresAt - (await net.publicClient.getBlock()).timestamp) + 60;
    await net.publicClient.request({ method: "evm_increaseTime" as never, params: [wait] as never });
    await net.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    // The nonce block is older now too: sign with the new head (releaseKey reads it).
    expect(await refusalCodes(release(account, verdict))).toEqual(["KEY_NO_LIVE_VERDICT", "KEY_NO_LIVE_VERDICT", "KEY_NO_LIVE_VERDICT"]);
  });
});
