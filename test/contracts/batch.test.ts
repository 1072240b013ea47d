// Batches: one set of signatures over a Merkle root; group events from which an indexer learns every
// verdict; proofs, verification in a view, materialization into isAttested, and revocation.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, keccak256, numberToHex, padHex, parseEventLogs, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import type { WorkloadPolicy } from "../../src/policy/types.ts";
import {
  batchRoot,
  buildBatch,
  expandVerdictGroups,
  unboundSubject,
  verdictId,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";
import { devPolicy, expectRevert, schedulePolicy, startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let tb: Testbed;
let restore: () => Promise<void>;
beforeAll(async () => {
  tb = await startTestbed();
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

const subject = (n: number): Address => getAddress(padHex(numberToHex(0x7000 + n), { size: 20 }));

async function twoGroups(): Promise<VerdictGroup[]> {
  const sgx = await tb.group([subject(1), subject(2), subject(3)]);
  const tdx = await tb.group([subject(4), subject(5)], { measurementHash: tb.measurements.tdx, tee: 2, tcbStatus: 2 });
  return [sgx, tdx];
}

describe("batches", () => {
  it("finalize under one signature set; the events alone give back every verdict and the root", async () => {
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    const signatures = await tb.signBatch(batch.root, batch.count);
    const { batchId, receipt } = await tb.client.finalizeBatch(groups, signatures);
    expect(batchId).toBe(batch.root);
    expect(await tb.read("attestationRegistry", "batchOf", [batchId])).toMatchObject({ count: 5 });

    // What an indexer does: read the events, expand each group, rebuild the ids and the tree.
    const events = parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs });
    const header = events.find((e) => e.eventName === "BatchFinalized");
    expect(header?.args).toMatchObject({ batchId, count: 5, groupCount: 2 });
    const groupEvents = parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "VerdictGroupFinalized" });
    expect(groupEvents.map((e) => [e.args.groupIndex, e.args.firstLeaf, e.args.measurementSerial])).toEqual([
      [0, 0, 1],
      [1, 3, 2],
    ]);
    const fromEvents = groupEvents.map((e) => e.args.group as unknown as VerdictGroup);
    expect(fromEvents).toEqual(groups);
    const ids = expandVerdictGroups(fromEvents).map(verdictId);
    expect(ids).toEqual(batch.leaves);
    expect(batchRoot(ids)).toBe(batchId);
  });

  it("a batch of one has its verdict id as root", async () => {
    const group = await tb.group([subject(9)]);
    const batch = buildBatch([group]);
    const { batchId } = await tb.client.finalizeBatch([group], await tb.signBatch(batch.root, 1));
    expect(batchId).toBe(verdictId(batch.verdicts[0]!));
  });

  it("every batched verdict verifies with its proof, and materializes into isAttested", async () => {
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    await tb.client.finalizeBatch(groups, await tb.signBatch(batch.root, batch.count));
    for (const [i, v] of batch.verdicts.entries()) {
      expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [v, batch.root, batch.proof(i)])).toBe(true);
      expect((await tb.client.isAttested(v.subject, tb.workloadId)).ok).toBe(false);
    }
    const { verdictId: id, receipt } = await tb.client.materializeVerdict(batch.verdicts[4]!, batch.root, batch.proof(4));
    expect(parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs, eventName: "VerdictMaterialized" })[0]!.args).toEqual({
      verdictId: id,
      batchId: batch.root,
      subject: subject(5),
      verdict: batch.verdicts[4],
      measurementSerial: 2,
    });
    expect(await tb.client.isAttested(subject(5), tb.workloadId)).toEqual({
      ok: true,
      verdictId: id,
      expiresAt: batch.verdicts[4]!.expiresAt,
    });
    expect(await tb.read("attestationRegistry", "verdictOf", [id])).toMatchObject({ finalized: true, batched: true, live: true });
    await expectRevert(
      tb.client.materializeVerdict(batch.verdicts[4]!, batch.root, batch.proof(4)),
      "AttestationRegistryVerdictAlreadyFinalized",
      [id],
    );
  });

  it("verification fails for a tampered verdict, a wrong proof or an unknown batch", async () => {
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    await tb.client.finalizeBatch(groups, await tb.signBatch(batch.root, batch.count));
    const v = batch.verdicts[1]!;
    expect(
      await tb.read("attestationRegistry", "verifyBatchedVerdict", [{ ...v, expiresAt: v.expiresAt + 1n }, batch.root, batch.proof(1)]),
    ).toBe(false);
    expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [v, batch.root, batch.proof(2)])).toBe(false);
    expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [v, keccak256("0x01"), batch.proof(1)])).toBe(false);
  });

  it("revoking a batched verdict before it is materialized stops it for good", async () => {
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    await tb.client.finalizeBatch(groups, await tb.signBatch(batch.root, batch.count));
    const id = batch.leaves[2]!;
    await tb.send("attestationRegistry", "revokeVerdict", [id, "bad evidence"]);
    expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [batch.verdicts[2], batch.root, batch.proof(2)])).toBe(false);
    await expectRevert(tb.client.materializeVerdict(batch.verdicts[2]!, batch.root, batch.proof(2)), "AttestationRegistryVerdictRevoked", [
      id,
    ]);
  });

  it("a measurement revocation stops the group resting on it, materialized or not", async () => {
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    await tb.client.finalizeBatch(groups, await tb.signBatch(batch.root, batch.count));
    await tb.client.materializeVerdict(batch.verdicts[0]!, batch.root, batch.proof(0));
    await tb.send("workloadRegistry", "revokeMeasurement", [tb.workloadId, tb.measurements.sgx]);
    expect((await tb.client.isAttested(subject(1), tb.workloadId)).ok).toBe(false);
    expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [batch.verdicts[1], batch.root, batch.proof(1)])).toBe(false);
    await expectRevert(
      tb.client.materializeVerdict(batch.verdicts[1]!, batch.root, batch.proof(1)),
      "AttestationRegistryMeasurementRevoked",
    );
    expect(await tb.read("attestationRegistry", "verifyBatchedVerdict", [batch.verdicts[3], batch.root, batch.proof(3)])).toBe(true);
  });

  it("an expired batched verdict can no longer be materialized", async () => {
    const group = await tb.group([subject(1), subject(2)]);
    const batch = buildBatch([group]);
    await tb.client.finalizeBatch([group], await tb.signBatch(batch.root, batch.count));
    await tb.chain.increaseTime(86_400);
    await expectRevert(tb.client.materializeVerdict(batch.verdicts[0]!, batch.root, batch.proof(0)), "AttestationRegistryVerdictExpired");
  });

  it("the per-verdict rules apply per item: one bad item refuses the batch", async () => {
    const group = await tb.group([subject(1), "0x0000000000000000000000000000000000000000", subject(3)]);
    const batch = buildBatch([group]);
    await expectRevert(tb.client.finalizeBatch([group], await tb.signBatch(batch.root, batch.count)), "AttestationRegistryZeroSubject");
  });

  it("unbound items need a dev policy that allows them and their pseudo-subject", async () => {
    const evidence: Hex = keccak256("0xabcd");
    const group = await tb.group([unboundSubject(evidence)]);
    group.items[0] = { subject: unboundSubject(evidence), evidenceHash: evidence, freshnessBlock: 0n };
    const batch = buildBatch([group]);
    await expectRevert(
      tb.client.finalizeBatch([group], await tb.signBatch(batch.root, 1)),
      "AttestationRegistryUnboundEvidenceNotAllowed",
      [evidence],
    );
    await schedulePolicy(tb.clients, tb.deployment, tb.workloadId, devPolicy(true) as unknown as WorkloadPolicy);
    await tb.client.finalizeBatch([group], await tb.signBatch(batch.root, 1));
    await tb.client.materializeVerdict(batch.verdicts[0]!, batch.root, batch.proof(0));
    expect((await tb.client.isAttested(unboundSubject(evidence), tb.workloadId)).ok).toBe(true);
  });

  it("signatures over a different count do not finalize the batch", async () => {
    // With one signature the recovered address is deterministic: some key that is not a validator.
    await tb.send("validatorSet", "setThreshold", [1]);
    const groups = await twoGroups();
    const batch = buildBatch(groups);
    const wrongCount = await tb.signBatch(batch.root, batch.count + 1, tb.validators.slice(0, 1));
    await expectRevert(tb.client.finalizeBatch(groups, wrongCount), "AttestationRegistryUnknownSigner");
    await tb.client.finalizeBatch(groups, await tb.signBatch(batch.root, batch.count, tb.validators.slice(0, 1)));
  });
});
