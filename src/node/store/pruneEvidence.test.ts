import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { TEST_DATABASES } from "../../../test/support/databases.ts";
import { verdictId, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { verdictToJson } from "../types.ts";
import { NodeStore, type AcceptInput } from "./NodeStore.ts";
import { pruneEvidence } from "./pruneEvidence.ts";

const h = (s: string): Hex => keccak256(stringToBytes(s));

/** A verdict over `evidence` expiring at `expiresAt`, accepted as the node accepts one. */
function accepted(n: number, evidence: string, expiresAt: number): AcceptInput {
  const bytes = stringToBytes(evidence);
  const evidenceHash = keccak256(bytes);
  const v: Verdict = {
    workloadId: h("w"),
    measurementHash: h("m"),
    tee: 5,
    tcbStatus: 8,
    subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
    evidenceHash,
    collateralHash: `0x${"00".repeat(32)}`,
    issuedAt: 1_000n,
    expiresAt: BigInt(expiresAt),
    freshnessBlock: BigInt(n),
  };
  const id = verdictId(v);
  return {
    requestId: h(`r${n}`),
    workloadId: v.workloadId,
    source: "http",
    verdictId: id,
    verdict: verdictToJson(v),
    mode: "single",
    evidence: bytes,
    collateral: [{ name: "tcb.json", bytes: stringToBytes(`{"n":${n}}`) }],
    link: { verdictId: id, evidenceHash, workloadId: v.workloadId, subjectPublicKey: null, bindingContext: "keep", freshnessBlock: n },
    signed: {
      verdictId: id,
      evidenceHash,
      workloadId: v.workloadId,
      tee: "sgx",
      tcbStatus: "UpToDate",
      fmspc: "00906ed50000",
      tcbEvaluationDataNumber: 17,
      expiresAt,
    },
  };
}

describe.each(TEST_DATABASES)("evidence retention on $name", (database) => {
  let store: NodeStore;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const opened = await database.open();
    drop = opened.drop;
    store = await NodeStore.open(opened.db);
  });
  afterEach(() => drop());

  it("prunes only evidence whose verdicts all expired more than the retention period ago", async () => {
    const expired = accepted(1, "expired evidence", 2_000);
    const pending = accepted(2, "pending evidence", 2_000);
    const live = accepted(3, "live evidence", 10_000);
    const sharedOld = accepted(4, "shared evidence", 2_000);
    const sharedNew = accepted(5, "shared evidence", 9_000);
    for (const a of [expired, pending, live, sharedOld, sharedNew]) await store.accept(a);
    for (const a of [expired, live, sharedOld, sharedNew]) await store.setVerdictState(a.verdictId, "finalized");

    // Expired at 2,000, kept for 1,000 s: nothing goes before 3,000.
    expect(await pruneEvidence(store, { retainExpiredSeconds: 1_000, now: 2_999 })).toEqual({ pruned: 0, bytes: 0 });

    const result = await pruneEvidence(store, { retainExpiredSeconds: 1_000, now: 3_001, batchSize: 1 });
    const size = expired.evidence.length + expired.collateral[0]!.bytes.length;
    expect(result).toEqual({ pruned: 1, bytes: size });
    expect(await store.evidence.getEvidence(expired.link.evidenceHash)).toBeUndefined();
    expect(await store.evidence.pruned(expired.link.evidenceHash)).toEqual({
      evidenceHash: expired.link.evidenceHash,
      size,
      expiredAt: 2_000,
      prunedAt: 3_001,
    });
    // The link to the verdict's binding inputs stays: an audit can say what was pruned.
    expect(await store.evidence.verdictLink(expired.verdictId)).toMatchObject({ evidenceHash: expired.link.evidenceHash });
    // A pending request's evidence, live evidence and evidence a live verdict shares are kept.
    for (const kept of [pending, live, sharedOld]) expect(await store.evidence.getEvidence(kept.link.evidenceHash)).toBeDefined();

    // Pruning again finds nothing more; later, the shared evidence goes once its newest verdict expired long enough ago.
    expect(await pruneEvidence(store, { retainExpiredSeconds: 1_000, now: 3_001 })).toEqual({ pruned: 0, bytes: 0 });
    expect((await pruneEvidence(store, { retainExpiredSeconds: 1_000, now: 10_001 })).pruned).toBe(1);
    expect(await store.evidence.getEvidence(sharedOld.link.evidenceHash)).toBeUndefined();
    expect(await store.evidence.getEvidence(live.link.evidenceHash)).toBeDefined();
  });
});
