// Issue 10 on the real in-process chain, production-style (policy, governance and admin delay at their
// 1-day floors): the launch policy round-trips through the chain; a tighter policy is in force at once
// and a looser one waits; a new measurement and an accepted owner wait for the policy delay; the admin
// moves in two steps; no delay goes under its floor.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { addMeasurement, policyOf, registerWorkload } from "../../src/chain/workloads.ts";
import { expectRevert, schedulePolicy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

const DAY = 86_400n;
let tb: Testbed;
let restore: () => Promise<void>;
beforeAll(async () => {
  tb = await startTestbed({ devPoliciesAllowed: false, governanceDelay: DAY, policyDelay: DAY, adminDelay: DAY });
});
afterAll(async () => {
  await tb?.close();
});
beforeEach(async () => {
  restore = await tb.snapshot();
});
afterEach(async () => {
  await restore();
});

/** A policy stricter than the default in the launch part: Genoa minimum TCB, SMT off, SGX ISVSVN 2. */
function strict(): WorkloadPolicy {
  const p = defaultPolicy();
  return {
    ...p,
    launch: {
      ...p.launch,
      minSnpTcb: { Genoa: { bootloader: 9, tee: 0, snp: 23, microcode: 72 } },
      snpRequireSmtOff: true,
      sgxMinIsvSvn: 2,
    },
  };
}

const pendingAt = async (id: Hex) => (await tb.read<[unknown, bigint]>("workloadRegistry", "pendingPolicyOf", [id]))[1];

describe("the launch policy on chain", () => {
  it("a new workload has the default launch policy: no SEV-SNP minimum TCB, VMPL 0, SGX INIT|MODE64BIT|KSS|AEXNOTIFY", async () => {
    const { policy } = await policyOf(tb.clients, tb.deployment, tb.workloadId);
    expect(policy.launch).toEqual(defaultPolicy().launch);
    expect(policy.launch.minSnpTcb).toEqual({});
  });

  it("every launch field round-trips through schedulePolicy and policyOf", async () => {
    const base = defaultPolicy();
    const launch = {
      minSnpTcb: {
        Milan: { bootloader: 3, tee: 0, snp: 8, microcode: 115 },
        Turin: { bootloader: 1, tee: 2, snp: 3, microcode: 4, fmc: 5 },
      },
      snpAllowedVmpls: [0, 2],
      snpAllowMigrateMa: true,
      snpRequireSmtOff: true,
      tdxAllowedTdAttributes: 1n << 28n,
      tdxAllowedXfam: 0xe7n,
      tdxOwnerConfigDigest: keccak256(stringToBytes("owner config")),
      sgxAllowedAttributes: 0x15n,
      sgxMinIsvSvn: 7,
    };
    await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, { ...base, launch });
    await tb.chain.increaseTime(DAY);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy.launch).toEqual(launch);
  });
});

describe("tightening is immediate, loosening is delayed", () => {
  it("raising a minimum TCB, requiring SMT off and raising the SGX ISVSVN takes effect at once", async () => {
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, strict());
    expect(effectiveAt).toBe(await tb.chain.now());
    expect(await pendingAt(tb.workloadId)).toBe(0n);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy.launch).toEqual(strict().launch);
  });

  it.each([
    [
      "a lower Genoa microcode",
      (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, minSnpTcb: { Genoa: { bootloader: 9, tee: 0, snp: 23, microcode: 71 } } } }),
    ],
    ["dropping the Genoa minimum", (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, minSnpTcb: {} } })],
    ["VMPL 1 allowed", (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, snpAllowedVmpls: [0, 1] } })],
    ["SMT allowed again", (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, snpRequireSmtOff: false } })],
    [
      "PROVISIONKEY allowed",
      (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, sgxAllowedAttributes: p.launch.sgxAllowedAttributes | 0x10n } }),
    ],
    [
      "another owner config",
      (p: WorkloadPolicy) => ({ ...p, launch: { ...p.launch, tdxOwnerConfigDigest: keccak256(stringToBytes("x")) } }),
    ],
    ["a longer evidence age", (p: WorkloadPolicy) => ({ ...p, maxEvidenceAge: p.maxEvidenceAge + 1 })],
    ["one advisory less", (p: WorkloadPolicy) => ({ ...p, deniedAdvisories: [] })],
  ])("%s waits for the policy delay, and the stricter policy stays in force until then", async (_name, loosen) => {
    const stricter = { ...strict(), deniedAdvisories: ["INTEL-SA-00615"] };
    await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, stricter);
    const looser = loosen(stricter);
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, looser);
    expect(effectiveAt).toBe((await tb.chain.now()) + DAY);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy).toEqual(stricter);
    await tb.chain.increaseTime(DAY - 2n);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy).toEqual(stricter);
    await tb.chain.increaseTime(2n);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy).toEqual(looser);
  });
});

describe("new measurements and accepted owners wait for the policy delay", () => {
  it("a new measurement cannot carry a verdict before its effectiveAt; revoking it is immediate", async () => {
    const added = await addMeasurement(tb.clients, tb.deployment, tb.workloadId, 2, {
      tee: "sgx",
      mrenclave: keccak256(stringToBytes("v2")),
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    expect(added.effectiveAt).toBe((await tb.chain.now()) + DAY);
    const info = await tb.read<{ effectiveAt: bigint }>("workloadRegistry", "measurementOf", [tb.workloadId, added.measurementHash]);
    expect(info.effectiveAt).toBe(added.effectiveAt);
    const early = await tb.verdict(tb.validators[5]!.address, { measurementHash: added.measurementHash });
    await expectRevert(tb.client.finalizeVerdict(early, await tb.sign(early)), "WorkloadRegistryMeasurementNotYetEffective", [
      tb.workloadId,
      added.measurementHash,
      added.effectiveAt,
    ]);
    await tb.chain.increaseTime(DAY);
    const later = await tb.verdict(tb.validators[5]!.address, { measurementHash: added.measurementHash });
    await tb.client.finalizeVerdict(later, await tb.sign(later));

    const pending = await addMeasurement(tb.clients, tb.deployment, tb.workloadId, 3, {
      tee: "sgx",
      mrenclave: keccak256(stringToBytes("v3")),
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, pending.measurementHash]);
    expect(
      await tb.read<{ revoked: boolean }>("workloadRegistry", "measurementOf", [tb.workloadId, pending.measurementHash]),
    ).toMatchObject({ revoked: true });
  });

  it("an accepted owner takes over after the policy delay; the previous owner governs until then", async () => {
    const { workloadId } = await registerWorkload(tb.clients, tb.deployment, "handover");
    await tb.send("workloadRegistry", "transferWorkloadOwnership", [workloadId, tb.stranger]);
    const accepted = await sendContractCall<bigint>(tb.as(tb.stranger), {
      address: tb.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "acceptWorkloadOwnership",
      args: [workloadId],
    });
    expect(accepted.result).toBe((await tb.chain.now()) + DAY);
    expect(await tb.read("workloadRegistry", "workloadOf", [workloadId])).toMatchObject({
      owner: tb.admin,
      pendingOwner: tb.stranger,
      pendingOwnerEffectiveAt: accepted.result,
    });
    await expectRevert(
      tb.send("workloadRegistry", "setWorkloadMetadata", [workloadId, "ipfs://x"], tb.stranger),
      "WorkloadRegistryNotOwner",
      [workloadId, tb.admin, tb.stranger],
    );
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("workloadRegistry", "workloadOf", [workloadId])).toMatchObject({
      owner: tb.stranger,
      pendingOwner: "0x0000000000000000000000000000000000000000",
      pendingOwnerEffectiveAt: 0n,
    });
    await tb.send("workloadRegistry", "setWorkloadMetadata", [workloadId, "ipfs://x"], tb.stranger);
  });
});

describe("admin in two steps, delays with floors", () => {
  it.each(["workloadRegistry", "validatorSet", "attestationRegistry"] as const)(
    "%s: DEFAULT_ADMIN_ROLE moves only by begin + accept after the admin delay",
    async (contract) => {
      const zero: Hex = `0x${"00".repeat(32)}`;
      await expectRevert(tb.send(contract, "grantRole", [zero, tb.stranger]), "AccessControlEnforcedDefaultAdminRules");
      await tb.send(contract, "beginDefaultAdminTransfer", [tb.stranger]);
      const [pending, schedule] = await tb.read<[Address, number]>(contract, "pendingDefaultAdmin");
      expect(pending).toBe(tb.stranger);
      await expectRevert(tb.send(contract, "acceptDefaultAdminTransfer", [], tb.stranger), "AccessControlEnforcedDefaultAdminDelay", [
        schedule,
      ]);
      await tb.chain.increaseTime(DAY + 1n);
      await tb.send(contract, "acceptDefaultAdminTransfer", [], tb.stranger);
      expect(await tb.read(contract, "defaultAdmin")).toBe(tb.stranger);
      expect(await tb.read(contract, "hasRole", [zero, tb.admin])).toBe(false);
    },
  );

  it("a production deployment refuses policy, governance and admin delays under 1 day", async () => {
    await expectRevert(tb.send("workloadRegistry", "setPolicyDelay", [DAY - 1n]), "WorkloadRegistryPolicyDelay", [
      DAY - 1n,
      DAY,
      30n * DAY,
    ]);
    await expectRevert(tb.send("validatorSet", "setGovernanceDelay", [3_600n]), "ValidatorSetGovernanceDelay", [3_600n, DAY, 30n * DAY]);
    for (const contract of ["workloadRegistry", "validatorSet", "attestationRegistry"] as const) {
      expect(await tb.read(contract, "adminDelayFloor")).toBe(Number(DAY));
      await expectRevert(tb.send(contract, "changeDefaultAdminDelay", [0]), "KeepAdminRulesDelayBelowFloor", [0, Number(DAY)]);
    }
  });
});
