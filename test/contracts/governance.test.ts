// Governance on a production-style deployment (governance and policy delay 1 day, the floors): nothing
// takes effect before its effectiveAt; the bootstrap; validators counting through their own verdicts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keccak256, parseEventLogs, stringToBytes, type Address, type Hex } from "viem";
import { attestationRegistryAbi, validatorSetAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { addMeasurement, policyOf, registerWorkload } from "../../src/chain/workloads.ts";
import type { Verdict } from "@keepledger/sdk/internal/ids/index";
import { expectRevert, schedulePolicy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

const DAY = 86_400n;
let tb: Testbed;
let restore: () => Promise<void>;
beforeAll(async () => {
  tb = await startTestbed({ devPoliciesAllowed: false, governanceDelay: DAY, policyDelay: DAY });
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

const v = (i: number) => tb.validators[i]!;
const counting = (a: Address) => tb.read<boolean>("validatorSet", "isCounting", [a]);
const effectiveAtOf = (logs: Parameters<typeof parseEventLogs>[0]["logs"]) => {
  const args = parseEventLogs({ abi: validatorSetAbi, logs })[0]!.args as { effectiveAt?: bigint; closesAt?: bigint };
  return args.effectiveAt ?? args.closesAt;
};

/** Registers the validator workload, designates it (waiting out the delay) and returns its measurement. */
async function designateValidatorWorkload(): Promise<{ workloadId: Hex; measurementHash: Hex }> {
  const { workloadId } = await registerWorkload(tb.clients, tb.deployment, "keepledger-validator");
  const { measurementHash } = await addMeasurement(tb.clients, tb.deployment, workloadId, 1, {
    tee: "sgx",
    mrenclave: keccak256(stringToBytes("validator enclave")),
    mrsigner: `0x${"00".repeat(32)}`,
    isvProdId: 0,
    minIsvSvn: 0,
  });
  await tb.send("validatorSet", "setValidatorWorkload", [workloadId]);
  await tb.chain.increaseTime(DAY);
  return { workloadId, measurementHash };
}

/** Finalizes and attaches validator i's own verdict, valid `lifetime` seconds. */
async function selfAttest(
  i: number,
  w: { workloadId: Hex; measurementHash: Hex },
  lifetime = 2n * DAY,
): Promise<{ id: Hex; verdict: Verdict }> {
  const now = await tb.chain.now();
  const verdict = await tb.verdict(v(i).address, {
    workloadId: w.workloadId,
    measurementHash: w.measurementHash,
    expiresAt: now + lifetime,
  });
  const { verdictId } = await tb.client.finalizeVerdict(verdict, await tb.sign(verdict));
  await tb.send("validatorSet", "attachVerdict", [v(i).address, verdict], tb.stranger);
  return { id: verdictId, verdict };
}

describe("delays", () => {
  it("a threshold change waits for the governance delay, and is visible as pending meanwhile", async () => {
    const receipt = await tb.send("validatorSet", "setThreshold", [3]);
    const at = effectiveAtOf(receipt.logs);
    expect(at).toBe((await tb.chain.now()) + DAY);
    expect(await tb.read("validatorSet", "threshold")).toBe(2);
    expect(await tb.read("validatorSet", "pendingThreshold")).toEqual([3, at]);
    await tb.chain.increaseTime(DAY - 1n);
    expect(await tb.read("validatorSet", "threshold")).toBe(2);
    await tb.chain.increaseTime(1);
    expect(await tb.read("validatorSet", "threshold")).toBe(3);
    expect(await tb.read("validatorSet", "pendingThreshold")).toEqual([0, 0n]);
  });

  it("an added validator is inactive until effectiveAt; a removed one counts until then", async () => {
    const added = v(5).address;
    const addition = await tb.send("validatorSet", "addValidator", [added, "https://new.example", 0]);
    const removal = await tb.send("validatorSet", "removeValidator", [v(2).address]);
    const removedAt = effectiveAtOf(removal.logs);
    const info = await tb.read<{ activeFrom: bigint; registered: boolean }>("validatorSet", "validatorOf", [added]);
    expect(info.registered).toBe(true);
    expect(info.activeFrom).toBe(effectiveAtOf(addition.logs));
    expect(await counting(added)).toBe(false);
    expect(await counting(v(2).address)).toBe(true);
    expect(await tb.read<Address[]>("validatorSet", "validators")).toContain(v(2).address);
    const verdict = await tb.verdict(v(7).address);
    await tb.client.finalizeVerdict(verdict, await tb.sign(verdict, [v(1), v(2)]));
    await tb.chain.increaseTime(removedAt! - (await tb.chain.now()));
    expect(await counting(v(2).address)).toBe(false);
    expect(await tb.read<Address[]>("validatorSet", "validators")).not.toContain(v(2).address);
  });

  it("a logging-profile change is pending until effectiveAt", async () => {
    const receipt = await tb.send("validatorSet", "setLoggingProfile", [v(0).address, 2]);
    const at = effectiveAtOf(receipt.logs);
    expect(await tb.read("validatorSet", "validatorOf", [v(0).address])).toMatchObject({
      loggingProfile: 0,
      pendingLoggingProfile: 2,
      loggingProfileEffectiveAt: at,
    });
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("validatorSet", "validatorOf", [v(0).address])).toMatchObject({ loggingProfile: 2, pendingLoggingProfile: 2 });
  });

  it("a governance-delay change waits for the current delay; changes scheduled meanwhile still use the old one", async () => {
    await tb.send("validatorSet", "setGovernanceDelay", [2n * DAY]);
    const meanwhile = await tb.send("validatorSet", "setThreshold", [1]);
    expect(effectiveAtOf(meanwhile.logs)).toBe((await tb.chain.now()) + DAY);
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("validatorSet", "governanceDelay")).toBe(2n * DAY);
    const after = await tb.send("validatorSet", "setThreshold", [2]);
    expect(effectiveAtOf(after.logs)).toBe((await tb.chain.now()) + 2n * DAY);
  });

  it("a looser workload policy waits for the policy delay; the verdicts it governs change with it", async () => {
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, {
      ...defaultPolicy(),
      verdictLifetime: 14 * Number(DAY),
    });
    expect(effectiveAt).toBe((await tb.chain.now()) + DAY);
    const [pending, pendingAt] = await tb.read<[{ verdictLifetime: bigint }, bigint]>("workloadRegistry", "pendingPolicyOf", [
      tb.workloadId,
    ]);
    expect(pending.verdictLifetime).toBe(14n * DAY);
    expect(pendingAt).toBe(effectiveAt);
    const early = await tb.verdict(v(6).address, { expiresAt: (await tb.chain.now()) + 10n * DAY });
    await expectRevert(tb.client.finalizeVerdict(early, await tb.sign(early)), "AttestationRegistryLifetimeTooLong");
    await tb.chain.increaseTime(DAY);
    const later = await tb.verdict(v(6).address, { expiresAt: (await tb.chain.now()) + 10n * DAY });
    await tb.client.finalizeVerdict(later, await tb.sign(later));
  });

  it("a tighter workload policy is in force at once; the verdicts it governs change with it", async () => {
    const { effectiveAt } = await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, { ...defaultPolicy(), verdictLifetime: 3_600 });
    expect(effectiveAt).toBe(await tb.chain.now());
    expect((await tb.read<[unknown, bigint]>("workloadRegistry", "pendingPolicyOf", [tb.workloadId]))[1]).toBe(0n);
    expect((await policyOf(tb.clients, tb.deployment, tb.workloadId)).policy.verdictLifetime).toBe(3_600);
    const refused = await tb.verdict(v(7).address);
    await expectRevert(tb.client.finalizeVerdict(refused, await tb.sign(refused)), "AttestationRegistryLifetimeTooLong");
  });

  it("the policy delay itself changes only after the current policy delay", async () => {
    const receipt = await tb.send("workloadRegistry", "setPolicyDelay", [2n * DAY]);
    const [event] = parseEventLogs({ abi: workloadRegistryAbi, logs: receipt.logs, eventName: "PolicyDelayScheduled" });
    expect(event!.args.delay).toBe(2n * DAY);
    expect(event!.args.effectiveAt).toBe((await tb.chain.now()) + DAY);
    expect(await tb.read("workloadRegistry", "policyDelay")).toBe(DAY);
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("workloadRegistry", "policyDelay")).toBe(2n * DAY);
  });
});

describe("bootstrap and validator liveness", () => {
  it("the designated validator workload applies only from its effectiveAt", async () => {
    const { workloadId } = await registerWorkload(tb.clients, tb.deployment, "keepledger-validator");
    const receipt = await tb.send("validatorSet", "setValidatorWorkload", [workloadId]);
    expect(parseEventLogs({ abi: validatorSetAbi, logs: receipt.logs })[0]!.args).toMatchObject({ workloadId, actor: tb.admin });
    expect(await tb.read("validatorSet", "validatorWorkload")).toBe(`0x${"00".repeat(32)}`);
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("validatorSet", "validatorWorkload")).toBe(workloadId);
  });

  it("after the bootstrap closes, only validators with a live own verdict count", async () => {
    const w = await designateValidatorWorkload();
    const own0 = await selfAttest(0, w);
    await selfAttest(1, w);
    const info = await tb.read<{ ownVerdictId: Hex; ownVerdictExpiresAt: bigint }>("validatorSet", "validatorOf", [v(0).address]);
    expect(info.ownVerdictId).toBe(own0.id);
    expect(info.ownVerdictExpiresAt).toBe(own0.verdict.expiresAt);

    const close = await tb.send("validatorSet", "closeBootstrap", []);
    const closesAt = effectiveAtOf(close.logs);
    expect(await tb.read("validatorSet", "bootstrapStatus")).toEqual([true, closesAt]);
    expect(await counting(v(2).address)).toBe(true);
    await tb.chain.increaseTime(DAY);
    expect(await tb.read("validatorSet", "bootstrapStatus")).toEqual([false, closesAt]);
    expect([await counting(v(0).address), await counting(v(1).address), await counting(v(2).address)]).toEqual([true, true, false]);

    const verdict = await tb.verdict(v(7).address);
    await expectRevert(tb.client.finalizeVerdict(verdict, await tb.sign(verdict, [v(0), v(2)])), "AttestationRegistryInactiveValidator", [
      v(2).address,
    ]);
    await tb.client.finalizeVerdict(verdict, await tb.sign(verdict, [v(0), v(1)]));
    await expectRevert(
      tb.send("validatorSet", "bootstrapValidator", [v(5).address, "https://late.example", 0]),
      "ValidatorSetBootstrapClosed",
    );
  });

  it("a validator stops counting when its own verdict expires, and counts again with a newer one", async () => {
    const w = await designateValidatorWorkload();
    await selfAttest(0, w, 3n * DAY);
    await selfAttest(1, w, 3n * DAY);
    await selfAttest(2, w, DAY + 10n);
    await tb.send("validatorSet", "closeBootstrap", []);
    await tb.chain.increaseTime(DAY);
    expect(await counting(v(2).address)).toBe(true);
    await tb.chain.increaseTime(10);
    expect(await counting(v(2).address)).toBe(false);
    await selfAttest(2, w);
    expect(await counting(v(2).address)).toBe(true);
  });

  it("revoking a validator's own verdict stops it at once, with an event", async () => {
    const w = await designateValidatorWorkload();
    const own = await selfAttest(0, w);
    const receipt = await tb.send("attestationRegistry", "revokeVerdict", [own.id, "validator host compromised"]);
    expect(parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "VerdictRevoked" })).toHaveLength(1);
    expect(parseEventLogs({ abi: validatorSetAbi, logs: receipt.logs, eventName: "ValidatorVerdictInvalidated" })[0]!.args).toEqual({
      validator: v(0).address,
      verdictId: own.id,
    });
    await tb.send("validatorSet", "closeBootstrap", []);
    await tb.chain.increaseTime(DAY);
    expect(await counting(v(0).address)).toBe(false);
    expect(await tb.read("validatorSet", "validatorOf", [v(0).address])).toMatchObject({ ownVerdictRevoked: true, counting: false });
  });

  it("revoking the validator measurement stops every validator resting on it", async () => {
    const w = await designateValidatorWorkload();
    const own0 = await selfAttest(0, w);
    const own1 = await selfAttest(1, w);
    await tb.send("validatorSet", "closeBootstrap", []);
    await tb.chain.increaseTime(DAY);
    const receipt = await tb.send("workloadRegistry", "revokeMeasurement", [w.workloadId, w.measurementHash]);
    expect(
      parseEventLogs({ abi: validatorSetAbi, logs: receipt.logs, eventName: "ValidatorVerdictInvalidated" }).map((e) => e.args),
    ).toEqual([
      { validator: v(0).address, verdictId: own0.id },
      { validator: v(1).address, verdictId: own1.id },
    ]);
    expect([await counting(v(0).address), await counting(v(1).address)]).toEqual([false, false]);
    const verdict = await tb.verdict(v(7).address);
    await expectRevert(tb.client.finalizeVerdict(verdict, await tb.sign(verdict, [v(0), v(1)])), "AttestationRegistryInactiveValidator");
  });

  it("an older own verdict cannot replace a live newer one (anyone may attach)", async () => {
    const w = await designateValidatorWorkload();
    const first = await selfAttest(0, w);
    await tb.chain.increaseTime(60);
    const second = await selfAttest(0, w);
    await expectRevert(tb.send("validatorSet", "attachVerdict", [v(0).address, first.verdict], tb.stranger), "ValidatorSetVerdictNotNewer");
    expect((await tb.read<{ ownVerdictId: Hex }>("validatorSet", "validatorOf", [v(0).address])).ownVerdictId).toBe(second.id);
  });
});

describe("validators and roles", () => {
  it("a validator updates its own endpoint", async () => {
    const receipt = await tb.send("validatorSet", "setEndpoint", ["https://moved.example"], v(1).address);
    expect(parseEventLogs({ abi: validatorSetAbi, logs: receipt.logs })[0]!.args).toEqual({
      validator: v(1).address,
      endpoint: "https://moved.example",
    });
    expect((await tb.read<{ endpoint: string }>("validatorSet", "validatorOf", [v(1).address])).endpoint).toBe("https://moved.example");
  });

  it("DEFAULT_ADMIN_ROLE grants GOVERNOR_ROLE, and the new governor governs", async () => {
    const role = await tb.read<Hex>("validatorSet", "GOVERNOR_ROLE");
    await expectRevert(tb.send("validatorSet", "setThreshold", [1], tb.stranger), "AccessControlUnauthorizedAccount");
    await tb.send("validatorSet", "grantRole", [role, tb.stranger]);
    await tb.send("validatorSet", "setThreshold", [1], tb.stranger);
    expect((await tb.read<[number, bigint]>("validatorSet", "pendingThreshold"))[0]).toBe(1);
  });
});
