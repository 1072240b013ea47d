/**
 * `keepledger audit` end to end on the in-process chain: a verdict over a real SGX vector (unbound, on a
 * dev policy, with the chain's clock inside the vector's validity window) re-verifies as a match; the
 * same verdict with its stored evidence altered reports a mismatch; a bound debug-Keep verdict in a
 * batch re-derives too (binding, batch root, signatures). The test plays the node: it verifies and
 * appraises the evidence, stores it in the evidence store and has the validators sign.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { auditVerdict } from "../../src/audit/auditVerdict.ts";
import { policyInForceAt, workloadStateAt, type ScheduledPolicy } from "../../src/audit/workloadStateAt.ts";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { keepledgerClient, type KeepledgerClient } from "../../src/chain/keepledgerClient.ts";
import { fromChainPolicy } from "../../src/chain/policy.ts";
import { defaultPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import type { ChainClients } from "../../src/chain/transactions.ts";
import { bootstrapValidator, setThreshold } from "../../src/chain/validators.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { devAccounts } from "../../src/dev/devAccounts.ts";
import { quorumSignBatch, quorumSignVerdict } from "../../src/dev/quorum.ts";
import { createDebugEvidence } from "../../src/tee/debug/createDebugEvidence.ts";
import { EvidenceStore } from "../../src/evidenceStore/EvidenceStore.ts";
import {
  bindingHash,
  buildBatch,
  publicKey64,
  TCB_STATUS_CODES,
  TEE_KIND_CODES,
  unboundSubject,
  type Verdict,
} from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { appraiseVerdict, type EvidenceBinding } from "../../src/policy/appraiseVerdict.ts";
import type { ApprovedMeasurement } from "../../src/policy/types.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import type { Database } from "../../src/store/Database.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { runAudit } from "../../src/cli/commands/audit.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import { connectRegistryChain, type RegistryChain } from "../support/registry-chain.ts";
import { runScenario } from "../indexer/scenario.ts";

const VECTOR = ["sgx", "dcapqvl-sgx"] as const;
const quote = fixtureBytes(...VECTOR, "quote.bin");
// The separate collateral files, as a node stores what a Keep posted (the set's combined
// collateral.json carries the same TCB info, so a tampered tcb_info.json beside it would go unused).
const collateralFiles = readdirSync(fixturePath(...VECTOR))
  .filter((f) => f !== "quote.bin" && f !== "collateral.json")
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(fixturePath(...VECTOR, name))) }));

let chain: RegistryChain;
let clients: ChainClients;
let deployment: Deployment;
let client: KeepledgerClient;
let db: Database;
let evidenceStore: EvidenceStore;
let workloadId: Hex;
const validators = devAccounts("keepledger.audit.validator", 2);
const approved: ApprovedMeasurement[] = [];
let policy: WorkloadPolicy;

const chainNow = async () => Number((await chain.publicClient.getBlock()).timestamp);

/** What a validator node does with evidence: verify as of the chain's time, appraise, sign; the node also stores the evidence. */
async function issue(
  evidence: Uint8Array,
  binding: (evidenceHash: Hex) => EvidenceBinding,
  link: { subjectPublicKey: Hex | null; bindingContext: string; freshnessBlock: number },
  collateral = collateralFiles,
) {
  const now = await chainNow();
  const verified = await verifyEvidence(evidence, { at: new Date(now * 1000), collateral: staticCollateral(collateral) });
  const { verdict } = appraiseVerdict({
    workloadId,
    evidence: verified,
    policy: policy,
    measurements: approved,
    binding: binding(verified.evidenceHash),
    now,
  });
  const v: Verdict = {
    ...verdict,
    tee: TEE_KIND_CODES[verdict.tee],
    tcbStatus: TCB_STATUS_CODES[verdict.tcbStatus],
    subject: getAddress(verdict.subject),
    issuedAt: BigInt(verdict.issuedAt),
    expiresAt: BigInt(verdict.expiresAt),
    freshnessBlock: BigInt(verdict.freshnessBlock),
  };
  await evidenceStore.putEvidence(evidence, collateral);
  return { v, link: { evidenceHash: verified.evidenceHash, workloadId, ...link } };
}

beforeAll(async () => {
  const at = new Date(expectedOf(...VECTOR).verify_at);
  chain = await connectRegistryChain({ initialDate: new Date(at.getTime() - 600_000) });
  const owner = getAddress(chain.accounts[0] as Address);
  clients = { publicClient: chain.publicClient, walletClient: chain.walletClient(owner) };
  deployment = (await deployKeepledger(clients, { devPoliciesAllowed: true })).deployment;
  client = keepledgerClient(clients, deployment);
  workloadId = (await registerWorkload(clients, deployment, "audited", "")).workloadId;
  const verified = await verifyEvidence(quote, { at: new Date((await chainNow()) * 1000), collateral: staticCollateral(collateralFiles) });
  const claims = verified.claims as { mrenclave: Hex };
  const sgx = { tee: "sgx" as const, mrenclave: claims.mrenclave, mrsigner: `0x${"00".repeat(32)}` as Hex, isvProdId: 0, minIsvSvn: 0 };
  const debugMeasurement = keccak256(stringToBytes("audited debug build"));
  for (const [m, value] of [
    [sgx, `${claims.mrenclave}${"00".repeat(36)}`],
    [{ tee: "debug" as const, measurement: debugMeasurement }, debugMeasurement],
  ] as const) {
    const { measurementHash } = await addMeasurement(clients, deployment, workloadId, 1, m);
    approved.push({ hash: measurementHash, tee: m.tee, version: 1, revoked: false, value: value as Hex });
  }
  policy = {
    ...defaultPolicy(),
    allowedTees: ["sgx", "debug"],
    acceptedTcbStatuses: [verified.tcb.status, "NotApplicable"],
    dev: true,
    allowUnboundEvidence: true,
    verdictLifetime: 86_400,
  };
  await schedulePolicy(clients, deployment, workloadId, policy);
  for (const v of validators)
    await bootstrapValidator(clients, deployment, { address: v.address, endpoint: "https://v.example", loggingProfile: "production" });
  await setThreshold(clients, deployment, 2);
  db = openDatabase(":memory:");
  evidenceStore = await EvidenceStore.open(db);
});
afterAll(async () => {
  await db.close();
  await chain.close();
});

describe("auditing a verdict over a real SGX quote (unbound evidence, dev policy)", () => {
  let verdictId: Hex;
  beforeAll(async () => {
    const { v, link } = await issue(quote, (h) => ({ kind: "unbound", subject: unboundSubject(h) }), {
      subjectPublicKey: null,
      bindingContext: "keep",
      freshnessBlock: 0,
    });
    verdictId = (await client.finalizeVerdict(v, await quorumSignVerdict(validators, v, client.domain))).verdictId;
    await evidenceStore.linkVerdict({ verdictId, ...link });
    // Time passes: the audit happens later, and re-verifies as of the verdict's issuedAt.
    await chain.increaseTime(3 * 86_400);
  });

  it("re-derives every field and reports a match", async () => {
    const r = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore });
    expect(r.result).toBe("match");
    expect(r.fields.map((f) => f.field)).toEqual([
      "workloadId",
      "measurementHash",
      "tee",
      "tcbStatus",
      "subject",
      "evidenceHash",
      "collateralHash",
      "issuedAt",
      "expiresAt",
      "freshnessBlock",
      "verdictId",
    ]);
    expect(r.fields.every((f) => f.match && f.derived === f.onChain)).toBe(true);
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ["signatures recover to the signers", true],
      ["stored evidence hashes to the evidenceHash", true],
    ]);
    expect(r.evidence).toMatchObject({ tee: "sgx", size: quote.length });
    expect(r.record.kind).toBe("single");
  });

  it("answers through the CLI with exit status 0 and one JSON object", async () => {
    const out = await runAudit(verdictId, { json: true }, { chain: chain.provider, deployment, evidenceStore });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, result: "match", verdictId });
    const text = await runAudit(verdictId, {}, { chain: chain.provider, deployment, evidenceStore });
    expect(text.stdout).toContain("MATCH: every field of the on-chain verdict re-derives from the stored evidence.");
  });

  it("reports a mismatch when the stored evidence was altered", async () => {
    const altered = new Uint8Array(quote);
    altered[100] = altered[100]! ^ 0xff;
    const hash = keccak256(quote);
    await db.execute("UPDATE evidence_blob SET evidence = $1 WHERE evidence_hash = $2", [altered, hash]);
    try {
      const r = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore });
      expect(r.result).toBe("mismatch");
      expect(r.checks.find((c) => c.name === "stored evidence hashes to the evidenceHash")).toMatchObject({ ok: false });
      expect(r.error?.code ?? r.fields.find((f) => !f.match)?.field).toBeDefined();
      const cli = await runAudit(verdictId, {}, { chain: chain.provider, deployment, evidenceStore });
      expect(cli.exitCode).toBe(1);
      expect(cli.stdout).toContain("MISMATCH");
    } finally {
      await db.execute("UPDATE evidence_blob SET evidence = $1 WHERE evidence_hash = $2", [quote, hash]);
    }
  });

  it("reports a mismatch when the collateral behind the verdict was swapped", async () => {
    const hash = keccak256(quote);
    const [row] = await db.query<{ bytes: Uint8Array }>(
      "SELECT bytes FROM evidence_collateral WHERE evidence_hash = $1 AND name = 'tcb_info.json'",
      [hash],
    );
    const tampered = Buffer.from(row!.bytes).toString("utf8").replace('"tcbEvaluationDataNumber":', '"tcbEvaluationDataNumber": 1 + ');
    await db.execute("UPDATE evidence_collateral SET bytes = $1 WHERE evidence_hash = $2 AND name = 'tcb_info.json'", [
      new TextEncoder().encode(tampered),
      hash,
    ]);
    try {
      const r = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore });
      expect(r.result).toBe("mismatch");
    } finally {
      await db.execute("UPDATE evidence_collateral SET bytes = $1 WHERE evidence_hash = $2 AND name = 'tcb_info.json'", [row!.bytes, hash]);
    }
  });

  it("is unverifiable when the evidence store lacks the evidence, and a usage error for unknown or malformed ids", async () => {
    const empty = await EvidenceStore.open(openDatabase(":memory:"));
    const r = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore: empty });
    expect(r.result).toBe("unverifiable");
    expect((await runAudit(verdictId, {}, { chain: chain.provider, deployment, evidenceStore: empty })).exitCode).toBe(1);
    const unknown = await runAudit(`0x${"12".repeat(32)}`, { json: true }, { chain: chain.provider, deployment, evidenceStore });
    expect(unknown.exitCode).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, error: { code: "AUDIT_VERDICT_NOT_FOUND" } });
    expect((await runAudit("0x1234", {}, { chain: chain.provider, deployment, evidenceStore })).exitCode).toBe(2);
  });
});

describe("auditing a bound debug-Keep verdict in a batch", () => {
  it("re-derives the binding, the batch root and the signers", async () => {
    const keep = privateKeyToAccount(generatePrivateKey());
    const fresh = await chain.publicClient.getBlock();
    const binding = bindingHash({
      chainId: deployment.chainId,
      attestationRegistry: deployment.contracts.attestationRegistry,
      subjectPublicKey: publicKey64(keep.publicKey),
      blockHash: fresh.hash as Hex,
    });
    const measurement = approved[1]!.value;
    const evidence = createDebugEvidence({
      privateKey: generatePrivateKey(),
      measurement,
      reportData: reportDataFor("debug", binding),
      timestamp: Number(fresh.timestamp) * 1000,
    });
    const { v, link } = await issue(
      evidence,
      () => ({
        kind: "bound",
        subject: keep.address,
        bindingHash: binding,
        freshnessBlock: { number: Number(fresh.number), timestamp: Number(fresh.timestamp) },
      }),
      { subjectPublicKey: publicKey64(keep.publicKey), bindingContext: "keep", freshnessBlock: Number(fresh.number) },
      [],
    );
    const other = {
      ...v,
      subject: privateKeyToAccount(generatePrivateKey()).address,
      evidenceHash: keccak256(stringToBytes("another Keep")),
    };
    const group = {
      ...v,
      items: [other, v].map((x) => ({ subject: x.subject, evidenceHash: x.evidenceHash, freshnessBlock: x.freshnessBlock })),
    };
    const batch = buildBatch([group]);
    await client.finalizeBatch([group], await quorumSignBatch(validators, batch.root, batch.count, client.domain));
    const verdictId = batch.leaves[1]!;
    await evidenceStore.linkVerdict({ verdictId, ...link });
    const r = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore });
    expect(r.result).toBe("match");
    expect(r.record).toMatchObject({ kind: "batched", batch: { id: batch.root, leafIndex: 1, materialized: false } });
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
      ["signatures recover to the signers", true],
      ["batch root", true],
      ["stored evidence hashes to the evidenceHash", true],
    ]);
    expect(r.evidence).toMatchObject({ tee: "debug", debug: true });
    // A wrong public key in the evidence store no longer binds: the subject and policy check fail.
    await db.execute("UPDATE verdict_evidence SET subject_public_key = $1 WHERE verdict_id = $2", [
      publicKey64(privateKeyToAccount(generatePrivateKey()).publicKey),
      verdictId,
    ]);
    const wrong = await auditVerdict({ verdictId, chain: chain.provider, deployment, evidenceStore });
    expect(wrong).toMatchObject({ result: "mismatch", error: { code: "POLICY_BINDING_MISMATCH" } });
  });
});

describe("the policy in force at a time", () => {
  it("agrees with the contract's policyOf at every block of the scenario (delays, replacements)", async () => {
    const s = await runScenario();
    try {
      for (const workload of [s.workloads.oracle, s.workloads.bridge]) {
        const end = Number(await s.chain.publicClient.getBlockNumber());
        for (let block = Number(s.deployment.deployBlock) + 5; block <= end; block += 2) {
          const header = await s.chain.publicClient.getBlock({ blockNumber: BigInt(block) });
          const registered = await s.chain.publicClient.readContract({
            address: s.deployment.contracts.workloadRegistry,
            abi: workloadRegistryAbi,
            functionName: "workloadOf",
            args: [workload],
            blockNumber: BigInt(block),
          });
          if (BigInt(registered.owner) === 0n) continue;
          const [onChain, effectiveAt] = await s.chain.publicClient.readContract({
            address: s.deployment.contracts.workloadRegistry,
            abi: workloadRegistryAbi,
            functionName: "policyOf",
            args: [workload],
            blockNumber: BigInt(block),
          });
          const state = await workloadStateAt(s.chain.provider, s.deployment, workload, header.timestamp);
          expect(state.policy?.effectiveAt, `block ${block}`).toBe(effectiveAt);
          expect(state.policy!.policy, `block ${block}`).toEqual(fromChainPolicy(onChain));
        }
      }
    } finally {
      await s.close();
    }
  });

  it("applies the lazy rules: pending until effectiveAt, replaced if rescheduled before, at once with no delay", () => {
    const p = (n: number) => ({ ...defaultPolicy(), maxEvidenceAge: n });
    const s = (n: number, scheduledAt: number, effectiveAt: number): ScheduledPolicy => ({
      policy: p(n),
      scheduledAt: BigInt(scheduledAt),
      effectiveAt: BigInt(effectiveAt),
      blockNumber: scheduledAt,
    });
    const schedules = [s(1, 10, 10), s(2, 20, 100), s(3, 30, 130), s(4, 200, 200)];
    const at = (t: number) => policyInForceAt(schedules, BigInt(t))?.policy.maxEvidenceAge ?? 0;
    expect([at(5), at(10), at(99), at(100), at(129), at(130), at(199), at(200)]).toEqual([0, 1, 1, 1, 1, 3, 3, 4]);
  });
});
