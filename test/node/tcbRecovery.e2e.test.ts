/**
 * TCB recovery with the DCAP test signer: a platform's SGX quote finalizes as UpToDate under TCB Info 17;
 * the collateral source then serves TCB Info 18, under which the same platform is OutOfDate. The nodes
 * notice the newer TCB Info, re-appraise the live verdicts they signed for that FMSPC and report the
 * downgrade (GET /v1/tcb-recovery, a metric); during the policy's tcbGracePeriod they still countersign
 * that platform's evidence appraised under TCB Info 17, after it they refuse it as below their collateral
 * floor (DCAP_TCB_INFO_STALE).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import type { CollateralProvider, CollateralSet } from "../../src/collateral/types.ts";
import { tcbStatusCode, teeKindCode, unboundSubject, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { collateralSetToFiles } from "../../src/node/appraisal/collateralFiles.ts";
import { createPeerClient } from "../../src/node/peer/peerClient.ts";
import { createPeerRequestSigner } from "../../src/node/peer/peerAuth.ts";
import { encodeSubmissions } from "../../src/node/peer/peerProtocol.ts";
import { verdictToJson } from "../../src/node/types.ts";
import { measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import {
  buildQuote,
  buildScenario,
  DEFAULT_FMSPC,
  defaultLevels,
  signIntelJson,
  tcbInfoValue,
  type Scenario,
} from "../support/dcapTestSigner.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

const CHAIN_START = Date.UTC(2025, 5, 1, 0, 0, 0) / 1000 - 300;
const GRACE = 3_600n;
const MRENCLAVE = `0x${"11".repeat(32)}` as Hex;

describe("TCB recovery", () => {
  let net: NodeNetwork;
  let scenario: Scenario;
  let current: CollateralSet;
  let workloadId: Hex;
  const source: CollateralProvider = { name: "test PCS", fetch: async () => current };
  const url = (i: number) => net.nodes[i]!.url;

  beforeAll(async () => {
    scenario = await buildScenario({ tee: "sgx" });
    current = scenario.collateral;
    net = await startNodeNetwork({
      validatorWorkload: false,
      chainTimestamp: CHAIN_START,
      nodeConfig: () => ({ tcbRecovery: { refreshIntervalMs: 300 } }),
    });
    ({ workloadId } = await registerWorkload(net.clients, net.deployment, "platform-app", ""));
    await schedulePolicy(net.clients, net.deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["sgx"],
      acceptedTcbStatuses: ["UpToDate"],
      dev: true,
      allowUnboundEvidence: true,
      tcbGracePeriod: Number(GRACE),
    });
    await addMeasurement(net.clients, net.deployment, workloadId, 1, {
      tee: "sgx",
      mrenclave: MRENCLAVE,
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    for (let i = 0; i < 3; i++) await net.startNode(i, { collateralProviders: [source], unsafeTrustedRoots: scenario.roots });
  }, 60_000);
  afterAll(async () => net?.stop());

  /** A fresh quote from the same platform (same PCK certificate and TCB), reporting `tag`. */
  const quoteFromPlatform = async (tag: number) =>
    (
      await buildQuote({
        tee: "sgx",
        pckLeaf: scenario.pckLeaf,
        pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
        sgxBody: { reportData: new Uint8Array(64).fill(tag) },
      })
    ).bytes;

  /** The nodes that signed the first verdict: the collector and the peer it got a signature from. */
  let signedBy: number[] = [];

  it("finalizes the platform's quote as UpToDate under TCB Info 17", async () => {
    const posted = await net.post(url(0), { workloadId, evidence: Buffer.from(scenario.quote).toString("base64"), unbound: true });
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    const view = (await net.waitSettled(url(0), posted.json.verdictId as Hex)) as {
      status: string;
      verdict: { tcbStatus: number };
      txHash: Hex;
    };
    expect(view).toMatchObject({ status: "finalized", verdict: { tcbStatus: tcbStatusCode("UpToDate") } });
    const receipt = await net.publicClient.getTransactionReceipt({ hash: view.txHash });
    const [event] = parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs: receipt.logs });
    signedBy = net.nodes.filter((n) => event!.args.signers.includes(n.account.address)).map((n) => n.index);
    expect(signedBy).toHaveLength(2);
  });

  it("reports, on every validator that signed it, the live verdict that newer TCB Info downgrades", async () => {
    const now = (await net.publicClient.getBlock()).timestamp;
    const newer = tcbInfoValue({
      id: "SGX",
      issueDate: new Date(Number(now - 600n) * 1000),
      nextUpdate: new Date("2025-06-14T00:00:00Z"),
      // The platform's TCB (the old top level) is now OutOfDate: a TCB recovery raised the bar.
      levels: [
        { ...defaultLevels("sgx")[0]!, components: [6, 6, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], status: "UpToDate" },
        { ...defaultLevels("sgx")[0]!, status: "OutOfDate" },
      ],
    });
    const signed = await signIntelJson(scenario.pki.tcbSigning, "tcbInfo", { ...newer, tcbEvaluationDataNumber: 18 }, [
      scenario.pki.tcbSigning,
      scenario.pki.root,
    ]);
    current = { ...scenario.collateral, intelDocuments: [signed, scenario.qeIdentity] };
    for (const i of signedBy) {
      const deadline = Date.now() + 20_000;
      let downgrades: Array<{
        fmspc: string;
        previousStatus: string;
        newStatus: string;
        newEvaluationDataNumber: number;
        graceEndsAt: number;
      }> = [];
      while (Date.now() < deadline && downgrades.length === 0) {
        await new Promise((r) => setTimeout(r, 300));
        downgrades = ((await (await fetch(`${url(i)}/v1/tcb-recovery`)).json()) as { downgrades: typeof downgrades }).downgrades;
      }
      expect(downgrades).toEqual([
        expect.objectContaining({
          fmspc: DEFAULT_FMSPC,
          previousStatus: "UpToDate",
          newStatus: "OutOfDate",
          newEvaluationDataNumber: 18,
          graceEndsAt: Number(now - 600n + GRACE),
        }),
      ]);
      expect(await (await fetch(`${url(i)}/metrics`)).text()).toContain("keepledger_node_tcb_downgraded_verdicts 1");
    }
  });

  /** Node 2 proposes a verdict over a new quote of the platform, appraised under the old TCB Info 17. */
  const proposeUnderOldTcbInfo = async (tag: number) => {
    const quote = await quoteFromPlatform(tag);
    const now = (await net.publicClient.getBlock()).timestamp;
    const verified = await verifyEvidence(quote, {
      at: new Date(Number(now) * 1000),
      collateral: { name: "old", fetch: async () => scenario.collateral },
      trustedRoots: scenario.roots,
    });
    const verdict: Verdict = {
      workloadId,
      measurementHash: measurementHash({ tee: "sgx", mrenclave: MRENCLAVE, mrsigner: `0x${"00".repeat(32)}`, isvProdId: 0, minIsvSvn: 0 }),
      tee: teeKindCode("sgx"),
      tcbStatus: tcbStatusCode(verified.tcb.status),
      subject: getAddress(unboundSubject(verified.evidenceHash)),
      evidenceHash: verified.evidenceHash,
      collateralHash: verified.collateralHash,
      issuedAt: now,
      expiresAt: BigInt(Math.min(Math.floor(verified.expiresAt.getTime() / 1000), Number(now + 7n * 86_400n))),
      freshnessBlock: 0n,
    };
    const { wire, blobs } = encodeSubmissions([
      {
        workloadId,
        evidence: quote,
        subjectPublicKey: null,
        freshnessBlock: 0n,
        context: "keep",
        collateral: collateralSetToFiles(scenario.collateral),
      },
    ]);
    return createPeerClient({
      auth: createPeerRequestSigner(net.nodes[2]!.privateKey, {
        chainId: net.deployment.chainId,
        validatorSet: net.deployment.contracts.validatorSet,
      }),
      timeoutMs: 10_000,
    }).post({ address: net.nodes[0]!.account.address, endpoint: url(0) }, "/v1/peer/sign", {
      verdict: verdictToJson(verdict),
      submission: wire[0],
      blobs,
    });
  };

  it("still countersigns the platform's evidence during the grace period", async () => {
    const answer = await proposeUnderOldTcbInfo(1);
    expect(answer.kind).toBe("signed");
  });

  it("refuses to countersign it once the grace period has passed", async () => {
    await net.publicClient.request({ method: "evm_increaseTime" as never, params: [Number(GRACE) + 60] as never });
    await net.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    await new Promise((r) => setTimeout(r, 600));
    const answer = await proposeUnderOldTcbInfo(2);
    expect(answer.kind).toBe("refused");
    // Past the grace period TCB Info 17 is below the node's collateral floor (it verified 18): the floor
    // refuses it before TCB recovery's own check (NODE_TCB_DOWNGRADED) would (docs/node.md).
    if (answer.kind === "refused") expect(answer.refusal.error.code).toBe("DCAP_TCB_INFO_STALE");
  });
});
