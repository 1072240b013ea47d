/**
 * The collector heals when peers refuse its collateral as superseded (issue 10 §1, liveness), on a
 * 3-validator network (k = 2, anvil, nodes 0 and 1 in this process; validator 2's endpoint is a scripted
 * server). Intel reissues CRLs and TCB Info about daily: a collector whose source is a day behind its
 * peers' is refused (COLLATERAL_SUPERSEDED) until its own cache expires — unless it reacts. It takes the
 * newer documents the refusal shows as supplied collateral (verified to the pinned roots), asks its own
 * sources to bypass their caches, re-appraises, and proposes the new verdict in the old one's place.
 * A forged "superseding" document proves nothing and loops nothing; a superseding CRL that revokes the
 * PCK refuses the evidence with CERT_REVOKED.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import type { CollateralProvider, CollateralSet } from "../../src/collateral/types.ts";
import { tcbStatusCode } from "@keepledger/sdk/internal/ids/index";
import { collateralSetToFiles } from "../../src/node/appraisal/collateralFiles.ts";
import { supersedingToJson } from "../../src/node/appraisal/supersedingDocuments.ts";
import type { ValidatorNode } from "../../src/node/startValidatorNode.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import {
  buildQuote,
  buildScenario,
  defaultLevels,
  issuePckCertificate,
  DEFAULT_FMSPC,
  DEFAULT_PCE_ID,
  DEFAULT_TCB,
  signIntelJson,
  tcbInfoValue,
  type Scenario,
} from "../support/dcapTestSigner.ts";
import { createCrl } from "../support/testPki.ts";
import { startNodeNetwork, type NodeNetwork } from "../node/support/nodeNetwork.ts";

const CHAIN_START = Date.UTC(2025, 5, 1, 0, 0, 0) / 1000 - 300;
const MRENCLAVE = `0x${"11".repeat(32)}` as Hex;

/** A source the test switches, with the cache-bypass hook counted (its upstream may still lag). */
function source(set: CollateralSet): CollateralProvider & { set: CollateralSet; refreshes: number } {
  const s = {
    name: "test PCS",
    set,
    refreshes: 0,
    fetch: async () => s.set,
    refresh: () => void s.refreshes++,
  };
  return s;
}

async function refreshes(node: ValidatorNode, reason: string, outcome: string): Promise<number> {
  return (
    (await node.metrics.collateralRefreshes.get()).values.find((x) => x.labels.reason === reason && x.labels.outcome === outcome)?.value ??
    0
  );
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Behaviour = { kind: "down" } | { kind: "refuse"; body: unknown };

describe("the collector heals when peers show newer collateral (3 validators, k = 2)", () => {
  let net: NodeNetwork;
  let scenario: Scenario;
  let workloadId: Hex;
  let scripted: Server;
  let behaviour: Behaviour = { kind: "down" };
  let requestsToScripted = 0;
  let collectorSource: ReturnType<typeof source>;
  let peerSource: ReturnType<typeof source>;
  const url = (i: number) => net.nodes[i]!.url;
  const collector = () => net.nodes[0]!.node!;

  /** TCB Info 17 reissued on 2025-05-30 (the scenario's is of 2025-05-15): Intel's daily reissue. */
  const reissuedTcbInfo = async (issueDate = new Date("2025-05-30T00:00:00Z")) =>
    signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      tcbInfoValue({ id: "SGX", issueDate, nextUpdate: new Date("2025-06-29T00:00:00Z"), levels: defaultLevels("sgx") }),
      [scenario.pki.tcbSigning, scenario.pki.root],
    );

  /** A fresh quote of the scenario's platform (or of another PCK certificate), reporting `tag`. */
  const quote = async (tag: number, pckLeaf = scenario.pckLeaf) =>
    (
      await buildQuote({
        tee: "sgx",
        pckLeaf,
        pckChain: [pckLeaf, scenario.pki.platformCa, scenario.pki.root],
        sgxBody: { reportData: new Uint8Array(64).fill(tag) },
      })
    ).bytes;

  const collateralHashOf = async (evidence: Uint8Array, set: CollateralSet) => {
    const now = (await net.publicClient.getBlock()).timestamp;
    return (
      await verifyEvidence(evidence, {
        at: new Date(Number(now) * 1000),
        collateral: { name: "expected", fetch: async () => set },
        trustedRoots: scenario.roots,
      })
    ).collateralHash;
  };

  const post = async (evidence: Uint8Array) => {
    const posted = await net.post(url(0), { workloadId, evidence: Buffer.from(evidence).toString("base64"), unbound: true });
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    return posted.json.verdictId as Hex;
  };

  beforeAll(async () => {
    scenario = await buildScenario({ tee: "sgx" });
    collectorSource = source(scenario.collateral);
    peerSource = source(scenario.collateral);
    net = await startNodeNetwork({ validatorWorkload: false, chainTimestamp: CHAIN_START });
    ({ workloadId } = await registerWorkload(net.clients, net.deployment, "platform-app", ""));
    await schedulePolicy(net.clients, net.deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["sgx"],
      acceptedTcbStatuses: ["UpToDate"],
      dev: true,
      allowUnboundEvidence: true,
    });
    await addMeasurement(net.clients, net.deployment, workloadId, 1, {
      tee: "sgx",
      mrenclave: MRENCLAVE,
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    scripted = createServer((req, res) => {
      req.resume().on("end", () => {
        requestsToScripted++;
        const b = behaviour;
        res.writeHead(b.kind === "down" ? 503 : 422, { "content-type": "application/json" });
        res.end(
          JSON.stringify(b.kind === "down" ? { error: { code: "NODE_UNAVAILABLE", message: "down", stage: "infrastructure" } } : b.body),
        );
      });
    });
    await new Promise<void>((r) => scripted.listen(net.nodes[2]!.port, "127.0.0.1", r));
    await net.startNode(0, { collateralProviders: [collectorSource], unsafeTrustedRoots: scenario.roots });
    await net.startNode(1, { collateralProviders: [peerSource], unsafeTrustedRoots: scenario.roots });
  }, 90_000);

  afterAll(async () => {
    await new Promise<void>((r) => (scripted ? scripted.close(() => r()) : r()));
    scripted?.closeAllConnections();
    await net?.stop();
  });

  it("a collector a reissue behind its peer heals: the verdict finalizes with the newer TCB Info's collateralHash", async () => {
    const newer: CollateralSet = { ...scenario.collateral, intelDocuments: [await reissuedTcbInfo(), scenario.qeIdentity] };
    peerSource.set = newer; // the collector's source still serves the older (valid) TCB Info, even after a refresh
    const evidence = await quote(1);
    const oldHash = await collateralHashOf(evidence, scenario.collateral);
    const newHash = await collateralHashOf(evidence, newer);
    expect(newHash).not.toBe(oldHash);
    const before = collectorSource.refreshes;

    const verdictId = await post(evidence);
    const proposed = (await (await fetch(`${url(0)}/v1/verdicts/${verdictId}`)).json()) as { verdict: { collateralHash: Hex } };
    expect(proposed.verdict.collateralHash).toBe(oldHash);
    // Asked by the old verdict's id, the node answers with the request's current verdict.
    const view = (await net.waitSettled(url(0), verdictId)) as {
      status: string;
      verdictId: Hex;
      verdict: { collateralHash: Hex; tcbStatus: number };
      txHash: Hex;
    };
    expect(view).toMatchObject({ status: "finalized", verdict: { collateralHash: newHash, tcbStatus: tcbStatusCode("UpToDate") } });
    expect(view.verdictId).not.toBe(verdictId);
    const receipt = await net.publicClient.getTransactionReceipt({ hash: view.txHash });
    const [event] = parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs: receipt.logs });
    expect(event!.args.verdictId).toBe(view.verdictId);
    expect(
      (
        await net.publicClient.readContract({
          address: net.deployment.contracts.attestationRegistry,
          abi: attestationRegistryAbi,
          functionName: "verdictOf",
          args: [verdictId],
        })
      ).finalized,
    ).toBe(false);

    // Superseded exactly once, its own source asked to bypass its cache, its floor moved, its old verdict's signatures gone.
    expect(await refreshes(collector(), "COLLATERAL_SUPERSEDED", "superseded")).toBe(1);
    expect(collectorSource.refreshes).toBeGreaterThan(before);
    const old = await collector().store.verdict(verdictId);
    expect(old).toMatchObject({
      state: "superseded",
      error: { code: "NODE_VERDICT_SUPERSEDED", details: { supersededBy: view.verdictId } },
    });
    expect(await collector().store.signatures(verdictId)).toEqual([]);
    expect((await collector().store.request(old!.requestId))?.verdictId).toBe(view.verdictId);
    expect(net.nodes[0]!.logs.some((l) => l.includes("verdict superseded"))).toBe(true);

    // Its source still lags; the next quote of the platform is proposed under the healed TCB Info at once.
    const next = await quote(4);
    const nextView = (await net.waitSettled(url(0), await post(next))) as { status: string; verdict: { collateralHash: Hex } };
    expect(nextView).toMatchObject({ status: "finalized", verdict: { collateralHash: await collateralHashOf(next, newer) } });
    expect(await refreshes(collector(), "COLLATERAL_SUPERSEDED", "superseded")).toBe(1);
    expect(collectorSource.set).toBe(scenario.collateral);
  }, 60_000);

  it("a peer showing a forged superseding TCB Info changes nothing and cannot loop the collector; honest peers finalize the verdict", async () => {
    const forged = await signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({
          id: "SGX",
          issueDate: new Date("2025-05-31T00:00:00Z"),
          nextUpdate: new Date("2025-06-30T00:00:00Z"),
          levels: defaultLevels("sgx"),
        }),
        tcbEvaluationDataNumber: 99,
      },
      [scenario.pki.tcbSigning, scenario.pki.root],
    );
    const signature = new Uint8Array(forged.signature);
    signature[5]! ^= 0x01;
    const files = collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [{ ...forged, signature }] });
    behaviour = {
      kind: "refuse",
      body: {
        error: {
          code: "COLLATERAL_SUPERSEDED",
          message: "superseded",
          stage: "verification",
          details: { document: `tcbInfo:SGX:${DEFAULT_FMSPC}`, superseding: supersedingToJson(files) },
        },
      },
    };
    await net.stopNode(1); // the lying validator is the only one answering for now
    try {
      const evidence = await quote(2);
      const unchanged = await refreshes(collector(), "COLLATERAL_SUPERSEDED", "unchanged");
      const verdictId = await post(evidence);
      await until("the collector to stop re-appraising", async () =>
        (await refreshes(collector(), "COLLATERAL_SUPERSEDED", "limit")) > 0 ? true : undefined,
      );
      const asked = requestsToScripted;
      expect(await refreshes(collector(), "COLLATERAL_SUPERSEDED", "unchanged")).toBe(unchanged + 2);
      expect(await refreshes(collector(), "COLLATERAL_SUPERSEDED", "superseded")).toBe(1); // the first test's, none here
      expect(
        net.nodes[0]!.logs.some((l) => l.includes("does not verify; ignored") && l.includes("DCAP_COLLATERAL_SIGNATURE_INVALID")),
      ).toBe(true);
      expect((await collector().store.verdict(verdictId))?.state).toBe("pending");

      await net.startNode(1, { collateralProviders: [peerSource], unsafeTrustedRoots: scenario.roots });
      const view = (await net.waitSettled(url(0), verdictId)) as { status: string; verdictId: Hex; verdict: { collateralHash: Hex } };
      expect(view).toMatchObject({ status: "finalized", verdictId });
      expect(view.verdict.collateralHash).toBe(await collateralHashOf(evidence, peerSource.set));
      expect(requestsToScripted).toBeGreaterThanOrEqual(asked);
      expect(await refreshes(collector(), "COLLATERAL_SUPERSEDED", "unchanged")).toBe(unchanged + 2);
    } finally {
      behaviour = { kind: "down" };
      if (!net.nodes[1]!.node) await net.startNode(1, { collateralProviders: [peerSource], unsafeTrustedRoots: scenario.roots });
    }
  }, 90_000);

  it("a superseding PCK CRL that revokes the PCK certificate refuses the evidence with CERT_REVOKED", async () => {
    const revoked = await issuePckCertificate(scenario.pki.platformCa, { fmspc: DEFAULT_FMSPC, pceId: DEFAULT_PCE_ID, ...DEFAULT_TCB });
    const freshCrl = await createCrl(scenario.pki.platformCa, [revoked.cert.serial], {
      thisUpdate: new Date("2025-05-25T00:00:00Z"),
      nextUpdate: new Date("2025-06-25T00:00:00Z"),
    });
    peerSource.set = { ...peerSource.set, crls: [freshCrl, scenario.rootCrl] };
    const verdictId = await post(await quote(3, revoked));
    const view = (await net.waitSettled(url(0), verdictId)) as { status: string; error: { code: string } };
    expect(view).toMatchObject({ status: "rejected", error: { code: "CERT_REVOKED" } });
    expect(await refreshes(collector(), "CERT_REVOKED", "refused")).toBe(1);
  }, 60_000);
});

describe("a collector in batch mode heals too, once a refusal has made the verdict go on alone", () => {
  let net: NodeNetwork;
  let scenario: Scenario;
  let workloadId: Hex;
  let down: Server;

  beforeAll(async () => {
    scenario = await buildScenario({ tee: "sgx" });
    net = await startNodeNetwork({
      validatorWorkload: false,
      chainTimestamp: CHAIN_START,
      nodeConfig: (i) => (i === 0 ? { batch: { enabled: true, maxItems: 8, maxWaitMs: 200 } } : {}),
    });
    ({ workloadId } = await registerWorkload(net.clients, net.deployment, "platform-app", ""));
    await schedulePolicy(net.clients, net.deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["sgx"],
      acceptedTcbStatuses: ["UpToDate"],
      dev: true,
      allowUnboundEvidence: true,
    });
    await addMeasurement(net.clients, net.deployment, workloadId, 1, {
      tee: "sgx",
      mrenclave: MRENCLAVE,
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    down = createServer((req, res) => {
      req.resume().on("end", () => {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "NODE_UNAVAILABLE", message: "down", stage: "infrastructure" } }));
      });
    });
    await new Promise<void>((r) => down.listen(net.nodes[2]!.port, "127.0.0.1", r));
    const reissue = await signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      tcbInfoValue({
        id: "SGX",
        issueDate: new Date("2025-05-30T00:00:00Z"),
        nextUpdate: new Date("2025-06-29T00:00:00Z"),
        levels: defaultLevels("sgx"),
      }),
      [scenario.pki.tcbSigning, scenario.pki.root],
    );
    await net.startNode(0, { collateralProviders: [source(scenario.collateral)], unsafeTrustedRoots: scenario.roots });
    await net.startNode(1, {
      collateralProviders: [source({ ...scenario.collateral, intelDocuments: [reissue, scenario.qeIdentity] })],
      unsafeTrustedRoots: scenario.roots,
    });
  }, 90_000);

  afterAll(async () => {
    await new Promise<void>((r) => (down ? down.close(() => r()) : r()));
    down?.closeAllConnections();
    await net?.stop();
  });

  it("the batch is refused, its item goes on alone, is shown the newer TCB Info as stale, heals and finalizes", async () => {
    const posted = await net.post(net.nodes[0]!.url, {
      workloadId,
      evidence: Buffer.from(scenario.quote).toString("base64"),
      unbound: true,
    });
    expect(posted.status, JSON.stringify(posted.json)).toBe(202);
    const verdictId = posted.json.verdictId as Hex;
    const view = (await net.waitSettled(net.nodes[0]!.url, verdictId)) as { status: string; verdictId: Hex; mode: string };
    expect(view).toMatchObject({ status: "finalized", mode: "single" });
    expect(view.verdictId).not.toBe(verdictId);
    const node = net.nodes[0]!.node!;
    expect(await refreshes(node, "DCAP_TCB_INFO_STALE", "superseded")).toBe(1);
  }, 60_000);
});
