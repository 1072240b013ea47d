/**
 * ethers v6 and viem side by side against a real chain (anvil) and three validator nodes: the dApp
 * guide's two examples (docs/examples/) run end to end with a debug Keep, every SDK entry point that
 * takes a chain connection takes an ethers Provider, an ethers Signer, a viem client and a URL with the
 * same answer, and the generated ethers factories read and write the contracts. The guide shows the
 * example files verbatim (checked here, so the docs cannot drift from the tested code).
 */
import { readFileSync } from "node:fs";
import { FallbackProvider, JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hexToBytes, type Hex } from "viem";
import {
  AttestationRegistry__factory,
  AttestationRequests__factory,
  IKeepAttestation__factory,
  ValidatorSet__factory,
  WorkloadRegistry__factory,
} from "@keepledger/sdk/internal/chain/generated-ethers/index";
import { isAttested } from "../../src/sdk/index.ts";
import { attestAndCheckWithEthers } from "../../docs/examples/dapp-ethers.ts";
import { attestAndCheckWithViem, type DappSteps } from "../../docs/examples/dapp-viem.ts";
import { signDebugTestEvidence } from "../support/debugKeepSigner.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "../node/support/nodeNetwork.ts";

/** Anvil's tenth well-known development account: funded at genesis, used by nothing else in the network. */
const DAPP_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

let net: NodeNetwork;
let steps: DappSteps;
const providers: JsonRpcProvider[] = [];

beforeAll(async () => {
  net = await startNodeNetwork({ validatorWorkload: false });
  for (let i = 0; i < 3; i++) await net.startNode(i);
  steps = {
    rpcUrl: net.anvil.url,
    nodeUrl: net.nodes[0]!.url,
    workloadId: net.workloadId,
    tee: "debug",
    // What a TEE's quote API does, for a debug Keep: evidence over the report data.
    getEvidence: (reportData, nonce) =>
      signDebugTestEvidence({
        signer: DAPP_KEY,
        measurement: hexToBytes(APP_DEBUG_MEASUREMENT),
        reportData: hexToBytes(reportData),
        timestamp: nonce.blockTimestamp.getTime(),
      }),
  };
}, 120_000);
afterAll(async () => {
  for (const p of providers) p.destroy();
  await net?.stop();
});

function ethersProvider(): JsonRpcProvider {
  const p = new JsonRpcProvider(net.anvil.url, undefined, { staticNetwork: true });
  providers.push(p);
  return p;
}

describe("the dApp guide's steps", () => {
  for (const [client, run] of [
    ["ethers v6", attestAndCheckWithEthers],
    ["viem", attestAndCheckWithViem],
  ] as const) {
    it(`with ${client}: a Keep is attested through a node, and the SDK and the contract agree it is`, async () => {
      const t = performance.now();
      const r = await run(steps);
      console.info(`dApp guide with ${client}: ${Math.round(performance.now() - t)} ms`);
      expect(r.result).toMatchObject({ status: "finalized", verdict: { subject: r.subject, tee: "debug" } });
      expect(r.viaSdk).toMatchObject({ ok: true, verdictId: r.result.verdictId });
      expect(r.viaContract).toEqual({ ok: true, verdictId: r.result.verdictId, expiresAt: BigInt(r.viaSdk.expiresAt.getTime() / 1000) });
    });
  }
});

describe("isAttested with every kind of connection", () => {
  let subject: Hex;
  let verdictId: Hex;
  let boundBlock: bigint;
  beforeAll(async () => {
    const r = await attestAndCheckWithViem(steps);
    subject = r.subject;
    verdictId = r.result.verdictId;
    boundBlock = r.result.verdict!.freshnessBlock;
  }, 120_000);

  it("an ethers JsonRpcProvider, a FallbackProvider (no send), a connected Signer, a viem client and a URL give one answer", async () => {
    const registry = net.deployment.contracts.attestationRegistry;
    const provider = ethersProvider();
    const fallback = new FallbackProvider([ethersProvider()], 31337n, { quorum: 1 });
    const connections = {
      url: net.anvil.url,
      viem: net.publicClient,
      ethersProvider: provider,
      ethersFallback: fallback,
      ethersSigner: new Wallet(DAPP_KEY, provider),
    };
    const answers: Record<string, unknown> = {};
    for (const [name, connection] of Object.entries(connections))
      answers[name] = await isAttested(connection, subject, net.workloadId, { registry });
    for (const answer of Object.values(answers)) expect(answer).toEqual(answers.url);
    expect(answers.url).toMatchObject({ ok: true, verdictId });
    // The deployment form checks the chain id through the ethers provider too.
    const elsewhere = { ...net.deployment, chainId: 1 };
    await expect(isAttested(provider, subject, net.workloadId, { deployment: elsewhere })).rejects.toMatchObject({
      code: "SDK_REGISTRY_UNKNOWN",
    });
    expect(await isAttested(fallback, subject, net.workloadId, { deployment: net.deployment })).toEqual(answers.url);
    fallback.destroy();
  });

  it("as of a past block through an ethers provider: not yet attested at the block its evidence bound", async () => {
    const registry = net.deployment.contracts.attestationRegistry;
    const before = await isAttested(ethersProvider(), subject, net.workloadId, { registry, blockNumber: boundBlock });
    expect(before).toMatchObject({ ok: false, verdictId: `0x${"00".repeat(32)}` });
  });

  it("refuses an ethers Signer without a provider, naming what to do", async () => {
    const registry = net.deployment.contracts.attestationRegistry;
    const refused = isAttested(new Wallet(DAPP_KEY), subject, net.workloadId, { registry });
    await expect(refused).rejects.toMatchObject({
      code: "SDK_PROVIDER_INVALID",
      message: expect.stringMatching(/signer\.connect\(provider\)/),
    });
  });
});

describe("the generated ethers v6 factories", () => {
  it("read the four contracts and IKeepAttestation with the types TypeChain derived", async () => {
    const c = net.deployment.contracts;
    const provider = ethersProvider();
    const workloads = WorkloadRegistry__factory.connect(c.workloadRegistry, provider);
    const validators = ValidatorSet__factory.connect(c.validatorSet, provider);
    const attestations = AttestationRegistry__factory.connect(c.attestationRegistry, provider);
    // AttestationRequests is deployed by whoever runs it (no constructor arguments): the factory's bytecode.
    const requests = await new AttestationRequests__factory(new Wallet(DAPP_KEY, provider)).deploy();
    await requests.waitForDeployment();
    const consumer = IKeepAttestation__factory.connect(c.attestationRegistry, provider);
    expect((await workloads.attestationRegistry()).toLowerCase()).toBe(c.attestationRegistry.toLowerCase());
    expect((await validators.attestationRegistry()).toLowerCase()).toBe(c.attestationRegistry.toLowerCase());
    expect(typeof (await attestations.defaultAdminDelay())).toBe("bigint");
    expect(await requests.requestCount()).toBe(0n);
    const [ok] = await consumer.isAttested(Wallet.createRandom().address, net.workloadId);
    expect(ok).toBe(false);
  });

  it("send a transaction through an ethers Signer and decode its event", async () => {
    const signer = new Wallet(DAPP_KEY, ethersProvider());
    const workloads = WorkloadRegistry__factory.connect(net.deployment.contracts.workloadRegistry, signer);
    const name = `ethers-dapp-${Date.now()}`;
    const tx = await workloads.registerWorkload(name, "ipfs://example");
    const receipt = await tx.wait();
    const registered = receipt!.logs.map((l) => workloads.interface.parseLog(l)).find((e) => e?.name === "WorkloadRegistered");
    expect(registered?.args.owner).toBe(signer.address);
    expect(registered?.args.name).toBe(name);
  });
});

describe("the dApp guide", () => {
  it("shows both examples exactly as tested", () => {
    const guide = readFileSync(new URL("../../docs/dapp-guide.md", import.meta.url), "utf8");
    for (const file of ["dapp-ethers.ts", "dapp-viem.ts"]) {
      const code = readFileSync(new URL(`../../docs/examples/${file}`, import.meta.url), "utf8");
      expect(guide, file).toContain("```ts\n" + code + "```");
    }
  });
});
