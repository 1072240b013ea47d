/**
 * Validators attest themselves through the quorum and attach their own verdicts, keep finalizing once
 * the bootstrap is closed, follow an on-chain logging-profile change (re-attesting with the new profile
 * bound), and refuse to start with another profile, another endpoint or a key that is not a validator.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { closeBootstrap } from "../../src/chain/validators.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, schedulePolicy } from "../../src/chain/workloads.ts";
import { loggingProfileCode, tcbStatusCode, teeKindCode } from "@keepledger/sdk/internal/ids/index";
import { configfsTsmProvider } from "../../src/node/selfAttestation/configfsTsmProvider.ts";
import { buildQuote, buildScenario } from "../support/dcapTestSigner.ts";
import { fakeTsm, type FakeDevice } from "./support/fakeDevices.ts";
import { parseNodeConfig } from "../../src/node/config/loadNodeConfig.ts";
import { startValidatorNode } from "../../src/node/startValidatorNode.ts";
import { until } from "../support/until.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

/** How long to wait for the nodes, and how often to look. */
const WAIT = { timeoutMs: 45_000, intervalMs: 250 };

async function ownVerdict(net: NodeNetwork, validator: Address): Promise<{ id: Hex; counting: boolean; expiresAt: bigint }> {
  const info = await net.publicClient.readContract({
    address: net.deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "validatorOf",
    args: [validator],
  });
  return { id: info.ownVerdictId, counting: info.counting, expiresAt: info.ownVerdictExpiresAt };
}

describe("self-attestation", () => {
  let net: NodeNetwork;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: true });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  it("every validator binds its key and profile into evidence, gets it countersigned and attaches the verdict", async () => {
    for (const node of net.nodes) {
      const own = await until(
        "an attached own verdict",
        () => ownVerdict(net, node.account.address),
        (v) => BigInt(v.id) !== 0n,
        WAIT,
      );
      expect(own.counting).toBe(true);
      const view = (await (await fetch(`${node.url}/v1/verdicts/${own.id}`)).json()) as {
        status: string;
        verdict: { workloadId: Hex; subject: Address };
      };
      expect(view).toMatchObject({ status: "finalized", verdict: { workloadId: net.validatorWorkloadId, subject: node.account.address } });
      const link = await node.node!.store.evidence.verdictLink(own.id);
      expect(link?.bindingContext).toBe("validator:production");
      // The chain shows the finalized verdict a moment before the node has read it back and attached.
      const attached = await until(
        "the node attached",
        () => node.node!.selfAttestation(),
        (s) => s.state === "attached",
        WAIT,
      );
      expect(attached).toMatchObject({ state: "attached", provider: "none", insecure: true, verdictId: own.id });
    }
  });

  it("keeps finalizing after the bootstrap closes, with validators counting through their own verdicts", async () => {
    await closeBootstrap(net.clients, net.deployment);
    for (const node of net.nodes) expect((await ownVerdict(net, node.account.address)).counting).toBe(true);
    const keep = await net.debugKeep(net.nodes[1]!.url);
    const posted = await net.post(net.nodes[1]!.url, keep.body);
    const view = await net.waitSettled(net.nodes[1]!.url, posted.json.verdictId as Hex);
    expect(view.status).toBe("finalized");
  });

  it("follows a scheduled logging-profile change: logs by it and re-attests with it bound", async () => {
    const node = net.nodes[0]!;
    const before = await ownVerdict(net, node.account.address);
    await sendContractCall(net.clients, {
      address: net.deployment.contracts.validatorSet,
      abi: validatorSetAbi,
      functionName: "setLoggingProfile",
      args: [node.account.address, loggingProfileCode("staging")],
    });
    const after = await until(
      "a new own verdict",
      () => ownVerdict(net, node.account.address),
      (v) => v.id !== before.id,
      WAIT,
    ).catch((error: unknown) => {
      // What each node last logged, so that a failure here says why, not only that it timed out.
      for (const n of net.nodes) console.error(`node ${n.index}:\n${n.logs.slice(-20).join("\n")}`);
      throw error;
    });
    expect(node.node!.log.profile).toBe("staging");
    expect((await node.node!.store.evidence.verdictLink(after.id))?.bindingContext).toBe("validator:staging");
  });

  describe("refuses to start", () => {
    const startWith = async (change: Record<string, unknown>, env?: Record<string, string>) => {
      const n = net.nodes[1]!;
      const raw = { ...JSON.parse(JSON.stringify(n.config)), deployment: n.config.deployment, ...change };
      delete raw.source;
      const config = parseNodeConfig(raw, { source: "test.json", baseDir: net.dir });
      return startValidatorNode({ config, env: env ?? n.env, logDestination: { write: () => true } });
    };

    it.each([
      {
        name: "in a logging profile other than the registered one (a switch is a governed on-chain act)",
        change: { loggingProfile: "debug" },
        code: "NODE_LOGGING_PROFILE_MISMATCH",
        message:
          'this validator is registered with logging profile "production", the configuration says "debug"; a profile change is a governed on-chain act (ValidatorSet.setLoggingProfile)',
      },
      {
        name: "with a public URL that is not its on-chain endpoint",
        change: { publicUrl: "http://127.0.0.1:1" },
        code: "NODE_ENDPOINT_MISMATCH",
      },
    ])("$name", async ({ change, code, message }) => {
      const error = await startWith({ ...change, listen: "127.0.0.1:0" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code, ...(message ? { shortMessage: message } : {}) });
    });

    it("with a key that is not a validator", async () => {
      const error = await startWith(
        { listen: "127.0.0.1:0" },
        { KEEPLEDGER_VALIDATOR_KEY: keccak256(stringToBytes("not a validator")) },
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "NODE_NOT_A_VALIDATOR" });
    });
  });
});

describe("self-attestation from a TDX guest's configfs TSM interface", () => {
  let net: NodeNetwork;
  let device: FakeDevice;
  afterAll(async () => {
    device?.stop();
    await net?.stop();
  });

  it("binds the node's key and profile into a TDX quote that the other validators verify and countersign", async () => {
    const scenario = await buildScenario({ tee: "tdx" });
    net = await startNodeNetwork({ validatorWorkload: true, chainTimestamp: Math.floor(scenario.at.getTime() / 1000) - 300 });
    // The validator release: the TD the test signer's quotes report (its default MRTD and RTMRs).
    const fill = (b: number) => `0x${b.toString(16).padStart(2, "0").repeat(48)}` as Hex;
    await schedulePolicy(net.clients, net.deployment, net.validatorWorkloadId!, {
      ...defaultPolicy(),
      allowedTees: ["tdx", "debug"],
      acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
      dev: true,
    });
    await addMeasurement(net.clients, net.deployment, net.validatorWorkloadId!, 2, {
      tee: "tdx",
      mrtd: fill(0x33),
      rtmr0: fill(0x40),
      rtmr1: fill(0x41),
      rtmr2: fill(0x42),
      rtmr3: fill(0x43),
    });
    const root = mkdtempSync(join(tmpdir(), "kl-tsm-"));
    device = fakeTsm(root, {
      provider: "tdx_guest",
      outblob: async (inblob) =>
        (
          await buildQuote({
            tee: "tdx",
            pckLeaf: scenario.pckLeaf,
            pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
            tdBody: { reportData: inblob },
          })
        ).bytes,
    });
    const pcs = { name: "test PCS", fetch: async () => scenario.collateral };
    for (let i = 0; i < 3; i++) {
      await net.startNode(i, {
        collateralProviders: [pcs],
        unsafeTrustedRoots: scenario.roots,
        ...(i === 0 ? { evidenceProvider: configfsTsmProvider({ root }) } : {}),
      });
    }
    const node = net.nodes[0]!;
    const own = await until(
      "an attached own verdict",
      () => ownVerdict(net, node.account.address),
      (v) => BigInt(v.id) !== 0n,
      WAIT,
    );
    const view = (await (await fetch(`${node.url}/v1/verdicts/${own.id}`)).json()) as {
      status: string;
      verdict: { tee: number; tcbStatus: number };
    };
    expect(view).toMatchObject({ status: "finalized", verdict: { tee: teeKindCode("tdx"), tcbStatus: tcbStatusCode("UpToDate") } });
    const attached = await until(
      "the node attached",
      () => node.node!.selfAttestation(),
      (s) => s.state === "attached",
      WAIT,
    );
    expect(attached).toMatchObject({ state: "attached", provider: "configfs-tsm", insecure: false });
    expect(((await (await fetch(`${node.url}/healthz`)).json()) as { warnings: string[] }).warnings).toEqual([]);
    // A chain, three nodes and a quote per attestation: on a loaded 2-core machine this alone took ~57 s.
  }, 120_000);
});
