/**
 * The deterministic registry scenario behind the indexer tests and the query fixtures
 * (test/fixtures/queries/): a dev deployment with real delays, two workloads, measurements of five
 * kinds, scheduled and replaced policies, a bootstrapped validator set that later self-attests, single
 * and batched verdicts (some materialized, one expired, revoked ones — one revoked before it was ever
 * finalized), an ownership transfer, role and delay changes, and a KeyRegistry deployed late: a key with
 * two versions (the second below its threshold once a shareholder stops counting), release-policy
 * changes (one pending), a retired version and committed release receipts. Every block's time is pinned, so ids,
 * hashes and times are the same on every run.
 */
import { getAddress, keccak256, stringToBytes, type Abi, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import {
  attestationRegistryAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";
import { createKeyOnChain, deployKeyRegistry, retireKeyVersion, rotateKeyOnChain } from "../../src/chain/keyRegistry.ts";
import { keepledgerClient, type KeepledgerClient } from "../../src/chain/keepledgerClient.ts";
import { defaultPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import { sendContractCall, type ChainClients } from "../../src/chain/transactions.ts";
import {
  addValidator,
  attachVerdict,
  bootstrapValidator,
  closeBootstrap,
  removeValidator,
  setThreshold,
  setValidatorWorkload,
} from "../../src/chain/validators.ts";
import { addMeasurement, registerWorkload, revokeMeasurement, schedulePolicy } from "../../src/chain/workloads.ts";
import { devAccounts } from "../../src/dev/devAccounts.ts";
import { quorumSignBatch, quorumSignVerdict } from "../../src/dev/quorum.ts";
import {
  buildBatch,
  TCB_STATUS_CODES,
  TEE_KIND_CODES,
  unboundSubject,
  verdictId,
  type Verdict,
  type ReleaseReceipt,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";
import { connectRegistryChain, type RegistryChain } from "../support/registry-chain.ts";

/** 2030-01-01T00:00:00Z: the scenario's first block. */
export const SCENARIO_START = 1_893_456_000;

export interface Scenario {
  chain: RegistryChain;
  /** Accounts: deployer/admin/governor (owns oracle), bridge's first and second owner, a second governor. */
  accounts: { owner: Address; bridgeOwner: Address; newBridgeOwner: Address; secondGovernor: Address };
  deployment: Deployment;
  owner: Address;
  workloads: { oracle: Hex; bridge: Hex; validator: Hex };
  measurements: {
    oracleSgx1: Hex;
    oracleTdx: Hex;
    oracleDebug: Hex;
    oracleSgx2: Hex;
    bridgeNitro: Hex;
    bridgeDebug: Hex;
    validatorSgx: Hex;
  };
  validators: PrivateKeyAccount[];
  keeps: Address[];
  verdicts: Record<string, { id: Hex; verdict: Verdict }>;
  batches: Record<string, Hex>;
  /** The KeyRegistry's key, its receipt batch root and the receipts committed (validator 0's). */
  keys: { oracleDataKey: Hex; receiptRoot: Hex; receipts: ReleaseReceipt[] };
  /** Block numbers of notable moments, for time-travel queries. */
  checkpoints: Record<string, number>;
  close(): Promise<void>;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const GOVERNOR_ROLE = keccak256(stringToBytes("GOVERNOR_ROLE"));

export async function runScenario(): Promise<Scenario> {
  const chain = await connectRegistryChain({
    initialDate: new Date((SCENARIO_START - 3600) * 1000),
    pinnedClock: { start: SCENARIO_START, step: 12 },
  });
  const clock = chain.clock!;
  const [owner, bridgeOwner, newBridgeOwner, secondGovernor] = chain.accounts.map((a) => getAddress(a)) as [
    Address,
    Address,
    Address,
    Address,
  ];
  const as = (account: Address): ChainClients => ({ publicClient: chain.publicClient, walletClient: chain.walletClient(account) });
  const admin = as(owner);
  // The KeyRegistry is deployed late (below), as beside an existing deployment: the blocks before it stay as they were.
  const { deployment } = await deployKeepledger(admin, {
    devPoliciesAllowed: true,
    governanceDelay: 3600n,
    policyDelay: 7200n,
    keyRegistry: false,
  });
  const client: KeepledgerClient = keepledgerClient(admin, deployment);
  const send = async (
    from: ChainClients,
    contract: keyof Deployment["contracts"],
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
  ) => sendContractCall(from, { address: deployment.contracts[contract]!, abi, functionName, args });
  const blockNow = async () => chain.publicClient.getBlock();
  const checkpoints: Record<string, number> = {};
  const checkpoint = async (name: string) => {
    checkpoints[name] = Number((await blockNow()).number);
  };

  // ===== Workloads, measurements, policies =====
  const oracle = (await registerWorkload(admin, deployment, "oracle", "ipfs://oracle-v1")).workloadId;
  const bridge = (await registerWorkload(as(bridgeOwner), deployment, "bridge", "https://bridge.example/meta.json")).workloadId;
  const enclave = (label: string): Hex => keccak256(stringToBytes(label));
  const m = {
    oracleSgx1: (
      await addMeasurement(admin, deployment, oracle, 1, {
        tee: "sgx",
        mrenclave: enclave("oracle enclave v1"),
        mrsigner: ZERO32,
        isvProdId: 0,
        minIsvSvn: 0,
      })
    ).measurementHash,
    oracleTdx: (
      await addMeasurement(admin, deployment, oracle, 1, {
        tee: "tdx",
        mrtd: `0x${"a1".repeat(48)}`,
        rtmr0: `0x${"a2".repeat(48)}`,
        rtmr1: `0x${"a3".repeat(48)}`,
        rtmr2: `0x${"a4".repeat(48)}`,
        rtmr3: `0x${"00".repeat(48)}`,
      })
    ).measurementHash,
    oracleDebug: (await addMeasurement(admin, deployment, oracle, 1, { tee: "debug", measurement: enclave("oracle debug build") }))
      .measurementHash,
    oracleSgx2: (
      await addMeasurement(admin, deployment, oracle, 2, {
        tee: "sgx",
        mrenclave: enclave("oracle enclave v2"),
        mrsigner: ZERO32,
        isvProdId: 0,
        minIsvSvn: 0,
      })
    ).measurementHash,
    bridgeNitro: (
      await addMeasurement(as(bridgeOwner), deployment, bridge, 1, {
        tee: "nitro",
        pcr0: `0x${"b0".repeat(48)}`,
        pcr1: `0x${"b1".repeat(48)}`,
        pcr2: `0x${"b2".repeat(48)}`,
      })
    ).measurementHash,
    bridgeDebug: (
      await addMeasurement(as(bridgeOwner), deployment, bridge, 1, { tee: "debug", measurement: enclave("bridge debug build") })
    ).measurementHash,
    validatorSgx: ZERO32,
  };
  const oraclePolicy: WorkloadPolicy = {
    ...defaultPolicy(),
    allowedTees: ["sgx", "tdx", "debug"],
    acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded", "NotApplicable"],
    dev: true,
    allowUnboundEvidence: true,
    deniedAmdProductLines: ["Milan"],
    verdictLifetime: 2 * 86_400,
    deniedAdvisories: ["INTEL-SA-00615"],
    deniedFmspcs: ["00906ed50000"],
  };
  await schedulePolicy(admin, deployment, oracle, oraclePolicy);
  const bridgePolicy: WorkloadPolicy = {
    ...defaultPolicy(),
    allowedTees: ["nitro", "debug"],
    acceptedTcbStatuses: ["NotApplicable"],
    dev: true,
    allowUnboundEvidence: true,
  };
  await schedulePolicy(as(bridgeOwner), deployment, bridge, bridgePolicy);

  // ===== Validators (bootstrapped), threshold =====
  const validators = devAccounts("keepledger.scenario.validator", 4);
  for (const [i, v] of validators.slice(0, 3).entries()) {
    await bootstrapValidator(admin, deployment, {
      address: v.address,
      endpoint: `https://validator-${i}.example`,
      loggingProfile: "production",
    });
  }
  await setThreshold(admin, deployment, 2);
  await clock.jump(7200);
  await chain.mine();
  await checkpoint("delaysPassed");

  await send(admin, "workloadRegistry", workloadRegistryAbi, "setWorkloadMetadata", [oracle, "ipfs://oracle-v2"]);
  await send(as(bridgeOwner), "workloadRegistry", workloadRegistryAbi, "transferWorkloadOwnership", [bridge, newBridgeOwner]);
  await send(as(newBridgeOwner), "workloadRegistry", workloadRegistryAbi, "acceptWorkloadOwnership", [bridge]);

  // ===== Single verdicts =====
  const keeps = devAccounts("keepledger.scenario.keep", 8).map((k) => k.address);
  const quorum = validators.slice(0, 2);
  const verdicts: Scenario["verdicts"] = {};
  const single = async (
    name: string,
    fields: Omit<Verdict, "issuedAt" | "expiresAt" | "freshnessBlock" | "collateralHash"> & { lifetime: bigint; unbound?: boolean },
  ) => {
    const b = await blockNow();
    const v: Verdict = {
      workloadId: fields.workloadId,
      measurementHash: fields.measurementHash,
      tee: fields.tee,
      tcbStatus: fields.tcbStatus,
      subject: fields.unbound ? unboundSubject(fields.evidenceHash) : fields.subject,
      evidenceHash: fields.evidenceHash,
      collateralHash: keccak256(stringToBytes(`collateral of ${name}`)),
      issuedAt: b.timestamp,
      expiresAt: b.timestamp + fields.lifetime,
      freshnessBlock: fields.unbound ? 0n : b.number,
    };
    const r = await client.finalizeVerdict(v, await quorumSignVerdict(quorum, v, client.domain));
    verdicts[name] = { id: r.verdictId, verdict: v };
    return v;
  };
  const evidence = (label: string): Hex => keccak256(stringToBytes(`evidence: ${label}`));
  await single("oracleDebugK0", {
    workloadId: oracle,
    measurementHash: m.oracleDebug,
    tee: TEE_KIND_CODES.debug,
    tcbStatus: TCB_STATUS_CODES.NotApplicable,
    subject: keeps[0]!,
    evidenceHash: evidence("k0 debug"),
    lifetime: 86_400n,
  });
  await single("oracleSgxK1", {
    workloadId: oracle,
    measurementHash: m.oracleSgx1,
    tee: TEE_KIND_CODES.sgx,
    tcbStatus: TCB_STATUS_CODES.UpToDate,
    subject: keeps[1]!,
    evidenceHash: evidence("k1 sgx"),
    lifetime: 2n * 86_400n,
  });
  await single("oracleTdxK2", {
    workloadId: oracle,
    measurementHash: m.oracleTdx,
    tee: TEE_KIND_CODES.tdx,
    tcbStatus: TCB_STATUS_CODES.SWHardeningNeeded,
    subject: keeps[2]!,
    evidenceHash: evidence("k2 tdx"),
    lifetime: 600n,
  });
  await single("bridgeUnbound", {
    workloadId: bridge,
    measurementHash: m.bridgeDebug,
    tee: TEE_KIND_CODES.debug,
    tcbStatus: TCB_STATUS_CODES.NotApplicable,
    subject: keeps[3]!,
    evidenceHash: evidence("bridge unbound"),
    lifetime: 86_400n,
    unbound: true,
  });
  await single("bridgeShortLived", {
    workloadId: bridge,
    measurementHash: m.bridgeDebug,
    tee: TEE_KIND_CODES.debug,
    tcbStatus: TCB_STATUS_CODES.NotApplicable,
    subject: keeps[5]!,
    evidenceHash: evidence("k5 short-lived"),
    lifetime: 300n,
  });
  await checkpoint("afterSingles");

  // ===== A batch of two groups; two verdicts materialized =====
  const b = await blockNow();
  const groups: VerdictGroup[] = [
    {
      workloadId: oracle,
      measurementHash: m.oracleSgx2,
      tee: TEE_KIND_CODES.sgx,
      tcbStatus: TCB_STATUS_CODES.UpToDate,
      collateralHash: keccak256(stringToBytes("collateral of batch group 0")),
      issuedAt: b.timestamp,
      expiresAt: b.timestamp + 86_400n,
      items: [4, 5, 6].map((i) => ({ subject: keeps[i]!, evidenceHash: evidence(`batch k${i}`), freshnessBlock: b.number })),
    },
    {
      workloadId: bridge,
      measurementHash: m.bridgeNitro,
      tee: TEE_KIND_CODES.nitro,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      collateralHash: keccak256(stringToBytes("collateral of batch group 1")),
      issuedAt: b.timestamp,
      expiresAt: b.timestamp + 43_200n,
      items: [3, 7].map((i) => ({ subject: keeps[i]!, evidenceHash: evidence(`batch nitro k${i}`), freshnessBlock: b.number })),
    },
  ];
  const built = buildBatch(groups);
  const { batchId } = await client.finalizeBatch(groups, await quorumSignBatch(quorum, built.root, built.count, client.domain));
  built.verdicts.forEach((v, i) => {
    verdicts[`batch0Leaf${i}`] = { id: built.leaves[i]!, verdict: v };
  });
  await client.materializeVerdict(built.verdicts[0]!, batchId, built.proof(0));
  await client.materializeVerdict(built.verdicts[4]!, batchId, built.proof(4));
  // A renewal: k0's newer verdict becomes the one isAttested reads.
  await single("oracleDebugK0Renewed", {
    workloadId: oracle,
    measurementHash: m.oracleDebug,
    tee: TEE_KIND_CODES.debug,
    tcbStatus: TCB_STATUS_CODES.NotApplicable,
    subject: keeps[0]!,
    evidenceHash: evidence("k0 debug renewed"),
    lifetime: 86_400n,
  });
  await checkpoint("beforeRevocations");

  // ===== Revocations =====
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeVerdict", [verdicts.oracleSgxK1!.id, "key leaked"]);
  await revokeMeasurement(admin, deployment, oracle, m.oracleTdx);
  // An id revoked before it was ever finalized, then finalized in a batch: it is born revoked.
  const b2 = await blockNow();
  const lateGroup: VerdictGroup = {
    workloadId: bridge,
    measurementHash: m.bridgeDebug,
    tee: TEE_KIND_CODES.debug,
    tcbStatus: TCB_STATUS_CODES.NotApplicable,
    collateralHash: keccak256(stringToBytes("collateral of batch 1")),
    issuedAt: b2.timestamp,
    expiresAt: b2.timestamp + 86_400n,
    items: [{ subject: keeps[6]!, evidenceHash: evidence("pre-revoked k6"), freshnessBlock: b2.number }],
  };
  const late = buildBatch([lateGroup]);
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeVerdict", [late.leaves[0]!, "withdrawn before finalization"]);
  const { batchId: lateBatchId } = await client.finalizeBatch(
    [lateGroup],
    await quorumSignBatch(quorum, late.root, late.count, client.domain),
  );
  verdicts.preRevoked = { id: late.leaves[0]!, verdict: late.verdicts[0]! };
  await checkpoint("afterRevocations");

  // ===== Validators attest themselves; governance =====
  const validatorWorkload = (await registerWorkload(admin, deployment, "keepledger-validator", "")).workloadId;
  m.validatorSgx = (
    await addMeasurement(admin, deployment, validatorWorkload, 1, {
      tee: "sgx",
      mrenclave: enclave("validator enclave"),
      mrsigner: ZERO32,
      isvProdId: 0,
      minIsvSvn: 0,
    })
  ).measurementHash;
  await setValidatorWorkload(admin, deployment, validatorWorkload);
  // The measurement is usable after the policy delay (7200 s), the designation after the governance delay.
  await clock.jump(7200);
  for (const [i, v] of validators.slice(0, 3).entries()) {
    const own = await single(`validator${i}Own`, {
      workloadId: validatorWorkload,
      measurementHash: m.validatorSgx,
      tee: TEE_KIND_CODES.sgx,
      tcbStatus: TCB_STATUS_CODES.UpToDate,
      subject: v.address,
      evidenceHash: evidence(`validator ${i}`),
      lifetime: 6n * 86_400n,
    });
    await attachVerdict(admin, deployment, v.address, own);
  }
  await closeBootstrap(admin, deployment);
  await send(admin, "validatorSet", validatorSetAbi, "setLoggingProfile", [validators[2]!.address, 1]);
  await chain.testClient.impersonateAccount({ address: validators[0]!.address });
  await chain.testClient.setBalance({ address: validators[0]!.address, value: 10n ** 20n });
  await send(as(validators[0]!.address), "validatorSet", validatorSetAbi, "setEndpoint", ["https://validator-0.example/v2"]);
  await addValidator(admin, deployment, {
    address: validators[3]!.address,
    endpoint: "https://validator-3.example",
    loggingProfile: "debug",
  });
  await removeValidator(admin, deployment, validators[3]!.address);
  await send(admin, "validatorSet", validatorSetAbi, "setGovernanceDelay", [1800n]);
  await send(admin, "workloadRegistry", workloadRegistryAbi, "setPolicyDelay", [3600n]);
  await send(admin, "attestationRegistry", attestationRegistryAbi, "grantRole", [GOVERNOR_ROLE, secondGovernor]);
  await send(admin, "validatorSet", validatorSetAbi, "grantRole", [GOVERNOR_ROLE, secondGovernor]);
  await send(admin, "validatorSet", validatorSetAbi, "revokeRole", [GOVERNOR_ROLE, secondGovernor]);
  // The two-step admin (AccessControlDefaultAdminRules): a transfer begun and withdrawn, a delay change scheduled and rolled back.
  await send(admin, "workloadRegistry", workloadRegistryAbi, "beginDefaultAdminTransfer", [secondGovernor]);
  await send(admin, "workloadRegistry", workloadRegistryAbi, "cancelDefaultAdminTransfer", []);
  await send(admin, "workloadRegistry", workloadRegistryAbi, "changeDefaultAdminDelay", [3600]);
  await send(admin, "workloadRegistry", workloadRegistryAbi, "rollbackDefaultAdminDelay", []);
  // Two looser policies for the bridge in a row (longer lifetimes: they wait for the policy delay): the
  // first never comes into force.
  await schedulePolicy(as(newBridgeOwner), deployment, bridge, { ...bridgePolicy, verdictLifetime: 8 * 86_400 });
  await schedulePolicy(as(newBridgeOwner), deployment, bridge, {
    ...bridgePolicy,
    verdictLifetime: 9 * 86_400,
    deniedAdvisories: ["AWS-2030-001"],
  });
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeVerdict", [
    verdicts.validator1Own!.id,
    "validator host compromised",
  ]);
  await checkpoint("governance");

  // ===== Subject and platform revocations =====
  // k4 in oracle: its materialized batch verdict is the latest, revoked with the subject.
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeSubject", [keeps[4]!, oracle, "Keep key leaked"]);
  // k5 in oracle: its batched verdict was never materialized; the subject revocation alone makes it REVOKED.
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeSubject", [keeps[5]!, oracle, "Keep host suspected"]);
  await checkpoint("subjectRevoked");
  await send(admin, "attestationRegistry", attestationRegistryAbi, "liftSubjectRevocation", [keeps[5]!, oracle]);
  // k7 everywhere, its bridge workload listed (its materialized bridge verdict is revoked with it).
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokeSubjectEverywhere", [
    keeps[7]!,
    [bridge],
    "Keep host compromised",
  ]);
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokePlatform", [
    1,
    `0x00906ed50000${"0".repeat(52)}`,
    "FMSPC below the TCB recovery",
  ]);
  await send(admin, "attestationRegistry", attestationRegistryAbi, "revokePlatform", [4, `0x${"0".repeat(63)}4`, "Nitro paused"]);
  await send(admin, "attestationRegistry", attestationRegistryAbi, "liftPlatformRevocation", [4, `0x${"0".repeat(63)}4`]);
  await send(admin, "validatorSet", validatorSetAbi, "reinstateValidator", [validators[1]!.address]);
  // Arm CCA platform keys of the oracle's policy (CpakAllowList): two allowed, one taken off again.
  const cpak = (label: string) => keccak256(stringToBytes(`scenario cpak ${label}`));
  await send(admin, "cpakAllowList", cpakAllowListAbi, "allowCpak", [oracle, cpak("a")]);
  await send(admin, "cpakAllowList", cpakAllowListAbi, "allowCpak", [oracle, cpak("b")]);
  await send(admin, "cpakAllowList", cpakAllowListAbi, "disallowCpak", [oracle, cpak("b")]);

  await checkpoint("beforeKeys");

  // ===== Keys (KeyRegistry) =====
  const keyRegistry = (await deployKeyRegistry(admin, deployment)).address;
  deployment.contracts.keyRegistry = keyRegistry;
  for (const [i, v] of validators.slice(0, 3).entries()) {
    if (i > 0) {
      await chain.testClient.impersonateAccount({ address: v.address });
      await chain.testClient.setBalance({ address: v.address, value: 10n ** 20n });
    }
    await send(as(v.address), "keyRegistry", keyRegistryAbi, "setKeyServiceKey", [
      keccak256(stringToBytes(`key-service key of validator ${i}`)),
    ]);
  }
  const shareHashesOf = (version: number, n: number): Hex[] =>
    Array.from({ length: n }, (_, i) => keccak256(stringToBytes(`share ${i + 1} of version ${version}`)));
  const NOT_APPLICABLE = 1 << TCB_STATUS_CODES.NotApplicable;
  const UP_TO_DATE = 1 << TCB_STATUS_CODES.UpToDate;
  const { keyId: oracleDataKey } = await createKeyOnChain(admin, keyRegistry, {
    workloadId: oracle,
    name: "oracle data key",
    policy: { secondWorkloadId: ZERO32, acceptedTcbStatuses: UP_TO_DATE | NOT_APPLICABLE, allowDebug: true },
    threshold: 2,
    shareholders: validators.slice(0, 3).map((v) => v.address),
    shareHashes: shareHashesOf(1, 3),
  });
  // Tightening is in force at once; loosening (a second workload) waits for the policy delay (3600 s).
  await send(admin, "keyRegistry", keyRegistryAbi, "setReleasePolicy", [
    oracleDataKey,
    { secondWorkloadId: ZERO32, acceptedTcbStatuses: NOT_APPLICABLE, allowDebug: true },
  ]);
  await send(admin, "keyRegistry", keyRegistryAbi, "setReleasePolicy", [
    oracleDataKey,
    { secondWorkloadId: bridge, acceptedTcbStatuses: NOT_APPLICABLE, allowDebug: true },
  ]);
  await checkpoint("keyPolicyPending");
  // Version 2 for validators 0 and 1: validator 1 no longer counts (its own verdict was revoked and it
  // was reinstated without a live one), so the version is below its threshold from the start.
  await rotateKeyOnChain(admin, keyRegistry, oracleDataKey, {
    threshold: 2,
    shareholders: validators.slice(0, 2).map((v) => v.address),
    shareHashes: shareHashesOf(2, 2),
  });
  // Validator 0 commits its receipts: k0 received both versions; a third receipt names a key never recorded.
  const releasedAt = (await blockNow()).timestamp;
  const receipts: ReleaseReceipt[] = [
    { keyId: oracleDataKey, version: 1, subject: keeps[0]!, releasedAt, requestHash: keccak256(stringToBytes("request k0 v1")) },
    { keyId: oracleDataKey, version: 2, subject: keeps[0]!, releasedAt, requestHash: keccak256(stringToBytes("request k0 v2")) },
    {
      keyId: keccak256(stringToBytes("no such key")),
      version: 1,
      subject: keeps[1]!,
      releasedAt,
      requestHash: keccak256(stringToBytes("request of an unknown key")),
    },
  ];
  const committed = await send(as(validators[0]!.address), "keyRegistry", keyRegistryAbi, "commitReleaseReceipts", [receipts]);
  await retireKeyVersion(admin, keyRegistry, oracleDataKey, 1);
  await checkpoint("keysDone");
  await clock.jump(3600);
  await chain.mine();
  await checkpoint("end");

  return {
    chain,
    accounts: { owner, bridgeOwner, newBridgeOwner, secondGovernor },
    deployment,
    owner,
    workloads: { oracle, bridge, validator: validatorWorkload },
    measurements: m,
    validators,
    keeps,
    verdicts,
    batches: { batch0: batchId, batch1: lateBatchId },
    keys: { oracleDataKey, receiptRoot: committed.result as Hex, receipts },
    checkpoints,
    close: () => chain.close(),
  };
}

export { verdictId };
