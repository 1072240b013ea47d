/**
 * Collateral independence and freshness (issue 10 §1), against adversaries built with the DCAP test
 * signer: a collector (or a Keep's host) that sends older collateral still inside its nextUpdate window,
 * a forged TCB Info in a collateral source, and validators whose own sources are down. Every validator
 * appraises with its own sources merged with what it was sent, keeps a floor of the newest documents it
 * has verified, and never signs on collateral it holds stale or cannot compare.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { defaultPolicy } from "../../src/policy/types.ts";
import type { CollateralProvider, CollateralSet } from "../../src/collateral/types.ts";
import { InfrastructureError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { keepledgerDomain, tcbStatusCode } from "@keepledger/sdk/internal/ids/index";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { Appraiser, type Appraisal } from "../../src/node/appraisal/appraiseSubmission.ts";
import { collateralSetToFiles } from "../../src/node/appraisal/collateralFiles.ts";
import { HealedCollateral } from "../../src/node/appraisal/HealedCollateral.ts";
import { supersedingFromDetails, supersedingToJson } from "../../src/node/appraisal/supersedingDocuments.ts";
import { errorJson } from "../../src/node/errorJson.ts";
import { CollateralHealer, isSupersedingRefusal } from "../../src/node/outbox/CollateralHealer.ts";
import type { PeerRefusal } from "../../src/node/peer/peerProtocol.ts";
import { createVerdictSigner } from "../../src/node/quorum/verdictSigner.ts";
import type { ChainState } from "../../src/node/chain/chainState.ts";
import { createNodeLogger } from "../../src/node/logging/createNodeLogger.ts";
import { createNodeMetrics } from "../../src/node/nodeMetrics.ts";
import { encodeSubmissions } from "../../src/node/peer/peerProtocol.ts";
import { signedRecordOf } from "../../src/node/appraisal/appraisalRecords.ts";
import { PeerService } from "../../src/node/peer/PeerService.ts";
import { CollateralFloorStore } from "../../src/node/store/CollateralFloorStore.ts";
import { NodeStore } from "../../src/node/store/NodeStore.ts";
import { TcbRecovery } from "../../src/node/tcb/tcbRecovery.ts";
import { verdictToJson, type Submission } from "../../src/node/types.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import type { ApprovedMeasurement } from "../../src/policy/types.ts";
import { verifyTcbInfoDocument } from "../../src/tee/dcap/verifyIntelDocument.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { DEFAULT_ADAPTERS } from "../../src/tee/table.ts";
import {
  buildQuote,
  buildScenario,
  createIntelTestPki,
  defaultLevels,
  issuePckCertificate,
  DEFAULT_FMSPC,
  DEFAULT_PCE_ID,
  DEFAULT_TCB,
  SCENARIO_AT,
  signIntelJson,
  tcbInfoValue,
  type Scenario,
} from "../support/dcapTestSigner.ts";
import { createCrl } from "../support/testPki.ts";

const AT = BigInt(SCENARIO_AT.getTime() / 1000);
const WORKLOAD = keccak256(stringToBytes("collateral adversaries"));
const MEASUREMENT: ApprovedMeasurement = {
  hash: keccak256(stringToBytes("m")),
  tee: "sgx",
  version: 1,
  revoked: false,
  value: `0x${"11".repeat(32)}${"00".repeat(36)}`,
};

function chainAt(tcbGracePeriod = 0): ChainState {
  const policy = {
    ...defaultPolicy(),
    allowedTees: ["sgx"],
    acceptedTcbStatuses: ["UpToDate"],
    dev: true,
    allowUnboundEvidence: true,
    tcbGracePeriod: tcbGracePeriod,
  };
  return {
    now: () => AT,
    head: () => ({ number: 10n, hash: `0x${"ab".repeat(32)}`, timestamp: AT }),
    workload: async () => ({ workloadId: WORKLOAD, policy, policyEffectiveAt: 0n, pendingEffectiveAt: 0n, measurements: [MEASUREMENT] }),
    // No designated validator workload: these are ordinary Keep submissions.
    validatorSet: async () => ({ validatorWorkload: `0x${"00".repeat(32)}`, validators: new Map(), threshold: 2 }),
    revocations: async () => ({ subjectRevoked: false, revokedPlatforms: [] }),
  } as unknown as ChainState;
}

/** A collateral source whose answer (or outage) a test changes. */
function source(set: CollateralSet): CollateralProvider & { set: CollateralSet; down: boolean; calls: number } {
  const s = {
    name: "test PCS",
    set,
    down: false,
    calls: 0,
    async fetch() {
      s.calls++;
      if (s.down) throw new InfrastructureError("COLLATERAL_UNAVAILABLE", "test PCS is down");
      return s.set;
    },
  };
  return s;
}

interface Validator {
  appraiser: Appraiser;
  floor: CollateralFloorStore;
  source: ReturnType<typeof source>;
  scenario: Scenario;
}

async function validator(scenario: Scenario, own: CollateralSet, tcbGracePeriod = 0): Promise<Validator> {
  const floor = await CollateralFloorStore.open(openDatabase(":memory:"));
  const src = source(own);
  const appraiser = new Appraiser({
    chain: chainAt(tcbGracePeriod),
    metrics: createNodeMetrics(),
    providers: [src],
    floor,
    unsafeTrustedRoots: scenario.roots,
  });
  return { appraiser, floor, source: src, scenario };
}

const submission = (quote: Uint8Array, collateral: Submission["collateral"] = []): Submission => ({
  workloadId: WORKLOAD,
  evidence: quote,
  subjectPublicKey: null,
  freshnessBlock: 0n,
  context: "keep",
  collateral,
});

async function codeOf(run: Promise<unknown>): Promise<{ code: string; retryable: boolean; details: Record<string, unknown> }> {
  try {
    await run;
  } catch (error) {
    if (isKeepledgerError(error)) return { code: error.code, retryable: error.retryable, details: error.details };
    throw error;
  }
  throw new Error("expected a refusal, the appraisal succeeded");
}

/** The documents a refusal shows (details.superseding), read as a collector reads them. */
function shown(details: Record<string, unknown>): CollateralSet {
  return staticCollateral(supersedingFromDetails(details)).collateral;
}

/** Collateral files a collector sends its peers: the scenario's collateral with some documents replaced. */
function filesOf(a: Appraisal): Submission["collateral"] {
  return a.collateral;
}

describe("collateral independence and freshness", () => {
  it("honest path: collector and peer, each with its own sources, verify and reach the same collateralHash", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const collector = await validator(scenario, scenario.collateral);
    const peer = await validator(scenario, scenario.collateral);
    const mine = await collector.appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const theirs = await peer.appraiser.appraise(submission(scenario.quote, filesOf(mine)), {
      role: "peer",
      issuedAt: mine.verdict.issuedAt,
    });
    expect(theirs.verdict.collateralHash).toBe(mine.verdict.collateralHash);
    expect(theirs.verdictId).toBe(mine.verdictId);
    expect(peer.source.calls).toBeGreaterThan(0);
    expect(peer.floor.newest(`tcbInfo:SGX:${DEFAULT_FMSPC}`)?.number).toBe(17);
  });

  it("a malicious collector's older, unexpired PCK CRL from before a PCK revocation: a peer with the fresh CRL refuses (CRL_STALE)", async () => {
    const pki = await createIntelTestPki();
    const scenario = await buildScenario({ tee: "sgx", pki });
    // The PCK certificate the collector vouches for is revoked by the CRL of 2025-05-25.
    const revoked = await issuePckCertificate(pki.platformCa, { fmspc: DEFAULT_FMSPC, pceId: DEFAULT_PCE_ID, ...DEFAULT_TCB });
    const quote = (await buildQuote({ tee: "sgx", pckLeaf: revoked, pckChain: [revoked, pki.platformCa, pki.root] })).bytes;
    const freshCrl = await createCrl(pki.platformCa, [revoked.cert.serial], {
      thisUpdate: new Date("2025-05-25T00:00:00Z"),
      nextUpdate: new Date("2025-06-25T00:00:00Z"),
    });
    const fresh: CollateralSet = { ...scenario.collateral, crls: [freshCrl, scenario.rootCrl] };
    const peer = await validator(scenario, fresh);
    // The peer has verified the fresh CRL before (another platform's quote): it is its floor.
    await peer.appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const crlKey = [...peer.floor.floor().keys()].find((k) => k.startsWith(`crl:${pki.platformCa.cert.subject}#`))!;
    expect(peer.floor.newest(crlKey)?.issued).toEqual(new Date("2025-05-25T00:00:00Z"));

    // The collector sends the old CRL of 2025-05-20 (nextUpdate 2025-06-20: still "valid").
    const stale = await validator(scenario, scenario.collateral);
    const proposed = await stale.appraiser.appraise(submission(quote), { role: "collector" });
    const refusal = await codeOf(
      peer.appraiser.appraise(submission(quote, filesOf(proposed)), { role: "peer", issuedAt: proposed.verdict.issuedAt }),
    );
    expect(refusal.code).toBe("CRL_STALE");
    expect(refusal.details).toMatchObject({ got: { issued: "2025-05-20T00:00:00.000Z" }, newest: { issued: "2025-05-25T00:00:00.000Z" } });
    // The refusal shows the collector the newer CRL it rests on.
    expect(shown(refusal.details).crls.map((c) => c.fingerprint)).toEqual([freshCrl.fingerprint]);
  });

  it("a peer whose own source has the fresh, revoking CRL it has not verified yet still refuses the collector's old one (CERT_REVOKED)", async () => {
    const pki = await createIntelTestPki();
    const scenario = await buildScenario({ tee: "sgx", pki });
    const freshCrl = await createCrl(pki.platformCa, [scenario.pckLeaf.cert.serial], {
      thisUpdate: new Date("2025-05-25T00:00:00Z"),
      nextUpdate: new Date("2025-06-25T00:00:00Z"),
    });
    const peer = await validator(scenario, { ...scenario.collateral, crls: [freshCrl, scenario.rootCrl] });
    const collector = await validator(scenario, scenario.collateral);
    const proposed = await collector.appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const refusal = await codeOf(
      peer.appraiser.appraise(submission(scenario.quote, filesOf(proposed)), { role: "peer", issuedAt: proposed.verdict.issuedAt }),
    );
    expect(refusal.code).toBe("CERT_REVOKED");
    expect(shown(refusal.details).crls.map((c) => c.fingerprint)).toEqual([freshCrl.fingerprint]);
  });

  it("pre-TCB-recovery TCB Info (a lower tcbEvaluationDataNumber) is refused: as stale against the floor, as superseded against the peer's own source", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const tcb18 = await signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({
          id: "SGX",
          issueDate: new Date("2025-05-28T00:00:00Z"),
          nextUpdate: new Date("2025-06-27T00:00:00Z"),
          levels: defaultLevels("sgx"),
        }),
        tcbEvaluationDataNumber: 18,
      },
      [scenario.pki.tcbSigning, scenario.pki.root],
    );
    const recovered: CollateralSet = { ...scenario.collateral, intelDocuments: [tcb18, scenario.qeIdentity] };
    const collector = await validator(scenario, scenario.collateral);
    const proposed = await collector.appraiser.appraise(submission(scenario.quote), { role: "collector" });

    // A peer whose own source serves TCB Info 18, not verified before: superseded, naming both.
    const fresh = await validator(scenario, recovered);
    const superseded = await codeOf(
      fresh.appraiser.appraise(submission(scenario.quote, filesOf(proposed)), { role: "peer", issuedAt: proposed.verdict.issuedAt }),
    );
    expect(superseded.code).toBe("COLLATERAL_SUPERSEDED");
    expect(superseded.details).toMatchObject({ document: `tcbInfo:SGX:${DEFAULT_FMSPC}`, sent: { number: 17 }, newest: { number: 18 } });
    expect(shown(superseded.details).intelDocuments.map((d) => Buffer.from(d.body).toString())).toEqual([
      Buffer.from(tcb18.body).toString(),
    ]);
    // It verified 18 on the way: its floor moved, and the next proposal under 17 is stale outright.
    expect(fresh.floor.newest(`tcbInfo:SGX:${DEFAULT_FMSPC}`)?.number).toBe(18);
    const stale = await codeOf(
      fresh.appraiser.appraise(submission(scenario.quote, filesOf(proposed)), { role: "peer", issuedAt: proposed.verdict.issuedAt }),
    );
    expect(stale.code).toBe("DCAP_TCB_INFO_STALE");
    expect(stale.details).toMatchObject({
      got: { number: 17, issued: "2025-05-15T00:00:00.000Z" },
      newest: { number: 18, issued: "2025-05-28T00:00:00.000Z" },
    });
  });

  it("a Keep's host posting stale files: the collector verifies with its own newer ones, and refuses them when its source is down", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const tcb18 = await signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({
          id: "SGX",
          issueDate: new Date("2025-05-28T00:00:00Z"),
          nextUpdate: new Date("2025-06-27T00:00:00Z"),
          levels: defaultLevels("sgx"),
        }),
        tcbEvaluationDataNumber: 18,
      },
      [scenario.pki.tcbSigning, scenario.pki.root],
    );
    const collector = await validator(scenario, { ...scenario.collateral, intelDocuments: [tcb18, scenario.qeIdentity] });
    const posted = filesOf(
      await (await validator(scenario, scenario.collateral)).appraiser.appraise(submission(scenario.quote), { role: "collector" }),
    );
    const own = await collector.appraiser.appraise(submission(scenario.quote, posted), { role: "collector" });
    expect(own.verified.platform.tcbEvaluationDataNumber).toBe(18);

    // Its source down, the posted TCB Info 17 is below its floor (18): refused, retryably — the source's outage is the reason.
    collector.source.down = true;
    const refusal = await codeOf(collector.appraiser.appraise(submission(scenario.quote, posted), { role: "collector" }));
    expect(refusal).toMatchObject({ code: "COLLATERAL_UNAVAILABLE", retryable: true });
  });

  it("a forged TCB Info (bad signature) with a higher tcbEvaluationDataNumber never moves the floor or TCB recovery", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const forged = await signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({
          id: "SGX",
          issueDate: new Date("2025-05-30T00:00:00Z"),
          nextUpdate: new Date("2025-06-29T00:00:00Z"),
          levels: defaultLevels("sgx"),
        }),
        tcbEvaluationDataNumber: 99,
      },
      [scenario.pki.tcbSigning, scenario.pki.root],
    );
    const signature = new Uint8Array(forged.signature);
    signature[5]! ^= 0x01;
    const bogus = { ...forged, signature };
    const db = openDatabase(":memory:");
    const store = await NodeStore.open(db);
    const floor = await CollateralFloorStore.open(db);
    // The validator's own collateral store holds the forged document.
    const own = source({ ...scenario.collateral, intelDocuments: [bogus, scenario.qeIdentity] });
    const recovery = new TcbRecovery({
      store,
      floor,
      chain: chainAt(),
      log: createNodeLogger({ profile: "debug", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      metrics: createNodeMetrics(),
      providers: [own],
      adapters: DEFAULT_ADAPTERS,
      refreshIntervalMs: 60_000,
      verify: (evidence, files, at) =>
        verifyEvidence(evidence, {
          at,
          collateral: { name: "files", fetch: async () => scenario.collateral },
          trustedRoots: scenario.roots,
        }),
      verifyTcbInfo: (document, set, at) => verifyTcbInfoDocument(document, { collateral: set, at, roots: scenario.roots }),
    });
    const appraiser = new Appraiser({
      chain: chainAt(),
      metrics: createNodeMetrics(),
      providers: [own],
      floor,
      unsafeTrustedRoots: scenario.roots,
      onVerifiedTcbInfo: (documents) => void recovery.observe(documents),
    });
    const key = `tcbInfo:SGX:${DEFAULT_FMSPC}`;
    // As a collector it picks the forged (newest-looking) document, which does not verify: refused, nothing recorded.
    expect((await codeOf(appraiser.appraise(submission(scenario.quote), { role: "collector" }))).code).toBe(
      "DCAP_COLLATERAL_SIGNATURE_INVALID",
    );
    expect(floor.newest(key)).toBeUndefined();
    expect(await store.tcb.tcbInfo("sgx", DEFAULT_FMSPC)).toBeUndefined();

    // As a peer sent honest TCB Info 17 it finds the forged 99 unproven and signs under 17.
    const honest = await (
      await validator(scenario, scenario.collateral)
    ).appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const signed = await appraiser.appraise(submission(scenario.quote, filesOf(honest)), {
      role: "peer",
      issuedAt: honest.verdict.issuedAt,
    });
    expect(signed.verdictId).toBe(honest.verdictId);
    await recovery.settled();
    expect(floor.newest(key)?.number).toBe(17);
    expect((await store.tcb.tcbInfo("sgx", DEFAULT_FMSPC))?.evaluationDataNumber).toBe(17);

    // TCB recovery's periodic refresh fetches the forged 99 for the live verdict's platform: it does not verify, so it is not recorded.
    await store.keepSigned([
      {
        evidence: signed.evidence,
        collateral: signed.collateral,
        link: {
          verdictId: signed.verdictId,
          evidenceHash: signed.evidenceHash,
          workloadId: WORKLOAD,
          subjectPublicKey: null,
          bindingContext: "keep",
          freshnessBlock: 0,
        },
        signed: signedRecordOf(signed),
      },
    ]);
    const fetches = own.calls;
    await recovery.refresh();
    expect(own.calls).toBeGreaterThan(fetches);
    expect(floor.newest(key)?.number).toBe(17);
    expect((await store.tcb.tcbInfo("sgx", DEFAULT_FMSPC))?.evaluationDataNumber).toBe(17);
    await db.close();
  });

  it("a validator whose sources are down and whose floor cannot vouch for the offered collateral refuses, retryably, and signs nothing", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const collector = await validator(scenario, scenario.collateral);
    const proposed = await collector.appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const peer = await validator(scenario, scenario.collateral);
    peer.source.down = true;
    let signatures = 0;
    const signer = { signVerdict: async () => (signatures++, { signer: "0x", signature: "0x" }) } as unknown as ReturnType<
      typeof createVerdictSigner
    >;
    const db = openDatabase(":memory:");
    const service = new PeerService({
      appraiser: peer.appraiser,
      signer,
      store: await NodeStore.open(db),
      chain: chainAt(),
      log: createNodeLogger({ profile: "debug", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      metrics: createNodeMetrics(),
      maxIssuedAtSkewSeconds: 120,
    });
    const { wire, blobs } = encodeSubmissions([submission(scenario.quote, filesOf(proposed))]);
    const refusal = await codeOf(
      service.signVerdict("0x0000000000000000000000000000000000000001", {
        verdict: verdictToJson(proposed.verdict),
        submission: wire[0]!,
        blobs,
      }),
    );
    expect(refusal).toMatchObject({ code: "COLLATERAL_FRESHNESS_UNKNOWN", retryable: true });
    expect(signatures).toBe(0);

    // Once its floor holds those very documents (verified while its source was up), it can compare and signs.
    peer.source.down = false;
    await peer.appraiser.appraise(submission(scenario.quote, filesOf(proposed)), { role: "peer", issuedAt: proposed.verdict.issuedAt });
    peer.source.down = true;
    await service.signVerdict("0x0000000000000000000000000000000000000001", {
      verdict: verdictToJson(proposed.verdict),
      submission: wire[0]!,
      blobs,
    });
    expect(signatures).toBe(1);
    expect(proposed.verdict.tcbStatus).toBe(tcbStatusCode("UpToDate"));
    await db.close();
  });
});

describe("the collector's heal when peers refuse its collateral (CollateralHealer)", () => {
  const quiet = () => createNodeLogger({ profile: "debug", destination: new Writable({ write: (_c, _e, cb) => cb() }) });

  /** A collector (own store, floor, source, signer) with one pending verdict it proposed under its own collateral. */
  async function collectorWithPending(scenario: Scenario, own: CollateralSet, quote = scenario.quote) {
    const db = openDatabase(":memory:");
    const store = await NodeStore.open(db);
    const floor = await CollateralFloorStore.open(db);
    const src = Object.assign(source(own), { refreshes: 0 });
    const refreshing: CollateralProvider = { name: src.name, fetch: src.fetch, refresh: () => void src.refreshes++ };
    const metrics = createNodeMetrics({ defaultMetrics: false });
    const healed = new HealedCollateral();
    const appraiser = new Appraiser({
      chain: chainAt(),
      metrics,
      providers: [refreshing, healed],
      floor,
      unsafeTrustedRoots: scenario.roots,
    });
    const signer = createVerdictSigner(
      privateKeyToAccount(keccak256(stringToBytes("collector"))),
      keepledgerDomain(31337, "0x0000000000000000000000000000000000000aa1"),
    );
    const healer = new CollateralHealer({ appraiser, store, signer, log: quiet(), metrics, healed });
    const a = await appraiser.appraise(submission(quote), { role: "collector" });
    const ownSignature = await signer.signVerdict(a.verdict);
    await store.accept({
      requestId: a.requestId,
      workloadId: WORKLOAD,
      source: "http",
      verdictId: a.verdictId,
      verdict: verdictToJson(a.verdict),
      mode: "single",
      evidence: a.evidence,
      collateral: a.collateral,
      link: {
        verdictId: a.verdictId,
        evidenceHash: a.evidenceHash,
        workloadId: WORKLOAD,
        subjectPublicKey: null,
        bindingContext: "keep",
        freshnessBlock: 0,
      },
      signed: signedRecordOf(a),
      signature: ownSignature,
    });
    const record = (await store.verdict(a.verdictId))!;
    const sent = { ...submission(quote), collateral: a.collateral };
    const outcomes = async () =>
      Object.fromEntries((await metrics.collateralRefreshes.get()).values.map((v) => [`${v.labels.reason}/${v.labels.outcome}`, v.value]));
    return { db, store, floor, source: src, healer, appraiser, healed, appraisal: a, record, sent, outcomes };
  }

  /** What a peer with `own` collateral answers the proposal, as it travels (JSON). */
  async function peerRefusal(scenario: Scenario, own: CollateralSet, proposal: Appraisal, sent: Submission) {
    const peer = await validator(scenario, own);
    try {
      await peer.appraiser.appraise(sent, { role: "peer", issuedAt: proposal.verdict.issuedAt });
    } catch (error) {
      return {
        peer: "0x0000000000000000000000000000000000000002",
        refusal: JSON.parse(JSON.stringify({ error: errorJson(error) })) as PeerRefusal,
      };
    }
    throw new Error("expected the peer to refuse");
  }

  const reissued = async (scenario: Scenario, issueDate: string, number?: number) =>
    signIntelJson(
      scenario.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({
          id: "SGX",
          issueDate: new Date(issueDate),
          nextUpdate: new Date("2025-06-29T00:00:00Z"),
          levels: defaultLevels("sgx"),
        }),
        ...(number ? { tcbEvaluationDataNumber: number } : {}),
      },
      [scenario.pki.tcbSigning, scenario.pki.root],
    );

  it("verifies the documents a peer shows, moves its floor and supersedes the pending verdict once", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const newer: CollateralSet = {
      ...scenario.collateral,
      intelDocuments: [await reissued(scenario, "2025-05-30T00:00:00Z"), scenario.qeIdentity],
    };
    const c = await collectorWithPending(scenario, scenario.collateral);
    const refusal = await peerRefusal(scenario, newer, c.appraisal, c.sent);
    expect(refusal.refusal.error.code).toBe("COLLATERAL_SUPERSEDED");
    expect(isSupersedingRefusal(refusal.refusal)).toBe(true);

    const outcome = await c.healer.heal(c.record, c.sent, [refusal]);
    expect(outcome?.kind).toBe("superseded");
    if (outcome?.kind !== "superseded") return;
    expect(outcome.verdict.collateralHash).not.toBe(c.appraisal.verdict.collateralHash);
    expect(c.floor.newest(`tcbInfo:SGX:${DEFAULT_FMSPC}`)?.issued).toEqual(new Date("2025-05-30T00:00:00Z"));
    expect(c.source.refreshes).toBeGreaterThan(0);
    expect(await c.store.verdict(c.record.verdictId)).toMatchObject({
      state: "superseded",
      error: { code: "NODE_VERDICT_SUPERSEDED", details: { supersededBy: outcome.verdictId } },
    });
    expect((await c.store.request(c.record.requestId))?.verdictId).toBe(outcome.verdictId);
    // The peer now signs the new proposal: the same verdict from its own appraisal.
    const peer = await validator(scenario, newer);
    const theirs = await peer.appraiser.appraise(outcome.submission, { role: "peer", issuedAt: outcome.verdict.issuedAt });
    expect(theirs.verdictId).toBe(outcome.verdictId);
    // Its own source still serves the older TCB Info, now below its floor: the healed document keeps the
    // next submission of the platform from being refused as stale.
    const next = await buildQuote({
      tee: "sgx",
      pckLeaf: scenario.pckLeaf,
      pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
      sgxBody: { reportData: new Uint8Array(64).fill(7) },
    });
    const later = await c.appraiser.appraise(submission(next.bytes), { role: "collector" });
    expect(later.verified.collateralUsed?.find((u) => u.key === `tcbInfo:SGX:${DEFAULT_FMSPC}`)?.issued).toEqual(
      new Date("2025-05-30T00:00:00Z"),
    );
    // The same refusal again, for the old (now superseded) record: nothing is written twice.
    expect((await c.healer.heal(c.record, c.sent, [refusal]))?.kind).toBe("unchanged");
    expect(await c.outcomes()).toMatchObject({ "COLLATERAL_SUPERSEDED/superseded": 1 });
    await c.db.close();
  });

  it("ignores a forged superseding document, leaves floor and verdict alone, and stops after two re-appraisals", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const forged = await reissued(scenario, "2025-05-30T00:00:00Z", 99);
    const signature = new Uint8Array(forged.signature);
    signature[5]! ^= 0x01;
    const files = collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [{ ...forged, signature }] });
    const lie = {
      peer: "0x0000000000000000000000000000000000000003",
      refusal: { error: { code: "COLLATERAL_SUPERSEDED", message: "superseded", details: { superseding: supersedingToJson(files) } } },
    };
    const c = await collectorWithPending(scenario, scenario.collateral);
    const key = `tcbInfo:SGX:${DEFAULT_FMSPC}`;
    const floorBefore = c.floor.newest(key);

    expect(await c.healer.heal(c.record, c.sent, [lie])).toEqual({ kind: "unchanged" });
    expect(await c.healer.heal(c.record, c.sent, [lie])).toEqual({ kind: "unchanged" });
    const fetches = c.source.calls;
    expect(await c.healer.heal(c.record, c.sent, [lie])).toEqual({ kind: "unchanged" });
    expect(c.source.calls).toBe(fetches); // the third is not re-appraised at all
    expect(await c.outcomes()).toEqual({ "COLLATERAL_SUPERSEDED/unchanged": 2, "COLLATERAL_SUPERSEDED/limit": 1 });
    expect(c.floor.newest(key)).toEqual(floorBefore);
    expect(c.healed.size).toBe(0);
    expect((await c.store.verdict(c.record.verdictId))?.state).toBe("pending");
    await c.db.close();
  });

  it("a genuine document shown beside a forged one by another peer still heals", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const forged = await reissued(scenario, "2025-05-31T00:00:00Z", 99);
    const lie = {
      peer: "0x0000000000000000000000000000000000000003",
      refusal: {
        error: {
          code: "COLLATERAL_SUPERSEDED",
          message: "x",
          details: {
            superseding: supersedingToJson(
              collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [{ ...forged, signature: new Uint8Array(64) }] }),
            ),
          },
        },
      },
    };
    const newer: CollateralSet = {
      ...scenario.collateral,
      intelDocuments: [await reissued(scenario, "2025-05-30T00:00:00Z"), scenario.qeIdentity],
    };
    const c = await collectorWithPending(scenario, scenario.collateral);
    const honest = await peerRefusal(scenario, newer, c.appraisal, c.sent);
    expect((await c.healer.heal(c.record, c.sent, [lie, honest]))?.kind).toBe("superseded");
    await c.db.close();
  });

  it('a refusal code keepledger does not declare is counted as reason "other" (peers do not mint metric labels)', async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const newer: CollateralSet = {
      ...scenario.collateral,
      intelDocuments: [await reissued(scenario, "2025-05-30T00:00:00Z"), scenario.qeIdentity],
    };
    const c = await collectorWithPending(scenario, scenario.collateral);
    const honest = await peerRefusal(scenario, newer, c.appraisal, c.sent);
    const odd = { ...honest, refusal: { error: { ...honest.refusal.error, code: `MADE_UP_${"X".repeat(40)}` } } };
    expect((await c.healer.heal(c.record, c.sent, [odd]))?.kind).toBe("superseded");
    expect(await c.outcomes()).toEqual({ "other/superseded": 1 });
    await c.db.close();
  });

  it("refuses the evidence with CERT_REVOKED when the superseding CRL revokes its PCK certificate", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const freshCrl = await createCrl(scenario.pki.platformCa, [scenario.pckLeaf.cert.serial], {
      thisUpdate: new Date("2025-05-25T00:00:00Z"),
      nextUpdate: new Date("2025-06-25T00:00:00Z"),
    });
    const c = await collectorWithPending(scenario, scenario.collateral);
    const refusal = await peerRefusal(scenario, { ...scenario.collateral, crls: [freshCrl, scenario.rootCrl] }, c.appraisal, c.sent);
    expect(refusal.refusal.error.code).toBe("CERT_REVOKED");
    const outcome = await c.healer.heal(c.record, c.sent, [refusal]);
    expect(outcome).toMatchObject({ kind: "refused", error: { code: "CERT_REVOKED" } });
    await c.db.close();
  });

  it("leaves other refusals alone; with its own source down it cannot compare the shown document and retries later", async () => {
    const scenario = await buildScenario({ tee: "sgx" });
    const c = await collectorWithPending(scenario, scenario.collateral);
    const disagrees = {
      peer: "0x0000000000000000000000000000000000000002",
      refusal: { error: { code: "NODE_PEER_DISAGREES", message: "no" } },
    };
    expect(await c.healer.heal(c.record, c.sent, [disagrees])).toBeUndefined();
    expect(await c.outcomes()).toEqual({});
    // A peer whose floor already holds the reissue refuses as stale, showing it.
    const newer: CollateralSet = {
      ...scenario.collateral,
      intelDocuments: [await reissued(scenario, "2025-05-30T00:00:00Z"), scenario.qeIdentity],
    };
    const peer = await validator(scenario, newer);
    await peer.appraiser.appraise(submission(scenario.quote), { role: "collector" });
    const stale = await codeOf(peer.appraiser.appraise(c.sent, { role: "peer", issuedAt: c.appraisal.verdict.issuedAt }));
    expect(stale.code).toBe("DCAP_TCB_INFO_STALE");
    const refusal = {
      peer: "0x0000000000000000000000000000000000000002",
      refusal: { error: { code: stale.code, message: "stale", details: stale.details } },
    };
    c.source.down = true;
    expect(await c.healer.heal(c.record, c.sent, [refusal])).toEqual({ kind: "retry" });
    expect(await c.outcomes()).toEqual({ "DCAP_TCB_INFO_STALE/retry": 1 });
    c.source.down = false;
    expect((await c.healer.heal(c.record, c.sent, [refusal]))?.kind).toBe("superseded");
    await c.db.close();
  });
});
