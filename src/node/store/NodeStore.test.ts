import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { TEST_DATABASES } from "../../../test/support/databases.ts";
import { buildBatch, verdictId, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/index";
import { verdictToJson } from "../types.ts";
import { NodeStore, type AcceptInput } from "./NodeStore.ts";

const h = (s: string): Hex => keccak256(stringToBytes(s));
const SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Hex;

function verdictFor(n: number): Verdict {
  return {
    workloadId: h("w"),
    measurementHash: h("m"),
    tee: 5,
    tcbStatus: 8,
    subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
    evidenceHash: h(`e${n}`),
    collateralHash: `0x${"00".repeat(32)}`,
    issuedAt: 1_000n,
    expiresAt: 2_000n,
    freshnessBlock: BigInt(n),
  };
}

function acceptInput(n: number, mode: "single" | "batch" = "single"): AcceptInput {
  const v = verdictFor(n);
  const id = verdictId(v);
  return {
    requestId: h(`r${n}`),
    workloadId: v.workloadId,
    source: "http",
    verdictId: id,
    verdict: verdictToJson(v),
    mode,
    evidence: stringToBytes(`evidence ${n}`),
    collateral: [{ name: "tcb.json", bytes: stringToBytes("{}") }],
    link: {
      verdictId: id,
      evidenceHash: keccak256(stringToBytes(`evidence ${n}`)),
      workloadId: v.workloadId,
      subjectPublicKey: null,
      bindingContext: "keep",
      freshnessBlock: n,
    },
    signed: {
      verdictId: id,
      evidenceHash: v.evidenceHash,
      workloadId: v.workloadId,
      tee: "sgx",
      tcbStatus: "UpToDate",
      fmspc: "00906ed50000",
      tcbEvaluationDataNumber: 17,
      expiresAt: 2_000,
    },
    signature: { signer: SIGNER, signature: `0x${"11".repeat(65)}` },
  };
}

describe.each(TEST_DATABASES)("NodeStore on $name", (database) => {
  let store: NodeStore;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await database.open();
    drop = opened.drop;
    store = await NodeStore.open(opened.db);
  });
  afterAll(() => drop());

  it("keeps an accepted request, its pending verdict, evidence and own signature, and settles them", async () => {
    const input = acceptInput(1);
    await store.accept(input);
    expect((await store.request(input.requestId))?.status).toBe("pending");
    expect((await store.openVerdicts()).map((v) => v.verdictId)).toContain(input.verdictId);
    expect(await store.signatures(input.verdictId)).toEqual([{ signer: SIGNER, signature: input.signature!.signature }]);
    expect((await store.evidence.verdictLink(input.verdictId))?.freshnessBlock).toBe(1);
    await store.setVerdictState(input.verdictId, "submitting", { txHash: h("tx") });
    await store.setVerdictState(input.verdictId, "finalized");
    expect(await store.request(input.requestId)).toMatchObject({ status: "finalized", verdictId: input.verdictId });
    expect(await store.verdict(input.verdictId)).toMatchObject({ state: "finalized", txHash: h("tx"), attempts: 1 });
    expect((await store.openVerdicts()).map((v) => v.verdictId)).not.toContain(input.verdictId);
  });

  it("records a refusal under the request id with its error", async () => {
    const error = { code: "POLICY_TEE_NOT_ALLOWED", message: "no", stage: "policy" };
    await store.reject({ requestId: h("refused"), workloadId: h("w"), evidenceHash: h("x"), source: "http" }, error);
    expect(await store.request(h("refused"))).toMatchObject({ status: "rejected", error, verdictId: null });
  });

  it("assigns verdicts to a batch atomically, dissolves it and finalizes a new one", async () => {
    const inputs = [2, 3, 4].map((n) => acceptInput(n, "batch"));
    for (const i of inputs) await store.accept(i);
    const pending = await store.unbatchedVerdicts(10);
    expect(pending.map((v) => v.verdictId)).toEqual(inputs.map((i) => i.verdictId));
    const { workloadId, measurementHash, tee, tcbStatus, collateralHash, issuedAt, expiresAt } = verdictFor(0);
    const group: VerdictGroup = {
      workloadId,
      measurementHash,
      tee,
      tcbStatus,
      collateralHash,
      issuedAt,
      expiresAt,
      items: [2, 3, 4].map((n) => ({
        subject: verdictFor(n).subject,
        evidenceHash: verdictFor(n).evidenceHash,
        freshnessBlock: BigInt(n),
      })),
    };
    const batch = buildBatch([group]);
    await store.createBatch(
      batch.root,
      [group],
      inputs.map((i) => i.verdictId),
      { signer: SIGNER, signature: `0x${"22".repeat(65)}` },
    );
    expect(await store.unbatchedVerdicts(10)).toEqual([]);
    expect((await store.batch(batch.root))?.groups).toEqual([group]);
    expect(await store.batchVerdictIds(batch.root)).toEqual(inputs.map((i) => i.verdictId));

    await store.dissolveBatch(batch.root, new Set([inputs[0]!.verdictId]));
    expect(await store.batch(batch.root)).toBeUndefined();
    const back = await store.unbatchedVerdicts(10);
    expect(back.map((v) => v.verdictId)).toEqual(inputs.slice(1).map((i) => i.verdictId));
    expect((await store.verdict(inputs[0]!.verdictId))?.mode).toBe("single");

    await store.createBatch(
      batch.root,
      [group],
      inputs.slice(1).map((i) => i.verdictId),
      { signer: SIGNER, signature: `0x${"22".repeat(65)}` },
    );
    await store.setBatchState(batch.root, "finalized", { txHash: h("batch tx") });
    for (const i of inputs.slice(1)) expect(await store.request(i.requestId)).toMatchObject({ status: "finalized" });
  });

  it("supersedes a pending verdict once: the request follows the new one, the old one's signatures and signed record go", async () => {
    const first = acceptInput(10);
    await store.accept(first);
    await store.addSignature(first.verdictId, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", `0x${"33".repeat(65)}`);
    const v = { ...verdictFor(10), collateralHash: h("newer collateral") };
    const id = verdictId(v);
    const next: AcceptInput = {
      ...first,
      verdictId: id,
      verdict: verdictToJson(v),
      link: { ...first.link, verdictId: id },
      signed: { ...first.signed, verdictId: id },
      signature: { signer: SIGNER, signature: `0x${"44".repeat(65)}` },
    };
    const error = { code: "NODE_VERDICT_SUPERSEDED", message: "replaced", stage: "policy", details: { supersededBy: id } };
    expect(await store.supersede(first.verdictId, next, error)).toBe(true);
    expect(await store.verdict(first.verdictId)).toMatchObject({ state: "superseded", error });
    expect(await store.signatures(first.verdictId)).toEqual([]);
    expect(await store.signatures(id)).toEqual([{ signer: SIGNER, signature: `0x${"44".repeat(65)}` }]);
    expect(await store.request(first.requestId)).toMatchObject({ status: "pending", verdictId: id });
    expect((await store.currentVerdict(first.verdictId))?.verdictId).toBe(id);
    const open = (await store.openVerdicts()).map((r) => r.verdictId);
    expect(open).toContain(id);
    expect(open).not.toContain(first.verdictId);
    expect((await store.evidence.verdictLink(id))?.freshnessBlock).toBe(10);
    expect(await store.tcb.liveSignedFor("00906ed50000", 1_500)).not.toContainEqual(
      expect.objectContaining({ verdictId: first.verdictId }),
    );
    // A second attempt (a retry, a second heal racing) writes nothing.
    expect(await store.supersede(first.verdictId, { ...next, verdictId: h("another") }, error)).toBe(false);
    expect(await store.verdict(h("another"))).toBeUndefined();
    expect((await store.request(first.requestId))?.verdictId).toBe(id);
  });

  it("counts collateral heals per request", async () => {
    expect(await store.countCollateralHeal(h("heal request"))).toBe(1);
    expect(await store.countCollateralHeal(h("heal request"))).toBe(2);
    expect(await store.countCollateralHeal(h("other request"))).toBe(1);
  });

  it("keeps only the newest TCB Info of a platform", async () => {
    const info = {
      tee: "sgx",
      fmspc: "00906ed50000",
      evaluationDataNumber: 17,
      issueDate: 100,
      files: [{ name: "tcbInfo.json", bytes: stringToBytes('{"a":1}') }],
    };
    expect(await store.tcb.saveTcbInfo(info)).toBe(true);
    expect(await store.tcb.saveTcbInfo({ ...info, evaluationDataNumber: 16 })).toBe(false);
    expect(await store.tcb.saveTcbInfo({ ...info, evaluationDataNumber: 18 })).toBe(true);
    expect((await store.tcb.tcbInfo("sgx", "00906ed50000"))?.evaluationDataNumber).toBe(18);
    expect(await store.tcb.livePlatforms(1_500)).toEqual([
      { tee: "sgx", fmspc: "00906ed50000", evidenceHash: expect.stringMatching(/^0x/) },
    ]);
    expect(await store.tcb.livePlatforms(2_500)).toEqual([]);
  });
});
