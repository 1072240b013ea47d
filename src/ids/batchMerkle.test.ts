import fc from "fast-check";
import { concatHex, keccak256, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import { batchProof, batchRoot, buildBatch, expandVerdictGroups, hashPair, verifyBatchProof, type VerdictGroup } from "./batchMerkle.ts";
import { verdictId } from "./verdict.ts";

const leafArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => `0x${Buffer.from(u).toString("hex")}` as Hex);

/** The tree written the other way round: recursively, from the definition in docs/ids.md. */
function referenceRoot(level: Hex[]): Hex {
  if (level.length === 1) return level[0] as Hex;
  const up: Hex[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const a = level[i] as Hex;
    const b = level[i + 1];
    if (b === undefined) up.push(a);
    else up.push(BigInt(a) < BigInt(b) ? keccak256(concatHex([a, b])) : keccak256(concatHex([b, a])));
  }
  return referenceRoot(up);
}

describe("batch Merkle tree", () => {
  it("matches the definition, and every proof verifies, for any number of leaves (property)", () => {
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 1, maxLength: 70 }), (leaves) => {
        const root = batchRoot(leaves);
        expect(root).toBe(referenceRoot(leaves));
        leaves.forEach((leaf, i) => expect(verifyBatchProof(leaf, batchProof(leaves, i), root)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });

  it("rejects a proof for another leaf or a tampered sibling (property)", () => {
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 2, maxLength: 40 }), fc.nat(), leafArb, (leaves, pick, other) => {
        const i = pick % leaves.length;
        const root = batchRoot(leaves);
        const proof = batchProof(leaves, i);
        fc.pre(!leaves.includes(other));
        expect(verifyBatchProof(other, proof, root)).toBe(false);
        const tampered = [...proof];
        tampered[0] = other;
        expect(verifyBatchProof(leaves[i] as Hex, tampered, root)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("a single leaf is its own root, with an empty proof", () => {
    const leaf = keccak256("0x01");
    expect(batchRoot([leaf])).toBe(leaf);
    expect(batchProof([leaf], 0)).toEqual([]);
  });

  it("hashes pairs sorted (commutative)", () => {
    const a = keccak256("0x01");
    const b = keccak256("0x02");
    expect(hashPair(a, b)).toBe(hashPair(b, a));
  });

  const errors: { name: string; run: () => unknown; wantError: string; wantMessage: string }[] = [
    { name: "empty batch", run: () => batchRoot([]), wantError: "IDS_BATCH_EMPTY", wantMessage: "a batch needs at least one verdict" },
    { name: "index past the end", run: () => batchProof([keccak256("0x01")], 1), wantError: "IDS_BATCH_INDEX", wantMessage: "leaf index 1 is outside a tree of 1 leaves" },
    { name: "negative index", run: () => batchProof([keccak256("0x01")], -1), wantError: "IDS_BATCH_INDEX", wantMessage: "leaf index -1 is outside a tree of 1 leaves" },
    { name: "leaf of 31 bytes", run: () => batchRoot([`0x${"00".repeat(31)}`]), wantError: "IDS_FIELD_LENGTH", wantMessage: "leaf must be 32 bytes, got 31 (leaf)" },
  ];
  it.each(errors)("$name", ({ run, wantError, wantMessage }) => {
    try {
      run();
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && e.code).toBe(wantError);
      expect((e as Error).message).toBe(wantMessage);
    }
  });

  it("expands groups in order and builds the batch over their verdict ids", () => {
    const group = (seed: number, n: number): VerdictGroup => ({
      workloadId: keccak256(`0x0${seed}`),
      measurementHash: keccak256("0xaa"),
      tee: 1,
      tcbStatus: 1,
      collateralHash: keccak256("0xbb"),
      issuedAt: 100n,
      expiresAt: 200n,
      items: Array.from({ length: n }, (_, i) => ({
        subject: `0x${(seed * 100 + i + 1).toString(16).padStart(40, "0")}` as Hex,
        evidenceHash: keccak256(`0x${(seed * 100 + i).toString(16).padStart(4, "0")}`),
        freshnessBlock: 10n,
      })),
    });
    const groups = [group(1, 3), group(2, 2)];
    const verdicts = expandVerdictGroups(groups);
    expect(verdicts.map((v) => v.subject)).toEqual([...groups[0]!.items, ...groups[1]!.items].map((i) => i.subject));
    const batch = buildBatch(groups);
    expect(batch.count).toBe(5);
    expect(batch.leaves).toEqual(verdicts.map(verdictId));
    expect(verifyBatchProof(batch.leaves[4] as Hex, batch.proof(4), batch.root)).toBe(true);
  });
});
