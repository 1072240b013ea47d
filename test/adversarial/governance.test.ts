// Adversaries against "tightening is immediate, loosening is delayed" (issue 10), each on a production
// deployment (1-day floors) and each ending in the contracts' typed refusal: a governor or owner trying
// to loosen at once, an owner using a measurement it just added, a single admin key handing the admin
// role over in one step or shortening the notice it must give.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, policyOf } from "../../src/chain/workloads.ts";
import { expectRevert, schedulePolicy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

const DAY = 86_400n;
const ADMIN: Hex = `0x${"00".repeat(32)}`;
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

describe("an attacker who holds the owner or governor key", () => {
  it("cannot loosen a policy at once: a 30-day verdict lifetime is refused until the policy delay has passed", async () => {
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, {
      ...defaultPolicy(),
      verdictLifetime: 30 * Number(DAY),
    });
    expect(effectiveAt).toBe((await tb.chain.now()) + DAY);
    const v = await tb.verdict(tb.validators[6]!.address, { expiresAt: (await tb.chain.now()) + 20n * DAY });
    await expectRevert(tb.client.finalizeVerdict(v, await tb.sign(v)), "AttestationRegistryLifetimeTooLong");
  });

  it("cannot shorten the policy delay first: under the floor is refused, and any change waits the current delay", async () => {
    await expectRevert(tb.send("workloadRegistry", "setPolicyDelay", [0n]), "WorkloadRegistryPolicyDelay", [0n, DAY, 30n * DAY]);
    await tb.send("workloadRegistry", "setPolicyDelay", [DAY]);
    expect(await tb.read("workloadRegistry", "policyDelay")).toBe(DAY);
  });

  it("cannot dress a loosening as a tightening: one looser launch field among tighter ones makes the whole policy wait", async () => {
    const p = defaultPolicy();
    const mixed = {
      ...p,
      verdictLifetime: Number(DAY),
      launch: { ...p.launch, minSnpTcb: { Genoa: { bootloader: 9, tee: 0, snp: 23, microcode: 72 } }, snpAllowedVmpls: [0, 3] },
    };
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, mixed);
    expect(effectiveAt).toBe((await tb.chain.now()) + DAY);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy.launch.snpAllowedVmpls).toEqual([0]);
  });

  it("cannot add a measurement and have a verdict rest on it at once", async () => {
    const added = await addMeasurement(tb.clients, tb.deployment, tb.workloadId, 9, {
      tee: "sgx",
      mrenclave: keccak256(stringToBytes("backdoored enclave")),
      mrsigner: `0x${"00".repeat(32)}`,
      isvProdId: 0,
      minIsvSvn: 0,
    });
    const v = await tb.verdict(tb.validators[6]!.address, { measurementHash: added.measurementHash });
    await expectRevert(tb.client.finalizeVerdict(v, await tb.sign(v)), "WorkloadRegistryMeasurementNotYetEffective", [
      tb.workloadId,
      added.measurementHash,
      added.effectiveAt,
    ]);
  });
});

describe("an attacker who holds the single admin key", () => {
  it("cannot grant DEFAULT_ADMIN_ROLE to itself in one step", async () => {
    for (const contract of ["workloadRegistry", "validatorSet", "attestationRegistry"] as const) {
      await expectRevert(tb.send(contract, "grantRole", [ADMIN, tb.stranger]), "AccessControlEnforcedDefaultAdminRules");
    }
  });

  it("cannot have the new admin accept before the admin delay", async () => {
    await tb.send("workloadRegistry", "beginDefaultAdminTransfer", [tb.stranger]);
    const [, schedule] = await tb.read<[Hex, number]>("workloadRegistry", "pendingDefaultAdmin");
    await expectRevert(
      tb.send("workloadRegistry", "acceptDefaultAdminTransfer", [], tb.stranger),
      "AccessControlEnforcedDefaultAdminDelay",
      [schedule],
    );
  });

  it("cannot drop the admin delay under the floor to hand over faster", async () => {
    await expectRevert(tb.send("attestationRegistry", "changeDefaultAdminDelay", [60]), "KeepAdminRulesDelayBelowFloor", [60, Number(DAY)]);
  });
});
