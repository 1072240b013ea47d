/**
 * Every event kind the contracts emit lands as the entity docs/registry.md says, on SQLite and on
 * PostgreSQL: the scenario (scenario.ts) emits all of them but ValidatorPruned, which needs a full
 * validator set and has its own test below.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { connectInProcessChain } from "../../src/chain/inProcessChain.ts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import { addValidator, bootstrapValidator, removeValidator } from "../../src/chain/validators.ts";
import { devAccounts } from "../../src/dev/devAccounts.ts";
import { unboundSubject } from "@keepledger/sdk/internal/ids/index";
import { encodeMeasurementValue } from "@keepledger/sdk/internal/tee/kindFacts";
import { CONTRACT_ABIS, createLogDecoder, type ContractName, type RawLog } from "../../src/indexer/decodeLogs.ts";
import { entityModel, type EntityData } from "../../src/indexer/entityModel.ts";
import { EntityBatch } from "../../src/indexer/EntityStore.ts";
import { EVENT_HANDLERS, IGNORED_EVENTS } from "../../src/indexer/handlers/index.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import { eventId, keyReleaseEntityId, keyVersionEntityId, measurementEntityId, policyEntityId } from "../../src/indexer/entityIds.ts";
import { receiptLeaf } from "@keepledger/sdk/internal/ids/index";
import { keyRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import type { Database } from "../../src/store/Database.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { runScenario, type Scenario } from "./scenario.ts";

const model = entityModel();
let scenario: Scenario;
let logs: RawLog[];

beforeAll(async () => {
  scenario = await runScenario();
  const d = scenario.deployment.contracts;
  logs = (await scenario.chain.provider.request({
    method: "eth_getLogs",
    params: [
      {
        address: [d.workloadRegistry, d.validatorSet, d.attestationRegistry, d.cpakAllowList!, d.keyRegistry!],
        fromBlock: "0x0",
        toBlock: "latest",
      },
    ],
  })) as RawLog[];
});
afterAll(() => scenario.close());

describe("the scenario", () => {
  it("has a handler for every event of the four ABIs (EIP712DomainChanged is never emitted)", () => {
    for (const [contract, abi] of Object.entries(CONTRACT_ABIS)) {
      for (const item of abi) {
        if (item.type !== "event") continue;
        const handled = EVENT_HANDLERS[contract as ContractName][item.name] !== undefined || IGNORED_EVENTS.has(item.name);
        expect(handled, `${contract}.${item.name}`).toBe(true);
      }
    }
  });

  it("emits every event kind but ValidatorPruned and the role-admin and role-revocation variants it does not need", () => {
    const decoder = createLogDecoder(scenario.deployment);
    const seen = new Set(logs.map((l) => `${decoder.decode(l)!.contract}.${decoder.decode(l)!.eventName}`));
    const all = Object.entries(CONTRACT_ABIS).flatMap(([contract, abi]) =>
      abi.filter((i) => i.type === "event").map((i) => `${contract}.${(i as { name: string }).name}`),
    );
    const missing = all.filter((e) => !seen.has(e)).sort();
    // The admin-rules events are exercised on the WorkloadRegistry; the other two share the same code.
    const adminRules = [
      "DefaultAdminDelayChangeCanceled",
      "DefaultAdminDelayChangeScheduled",
      "DefaultAdminTransferCanceled",
      "DefaultAdminTransferScheduled",
    ];
    expect(missing).toEqual([
      ...adminRules.map((e) => `attestationRegistry.${e}`),
      "attestationRegistry.EIP712DomainChanged",
      "attestationRegistry.RoleAdminChanged",
      "attestationRegistry.RoleRevoked",
      ...adminRules.map((e) => `keyRegistry.${e}`),
      "keyRegistry.RoleAdminChanged",
      "keyRegistry.RoleRevoked",
      ...adminRules.map((e) => `validatorSet.${e}`),
      "validatorSet.RoleAdminChanged",
      "validatorSet.ValidatorPruned",
      "workloadRegistry.RoleAdminChanged",
      "workloadRegistry.RoleRevoked",
    ]);
  });
});

describe.each(TEST_DATABASES)("indexed entities on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  const get = async (entity: string, id: string): Promise<EntityData> => {
    const e = await new EntityBatch(db, model).load(entity, id.toLowerCase());
    if (!e) throw new Error(`no ${entity} ${id}`);
    return e;
  };
  const count = async (entity: string, where = "1 = 1", params: unknown[] = []) =>
    Number(
      (
        await db.query<{ n: number }>(
          `SELECT count(*) AS n FROM ${model.entity(entity).table} WHERE "_block_to" IS NULL AND ${where}`,
          params,
        )
      )[0]!.n,
    );

  beforeAll(async () => {
    ({ db, drop } = await store.open());
    const indexer = await createIndexer({ db, chain: scenario.chain.provider, deployment: scenario.deployment, pageSize: 7 });
    await indexer.catchUp();
  });
  afterAll(() => drop());

  it("WorkloadRegistered, WorkloadMetadataUpdated and the ownership transfer → Workload", async () => {
    const { oracle, bridge } = scenario.workloads;
    const o = await get("Workload", oracle);
    expect(o).toMatchObject({
      name: "oracle",
      owner: scenario.accounts.owner.toLowerCase(),
      metadataURI: "ipfs://oracle-v2",
      pendingOwner: null,
      policyCount: 2,
    });
    expect(o.createdAt).toBeGreaterThan(0n);
    const b = await get("Workload", bridge);
    // Accepted with a 7200 s policy delay: stored as of the event (previous owner, the new one pending with
    // its effectiveAt); the API resolves the owner in force at read time (test/api).
    expect(b).toMatchObject({
      owner: scenario.accounts.bridgeOwner.toLowerCase(),
      pendingOwner: scenario.accounts.newBridgeOwner.toLowerCase(),
      policyCount: 4,
    });
    expect(b.pendingOwnerEffectiveAt as bigint).toBeGreaterThan(b.createdAt as bigint);
    const history = await db.query<{ owner: string; pendingOwner: string | null }>(
      `SELECT "owner", "pendingOwner" FROM reg_workload WHERE "id" = $1 ORDER BY "_block_from"`,
      [bridge],
    );
    expect(history.map((h) => h.pendingOwner)).toContain(scenario.accounts.newBridgeOwner.toLowerCase());
  });

  it("MeasurementAdded and MeasurementRevoked → Measurement and a MEASUREMENT Revocation", async () => {
    const { oracle } = scenario.workloads;
    expect(await count("Measurement")).toBe(7);
    const tdxId = measurementEntityId(oracle, scenario.measurements.oracleTdx);
    const tdx = await get("Measurement", tdxId);
    expect(tdx).toMatchObject({
      workload: oracle,
      hash: scenario.measurements.oracleTdx,
      tee: "tdx",
      version: 1,
      serial: 2,
      revoked: true,
      revocation: tdxId,
    });
    expect(tdx.value).toBe(
      encodeMeasurementValue({
        tee: "tdx",
        mrtd: `0x${"a1".repeat(48)}`,
        rtmr0: `0x${"a2".repeat(48)}`,
        rtmr1: `0x${"a3".repeat(48)}`,
        rtmr2: `0x${"a4".repeat(48)}`,
        rtmr3: `0x${"00".repeat(48)}`,
      }),
    );
    expect(await get("Revocation", tdxId)).toMatchObject({
      kind: "MEASUREMENT",
      measurement: tdxId,
      workload: oracle,
      actor: scenario.accounts.owner.toLowerCase(),
      verdict: null,
    });
    // MeasurementSerialRevoked (AttestationRegistry) is the same act: no second Revocation.
    expect(await count("Revocation", `"kind" = 'MEASUREMENT'`)).toBe(1);
  });

  it("CpakAllowed and CpakDisallowed → AllowedCpak (the workload's Arm CCA platform keys)", async () => {
    const { oracle } = scenario.workloads;
    const cpak = (label: string) => keccak256(stringToBytes(`scenario cpak ${label}`));
    expect(await count("AllowedCpak")).toBe(2);
    const a = await get("AllowedCpak", measurementEntityId(oracle, cpak("a")));
    expect(a).toMatchObject({ workload: oracle, cpakId: cpak("a"), disallowed: false, disallowedAt: null });
    // Allowing loosens the policy: in force after the policy delay in force then (the deployment's two
    // hours; the scenario's change to one hour is still pending).
    expect(a.effectiveAt).toBe((a.allowedAt as bigint) + 7200n);
    const b = await get("AllowedCpak", measurementEntityId(oracle, cpak("b")));
    expect(b).toMatchObject({ workload: oracle, cpakId: cpak("b"), disallowed: true, actor: scenario.accounts.owner.toLowerCase() });
    expect(b.disallowedAt).toBeTypeOf("bigint");
  });

  it("PolicyScheduled → Policy in scheduling order, with the lists decoded and replaced marked", async () => {
    const { oracle, bridge } = scenario.workloads;
    const p = await get("Policy", policyEntityId(oracle, 1));
    expect(p).toMatchObject({
      workload: oracle,
      allowedTees: ["sgx", "tdx", "debug"],
      acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded", "NotApplicable"],
      deniedAdvisories: ["INTEL-SA-00615"],
      deniedFmspcs: ["00906ed50000"],
      deniedAmdProductLines: ["Milan"],
      dev: true,
      allowUnboundEvidence: true,
      verdictLifetime: 172_800n,
      replaced: false,
    });
    expect((p.effectiveAt as bigint) - (p.scheduledAt as bigint)).toBe(7_200n);
    expect((await get("Workload", oracle)).policy).toBe(policyEntityId(oracle, 1));
    const defaults = await get("Policy", policyEntityId(bridge, 0));
    expect(defaults).toMatchObject({
      allowedTees: ["sgx", "tdx", "sev-snp", "nitro", "nvidia-gpu", "azure-cvm", "arm-cca", "cpu-gpu"],
      acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
      dev: false,
    });
    expect(defaults.effectiveAt).toBe(defaults.scheduledAt);
    expect((await get("Policy", policyEntityId(bridge, 2))).replaced).toBe(true);
    expect(await get("Policy", policyEntityId(bridge, 3))).toMatchObject({ replaced: false, deniedAdvisories: ["AWS-2030-001"] });
  });

  it("ValidatorAdded, ValidatorRemoved, ValidatorEndpointUpdated, LoggingProfileScheduled, ValidatorVerdictAttached and …Invalidated → Validator", async () => {
    const [v0, v1, v2, v3] = scenario.validators.map((v) => v.address.toLowerCase());
    expect(await get("Validator", v0!)).toMatchObject({
      endpoint: "https://validator-0.example/v2",
      bootstrap: true,
      loggingProfile: "PRODUCTION",
      verdictInvalidated: false,
    });
    expect((await get("Validator", v0!)).verdict).toBe(scenario.verdicts.validator0Own!.id);
    // Invalidated when its own verdict was revoked, then reinstated by governance (ValidatorReinstated):
    // not invalidated, but its revoked verdict no longer counts (no expiry) until it attaches a live one.
    expect(await get("Validator", v1!)).toMatchObject({
      verdict: scenario.verdicts.validator1Own!.id,
      verdictInvalidated: false,
      verdictExpiresAt: null,
    });
    const p2 = await get("Validator", v2!);
    expect(p2).toMatchObject({ loggingProfile: "PRODUCTION", pendingLoggingProfile: "STAGING" });
    expect((p2.loggingProfileEffectiveAt as bigint) > 0n).toBe(true);
    const removed = await get("Validator", v3!);
    expect(removed).toMatchObject({ bootstrap: false, loggingProfile: "DEBUG", active: false });
    expect(removed.activeUntil).not.toBeNull();
  });

  it("ThresholdScheduled, ValidatorWorkloadScheduled, GovernanceDelayScheduled, BootstrapCloseScheduled → Quorum", async () => {
    const q = await get("Quorum", scenario.deployment.contracts.validatorSet);
    expect(q).toMatchObject({ threshold: 2, validatorWorkload: scenario.workloads.validator, governanceDelay: 1_800n });
    expect(q.bootstrapClosesAt).not.toBeNull();
  });

  it("governance acts, role changes and wiring → GovernanceChange in log order, arguments as JSON", async () => {
    const changes = await db.query<{ kind: string; data: string; actor: string | null }>(
      `SELECT "kind", "data", "actor" FROM reg_governancechange WHERE "_block_to" IS NULL ORDER BY "blockNumber", "id"`,
    );
    const kinds = changes.map((c) => c.kind);
    for (const k of [
      "RoleGranted",
      "RoleRevoked",
      "AttestationRegistryWired",
      "ValidatorAdded",
      "ValidatorRemoved",
      "ThresholdScheduled",
      "LoggingProfileScheduled",
      "ValidatorWorkloadScheduled",
      "GovernanceDelayScheduled",
      "BootstrapCloseScheduled",
      "PolicyDelayScheduled",
      "DefaultAdminTransferScheduled",
      "DefaultAdminTransferCanceled",
      "DefaultAdminDelayChangeScheduled",
      "DefaultAdminDelayChangeCanceled",
    ]) {
      expect(kinds, k).toContain(k);
    }
    // Admin and governor on each of the four contracts (the KeyRegistry's at its late deployment), then the second governor twice.
    expect(kinds.filter((k) => k === "RoleGranted")).toHaveLength(10);
    const delay = changes.find((c) => c.kind === "PolicyDelayScheduled")!;
    expect(JSON.parse(delay.data)).toMatchObject({ delay: "3600", actor: scenario.accounts.owner.toLowerCase() });
    expect(delay.actor).toBe(scenario.accounts.owner.toLowerCase());
    expect(changes.find((c) => c.kind === "AttestationRegistryWired")!.actor).toBeNull();
  });

  it("VerdictFinalized → a stored Verdict with its signers; unbound evidence is marked", async () => {
    const v = scenario.verdicts.oracleDebugK0!;
    const e = await get("Verdict", v.id);
    const signers = scenario.validators
      .slice(0, 2)
      .map((s) => s.address.toLowerCase())
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(e).toMatchObject({
      workload: v.verdict.workloadId,
      measurement: measurementEntityId(v.verdict.workloadId, v.verdict.measurementHash),
      tee: "debug",
      tcbStatus: "NotApplicable",
      subject: v.verdict.subject.toLowerCase(),
      issuedAt: v.verdict.issuedAt,
      expiresAt: v.verdict.expiresAt,
      freshnessBlock: v.verdict.freshnessBlock,
      materialized: true,
      batch: null,
      signers,
      unbound: false,
      measurementSerial: 3,
    });
    const unbound = await get("Verdict", scenario.verdicts.bridgeUnbound!.id);
    expect(unbound).toMatchObject({
      unbound: true,
      freshnessBlock: 0n,
      subject: unboundSubject(scenario.verdicts.bridgeUnbound!.verdict.evidenceHash).toLowerCase(),
    });
  });

  it("BatchFinalized, VerdictGroupFinalized and VerdictMaterialized → Batch and its batched Verdicts", async () => {
    const batchId = scenario.batches.batch0!;
    expect(await get("Batch", batchId)).toMatchObject({ count: 5, groupCount: 2, materializedCount: 2 });
    for (let i = 0; i < 5; i++) {
      const v = await get("Verdict", scenario.verdicts[`batch0Leaf${i}`]!.id);
      expect(v).toMatchObject({ batch: batchId, leafIndex: i, materialized: i === 0 || i === 4 });
    }
    const leaf3 = await get("Verdict", scenario.verdicts.batch0Leaf3!.id);
    expect(leaf3).toMatchObject({ tee: "nitro", workload: scenario.workloads.bridge, subject: scenario.keeps[3]!.toLowerCase() });
  });

  it("VerdictRevoked → a revoked Verdict and a VERDICT Revocation, also for an id revoked before it was finalized", async () => {
    const id = scenario.verdicts.oracleSgxK1!.id;
    expect(await get("Verdict", id)).toMatchObject({ revoked: true, revocation: id, status: "REVOKED" });
    expect(await get("Revocation", id)).toMatchObject({
      kind: "VERDICT",
      verdict: id,
      verdictId: id,
      reason: "key leaked",
      workload: scenario.workloads.oracle,
    });
    const early = scenario.verdicts.preRevoked!.id;
    expect(await get("Verdict", early)).toMatchObject({ revoked: true, batch: scenario.batches.batch1 });
    expect(await get("Revocation", early)).toMatchObject({ kind: "VERDICT", reason: "withdrawn before finalization", workload: null });
  });

  it("SubjectRevoked and SubjectRevocationLifted → SubjectRevocation; the subject's latest verdict is revoked with it", async () => {
    const { oracle, bridge } = scenario.workloads;
    const [k4, k5, k7] = [4, 5, 7].map((i) => scenario.keeps[i]!.toLowerCase());
    const id = (subject: string, workload: string) => `${subject}${workload.slice(2)}`;
    expect(await get("SubjectRevocation", id(k4!, oracle))).toMatchObject({
      subject: k4,
      workloadId: oracle,
      workload: oracle,
      everywhere: false,
      active: true,
      reason: "Keep key leaked",
      liftedAt: null,
    });
    expect(await get("Verdict", scenario.verdicts.batch0Leaf0!.id)).toMatchObject({ revoked: true, status: "REVOKED" });
    const lifted = await get("SubjectRevocation", id(k5!, oracle));
    expect(lifted).toMatchObject({ active: false, liftedBy: scenario.accounts.owner.toLowerCase() });
    expect(lifted.liftedAt).toBeGreaterThan(0n);
    // k5's batched oracle verdict was never stored on-chain: no VerdictRevoked, and it is not revoked itself.
    expect(await get("Verdict", scenario.verdicts.batch0Leaf1!.id)).toMatchObject({ revoked: false });
    const everywhere = await get("SubjectRevocation", id(k7!, `0x${"0".repeat(64)}`));
    expect(everywhere).toMatchObject({ everywhere: true, workload: null, active: true, reason: "Keep host compromised" });
    expect(await get("SubjectRevocation", id(k7!, bridge))).toMatchObject({ everywhere: false, workload: bridge, active: true });
    expect(await get("Verdict", scenario.verdicts.batch0Leaf4!.id)).toMatchObject({ revoked: true, status: "REVOKED" });
  });

  it("PlatformRevoked and PlatformRevocationLifted → PlatformRevocation, with the value in clear where it can be", async () => {
    const fmspc = await get("PlatformRevocation", `0x0100906ed50000${"0".repeat(52)}`);
    expect(fmspc).toMatchObject({
      kind: "fmspc",
      name: "00906ed50000",
      active: true,
      reason: "FMSPC below the TCB recovery",
      actor: scenario.accounts.owner.toLowerCase(),
    });
    const nitro = await get("PlatformRevocation", `0x04${"0".repeat(63)}4`);
    expect(nitro).toMatchObject({ kind: "tee", name: "nitro", active: false, liftedBy: scenario.accounts.owner.toLowerCase() });
  });

  it("KeyCreated, ReleasePolicyScheduled, KeyVersionCreated and KeyVersionRetired → Key and KeyVersion", async () => {
    const { oracleDataKey } = scenario.keys;
    const [v0, v1, v2] = scenario.validators.map((v) => v.address.toLowerCase());
    const key = await get("Key", oracleDataKey);
    expect(key).toMatchObject({
      workload: scenario.workloads.oracle,
      name: "oracle data key",
      createdBy: scenario.accounts.owner.toLowerCase(),
      status: "ROTATED",
      latestVersion: 2,
      retiredVersionCount: 1,
      // The tightening is in force; the loosening (a second workload) waits for the policy delay.
      secondWorkloadId: null,
      acceptedTcbStatuses: ["NotApplicable"],
      allowDebug: true,
      pendingSecondWorkloadId: scenario.workloads.bridge,
      pendingAcceptedTcbStatuses: ["NotApplicable"],
      pendingAllowDebug: true,
    });
    expect((key.pendingReleasePolicyEffectiveAt as bigint) - (key.releasePolicyEffectiveAt as bigint)).toBeGreaterThanOrEqual(3_600n);
    const one = await get("KeyVersion", keyVersionEntityId(oracleDataKey, 1));
    expect(one).toMatchObject({
      key: oracleDataKey,
      version: 1,
      threshold: 2,
      shareholders: [v0, v1, v2],
      status: "RETIRED",
      retiredBy: scenario.accounts.owner.toLowerCase(),
      liveShareholders: 3,
      belowThreshold: false,
    });
    expect((one.shareHashes as string[]).map((h) => h.length)).toEqual([66, 66, 66]);
    // The contract's own commitment of the event's hashes.
    const onChain = (await scenario.chain.publicClient.readContract({
      address: scenario.deployment.contracts.keyRegistry!,
      abi: keyRegistryAbi,
      functionName: "versionOf",
      args: [oracleDataKey, 1],
    })) as { shareCommitment: string };
    expect(one.shareCommitment).toBe(onChain.shareCommitment.toLowerCase());
    // Stored: registered and not removed when recorded (The Graph's reading); the API recomputes it (test/api).
    expect(await get("KeyVersion", keyVersionEntityId(oracleDataKey, 2))).toMatchObject({
      shareholders: [v0, v1],
      status: "ACTIVE",
      retiredAt: null,
      liveShareholders: 2,
      belowThreshold: false,
    });
    const retired = await db.query<{ data: string }>(
      `SELECT "data" FROM reg_governancechange WHERE "kind" = 'KeyVersionRetired' AND "_block_to" IS NULL`,
    );
    expect(retired.map((r) => JSON.parse(r.data))).toEqual([
      { keyId: oracleDataKey, version: "1", actor: scenario.accounts.owner.toLowerCase() },
    ]);
    const scheduled = await db.query<{ data: string }>(
      `SELECT "data" FROM reg_governancechange WHERE "kind" = 'ReleasePolicyScheduled' AND "_block_to" IS NULL ORDER BY "id"`,
    );
    expect(scheduled).toHaveLength(3);
    expect(scheduled.map((r) => JSON.parse(r.data).policy)).toContainEqual({
      secondWorkloadId: scenario.workloads.bridge,
      acceptedTcbStatuses: "256",
      allowDebug: true,
    });
    expect(await count("GovernanceChange", `"kind" = 'KeyServiceKeySet'`)).toBe(3);
  });

  it("ReleaseReceiptsCommitted → one KeyRelease per receipt, with its leaf and place in the batch", async () => {
    const { oracleDataKey, receiptRoot, receipts } = scenario.keys;
    const v0 = scenario.validators[0]!.address;
    expect(await count("KeyRelease")).toBe(3);
    for (const [i, r] of receipts.entries()) {
      const release = await get("KeyRelease", keyReleaseEntityId(receiptRoot, i));
      expect(release).toMatchObject({
        keyId: r.keyId.toLowerCase(),
        version: r.version,
        subject: r.subject.toLowerCase(),
        validator: v0.toLowerCase(),
        releasedAt: r.releasedAt,
        requestHash: r.requestHash,
        leaf: receiptLeaf(v0, r).toLowerCase(),
        batchRoot: receiptRoot.toLowerCase(),
        leafIndex: i,
        batchCount: 3,
      });
      // The leaf the contract proves against the root.
      expect(
        await scenario.chain.publicClient.readContract({
          address: scenario.deployment.contracts.keyRegistry!,
          abi: keyRegistryAbi,
          functionName: "receiptLeaf",
          args: [v0, r],
        }),
      ).toBe(release.leaf);
    }
    expect(await get("KeyRelease", keyReleaseEntityId(receiptRoot, 0))).toMatchObject({
      key: oracleDataKey,
      keyVersion: keyVersionEntityId(oracleDataKey, 1),
    });
    // A receipt naming a key never recorded keeps its key id, with no reference.
    expect(await get("KeyRelease", keyReleaseEntityId(receiptRoot, 2))).toMatchObject({ key: null, keyVersion: null });
  });

  it("records one GovernanceChange per governance event and nothing twice", async () => {
    const all = await db.query<{ id: string }>(`SELECT "id" FROM reg_governancechange`);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const grants = logs.filter((l) => l.topics[0] === keccak256(stringToBytes("RoleGranted(bytes32,address,address)")));
    expect(all.map((r) => r.id)).toContain(eventId(grants[0]!.transactionHash, Number(BigInt(grants[0]!.logIndex))));
  });
});

describe("ValidatorPruned", () => {
  it("marks a long-removed validator pruned when the set is full", async () => {
    const chain = await connectInProcessChain();
    try {
      const owner = getAddress(chain.accounts[0] as Address);
      const clients = { publicClient: chain.publicClient, walletClient: chain.walletClient(owner) };
      const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
      const validators = devAccounts("keepledger.test.prune", 65);
      for (const v of validators.slice(0, 64))
        await bootstrapValidator(clients, deployment, { address: v.address, endpoint: "https://v.example", loggingProfile: "production" });
      await removeValidator(clients, deployment, validators[0]!.address);
      await chain.increaseTime(1);
      await addValidator(clients, deployment, {
        address: validators[64]!.address,
        endpoint: "https://v.example",
        loggingProfile: "production",
      });
      const { db, drop } = await TEST_DATABASES[0]!.open();
      await (await createIndexer({ db, chain: chain.provider, deployment })).catchUp();
      const pruned = await new EntityBatch(db, model).load("Validator", validators[0]!.address.toLowerCase());
      expect(pruned).toMatchObject({ pruned: true, active: false });
      expect(await new EntityBatch(db, model).load("Validator", validators[64]!.address.toLowerCase())).toMatchObject({
        pruned: false,
        active: true,
      });
      await drop();
    } finally {
      await chain.close();
    }
  }, 120_000);
});

export type { Hex };
