/**
 * Revocation that sticks (issue 10 §5), on the in-process chain through the TypeScript client: subject
 * revocations per workload and everywhere reach isAttested, isVerdictLive, verifyBatchedVerdict,
 * finalizeVerdict and materializeVerdict, with their events; lifting is governance only and refuses
 * verdicts issued before it; the platform list is readable with the shared encoding.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, numberToHex, padHex, parseEventLogs, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { platformKindCode, platformValue, readRevocations } from "../../src/chain/revocations.ts";
import { buildBatch } from "@keepledger/sdk/internal/ids/index";
import { expectRevert, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestbed();
});
afterAll(async () => tb?.close());

const keep = (n: number): Address => getAddress(padHex(numberToHex(0x9000 + n), { size: 20 }));
const ZERO32: Hex = `0x${"00".repeat(32)}`;

async function withSnapshot(body: () => Promise<void>): Promise<void> {
  const restore = await tb.snapshot();
  try {
    await body();
  } finally {
    await restore();
  }
}

async function attest(subject: Address): Promise<Hex> {
  const v = await tb.verdict(subject);
  return (await tb.client.finalizeVerdict(v, await tb.sign(v))).verdictId;
}

describe("subject revocation", () => {
  it("in a workload: isAttested and isVerdictLive turn false with the events, and a fresh quorum-signed verdict is refused", () =>
    withSnapshot(async () => {
      const id = await attest(keep(1));
      const receipt = await tb.send("attestationRegistry", "revokeSubject", [keep(1), tb.workloadId, "key leaked"]);
      const events = parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs });
      expect(events.map((e) => e.eventName)).toEqual(["VerdictRevoked", "SubjectRevoked"]);
      expect(events[1]!.args).toEqual({ subject: keep(1), workloadId: tb.workloadId, actor: tb.admin, reason: "key leaked" });
      expect(await tb.client.isAttested(keep(1), tb.workloadId)).toMatchObject({ ok: false, verdictId: ZERO32 });
      expect(await tb.read("attestationRegistry", "isVerdictLive", [id])).toBe(false);

      await tb.chain.increaseTime(3600);
      const fresh = await tb.verdict(keep(1));
      await expectRevert(tb.client.finalizeVerdict(fresh, await tb.sign(fresh)), "AttestationRegistrySubjectRevoked", [
        keep(1),
        tb.workloadId,
      ]);
      expect((await tb.client.isAttested(keep(1), tb.workloadId)).ok).toBe(false);
    }));

  it("everywhere: batched verdicts of the subject neither verify nor materialize, in any workload", () =>
    withSnapshot(async () => {
      const group = await tb.group([keep(2), keep(3)]);
      const batch = buildBatch([group]);
      await tb.client.finalizeBatch([group], await tb.signBatch(batch.root, batch.count));
      const verify = (i: number) =>
        tb.read<boolean>("attestationRegistry", "verifyBatchedVerdict", [batch.verdicts[i], batch.root, batch.proof(i)]);
      expect(await verify(0)).toBe(true);
      await tb.send("attestationRegistry", "revokeSubjectEverywhere", [keep(2), [], "host compromised"]);
      expect(await verify(0)).toBe(false);
      expect(await verify(1)).toBe(true);
      await expectRevert(
        tb.client.materializeVerdict(batch.verdicts[0]!, batch.root, batch.proof(0)),
        "AttestationRegistrySubjectRevoked",
        [keep(2), ZERO32],
      );
      await tb.client.materializeVerdict(batch.verdicts[1]!, batch.root, batch.proof(1));
      expect(await readRevocations(tb.clients, tb.deployment, keep(2), tb.workloadId, [])).toEqual({
        subjectRevoked: true,
        revokedPlatforms: [],
      });
    }));

  it("is lifted by governance only, and then only verdicts issued at or after the lift count", () =>
    withSnapshot(async () => {
      await attest(keep(4));
      const signedBefore = await tb.verdict(keep(4));
      const signatures = await tb.sign(signedBefore);
      await tb.send("attestationRegistry", "revokeSubject", [keep(4), tb.workloadId, "suspected"]);
      await expectRevert(
        tb.send("attestationRegistry", "liftSubjectRevocation", [keep(4), tb.workloadId], tb.stranger),
        "AccessControlUnauthorizedAccount",
      );
      await tb.chain.increaseTime(60);
      const lifted = await tb.send("attestationRegistry", "liftSubjectRevocation", [keep(4), tb.workloadId]);
      const [event] = parseEventLogs({ abi: attestationRegistryAbi, logs: lifted.logs, eventName: "SubjectRevocationLifted" });
      expect(event!.args).toMatchObject({ subject: keep(4), workloadId: tb.workloadId, actor: tb.admin });
      await expectRevert(tb.client.finalizeVerdict(signedBefore, signatures), "AttestationRegistryIssuedBeforeLift");
      expect((await tb.client.isAttested(keep(4), tb.workloadId)).ok).toBe(false);
      const id = await attest(keep(4));
      expect(await tb.client.isAttested(keep(4), tb.workloadId)).toMatchObject({ ok: true, verdictId: id });
    }));
});

describe("the platform revocation list", () => {
  it("reads back what governance listed, with the shared encoding, until it is lifted", () =>
    withSnapshot(async () => {
      const chip = { kind: "amdChipId", value: `0x${"5a".repeat(64)}` } as const;
      await tb.send("attestationRegistry", "revokePlatform", [platformKindCode(chip.kind), platformValue(chip), "chip key extracted"]);
      const entries = [chip, { kind: "tee", value: "sev-snp" } as const];
      expect((await readRevocations(tb.clients, tb.deployment, keep(5), tb.workloadId, entries)).revokedPlatforms).toEqual([chip]);
      await tb.send("attestationRegistry", "liftPlatformRevocation", [2, platformValue(chip)]);
      expect((await readRevocations(tb.clients, tb.deployment, keep(5), tb.workloadId, entries)).revokedPlatforms).toEqual([]);
    }));
});
