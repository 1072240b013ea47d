// The verdict codec against viem's generic EIP-712 encoder (the reference) and against the definition of
// the batch tree in docs/ids.md; test/contracts/verdictCodec.test.ts holds it to the deployed contract.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import {
  bytesToHex,
  concatHex,
  getAddress,
  hashStruct,
  hashTypedData,
  keccak256,
  recoverTypedDataAddress,
  stringToBytes,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import { unboundSubject } from "./unboundSubject.ts";
import {
  batchLeafIds,
  batchLeaves,
  batchProof,
  batchRoot,
  buildBatch,
  expandVerdictGroups,
  hashPair,
  keepledgerDomain,
  normalizeVerdict,
  verdictBatchDigest,
  verdictBatchTypedData,
  verdictDigest,
  verdictId,
  verdictIdBytes,
  verdictTypedData,
  verifyBatchProof,
  VERDICT_BATCH_TYPE,
  VERDICT_BATCH_TYPEHASH,
  VERDICT_TYPE,
  VERDICT_TYPEHASH,
  VERDICT_TYPES,
  type Verdict,
  type VerdictGroup,
} from "./verdictCodec.ts";

const verdict: Verdict = {
  workloadId: `0x${"01".repeat(32)}`,
  measurementHash: `0x${"02".repeat(32)}`,
  tee: 1,
  tcbStatus: 1,
  subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  evidenceHash: `0x${"03".repeat(32)}`,
  collateralHash: `0x${"04".repeat(32)}`,
  issuedAt: 1_767_225_600n,
  expiresAt: 1_767_830_400n,
  freshnessBlock: 99n,
};
const domain = keepledgerDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

/** Random bytes as hex in either case (the codec lowercases). */
const hexArb = (n: number) =>
  fc.tuple(fc.uint8Array({ minLength: n, maxLength: n }), fc.boolean()).map(([b, upper]) => {
    const h = bytesToHex(b);
    return (upper ? `0x${h.slice(2).toUpperCase()}` : h) as Hex;
  });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u8 = fc.integer({ min: 0, max: 255 });
const itemArb = fc.record({ subject: hexArb(20), evidenceHash: hexArb(32), freshnessBlock: u64 });
const groupArb: fc.Arbitrary<VerdictGroup> = fc.record({
  workloadId: hexArb(32),
  measurementHash: hexArb(32),
  tee: u8,
  tcbStatus: u8,
  collateralHash: hexArb(32),
  issuedAt: u64,
  expiresAt: u64,
  items: fc.array(itemArb, { minLength: 1, maxLength: 6 }),
});
const verdictArb: fc.Arbitrary<Verdict> = fc
  .tuple(groupArb, itemArb)
  .map(([g, item]) => expandVerdictGroups([{ ...g, items: [item] }])[0]!);

describe("verdict codec", () => {
  it("names the type strings of docs/ids.md", () => {
    const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "docs", "ids.md"), "utf8");
    expect(doc).toContain(`\n${VERDICT_TYPE}\n`);
    expect(doc).toContain(VERDICT_BATCH_TYPE);
    expect(VERDICT_TYPEHASH).toBe(keccak256(stringToBytes(VERDICT_TYPE)));
    expect(VERDICT_BATCH_TYPEHASH).toBe(keccak256(stringToBytes("VerdictBatch(bytes32 root,uint32 count)")));
  });

  it("gives viem's EIP-712 struct hash and digest for any verdict (property)", () => {
    fc.assert(
      fc.property(verdictArb, (v) => {
        const reference = hashStruct({ data: normalizeVerdict(v), primaryType: "Verdict", types: VERDICT_TYPES });
        expect(verdictId(v)).toBe(reference);
        expect(bytesToHex(verdictIdBytes(v))).toBe(reference);
        expect(verdictDigest(v, domain)).toBe(hashTypedData(verdictTypedData(v, domain)));
      }),
      { numRuns: 300 },
    );
  });

  it("gives viem's digest of VerdictBatch(root, count) (property)", () => {
    fc.assert(
      fc.property(hexArb(32), fc.integer({ min: 0, max: 0xffffffff }), (root, count) => {
        expect(verdictBatchDigest(root, count, domain)).toBe(hashTypedData(verdictBatchTypedData(root, count, domain)));
      }),
      { numRuns: 100 },
    );
  });

  it("hashes a batch's leaves as the verdict ids of its expanded groups (property)", () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 4 }), (groups) => {
        const ids = expandVerdictGroups(groups).map(verdictId);
        expect(batchLeaves(groups).map((l) => bytesToHex(l))).toEqual(ids);
        expect(batchLeafIds(groups)).toEqual(ids);
      }),
      { numRuns: 100 },
    );
  });

  it("a validator's EIP-712 signature recovers to the validator", async () => {
    const validator = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    const signature = await validator.signTypedData(verdictTypedData(verdict, domain));
    expect(await recoverTypedDataAddress({ ...verdictTypedData(verdict, domain), signature })).toBe(validator.address);
  });

  it("the id ignores the domain and the subject's casing, the digest does not ignore the domain", () => {
    const other = keepledgerDomain(1, domain.verifyingContract);
    expect(verdictDigest(verdict, other)).not.toBe(verdictDigest(verdict, domain));
    expect(verdictId({ ...verdict, subject: verdict.subject.toLowerCase() as Hex })).toBe(verdictId(verdict));
  });

  it("unbound pseudo-subjects differ per evidence", () => {
    expect(unboundSubject(`0x${"00".repeat(32)}`)).not.toBe(unboundSubject(`0x${"01".repeat(32)}`));
  });

  const errors: { name: string; input: Verdict; wantError: string; wantMessage: string }[] = [
    {
      name: "tee above uint8",
      input: { ...verdict, tee: 256 },
      wantError: "IDS_FIELD_RANGE",
      wantMessage: "tee must be an integer in 0..2^8-1 (tee)",
    },
    {
      name: "fractional tcbStatus",
      input: { ...verdict, tcbStatus: 1.5 },
      wantError: "IDS_FIELD_RANGE",
      wantMessage: "tcbStatus must be an integer in 0..2^8-1 (tcbStatus)",
    },
    {
      name: "negative issuedAt",
      input: { ...verdict, issuedAt: -1n },
      wantError: "IDS_FIELD_RANGE",
      wantMessage: "issuedAt must be an integer in 0..2^64-1 (issuedAt)",
    },
    {
      name: "freshnessBlock above uint64",
      input: { ...verdict, freshnessBlock: 1n << 64n },
      wantError: "IDS_FIELD_RANGE",
      wantMessage: "freshnessBlock must be an integer in 0..2^64-1 (freshnessBlock)",
    },
    {
      name: "short evidence hash",
      input: { ...verdict, evidenceHash: "0x00" },
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "evidenceHash must be 32 bytes, got 1 (evidenceHash)",
    },
    {
      name: "long measurement hash",
      input: { ...verdict, measurementHash: `0x${"22".repeat(33)}` },
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "measurementHash must be 32 bytes, got 33 (measurementHash)",
    },
    {
      name: "subject not hex",
      input: { ...verdict, subject: "0xnope" as Hex },
      wantError: "IDS_NOT_HEX",
      wantMessage: "subject is not 0x-prefixed hex of whole bytes (subject)",
    },
    {
      name: "workload id with a non-hex digit",
      input: { ...verdict, workloadId: `0x${"0g".repeat(32)}` },
      wantError: "IDS_NOT_HEX",
      wantMessage: "workloadId is not 0x-prefixed hex of whole bytes (workloadId)",
    },
  ];
  const encoders: [string, (v: Verdict) => unknown][] = [
    ["normalizeVerdict", normalizeVerdict],
    ["verdictId", verdictId],
    ["batchLeaves", (v) => batchLeaves(buildGroup([v]))],
  ];
  for (const [encoder, run] of encoders) {
    it.each(errors)(`${encoder} rejects $name`, ({ input, wantError, wantMessage }) => {
      try {
        run(input);
        expect.unreachable();
      } catch (e) {
        expect(isKeepledgerError(e) && e.code).toBe(wantError);
        expect((e as Error).message).toBe(wantMessage);
      }
    });
  }
});

function buildGroup(vs: Verdict[]): VerdictGroup[] {
  return vs.map((v) => ({ ...v, items: [{ subject: v.subject, evidenceHash: v.evidenceHash, freshnessBlock: v.freshnessBlock }] }));
}

const leafArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((u) => bytesToHex(u));

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
  it("matches the definition, and every proof verifies, for any number of leaves, as hex or bytes (property)", () => {
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 1, maxLength: 70 }), (leaves) => {
        const root = batchRoot(leaves);
        expect(root).toBe(referenceRoot(leaves));
        const bytes = leaves.map((l) => Buffer.from(l.slice(2), "hex"));
        expect(batchRoot(bytes)).toBe(root);
        leaves.forEach((leaf, i) => {
          expect(batchProof(bytes, i)).toEqual(batchProof(leaves, i));
          expect(verifyBatchProof(leaf, batchProof(leaves, i), root)).toBe(true);
        });
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
    const a = keccak256("0x01", "bytes");
    const b = keccak256("0x02", "bytes");
    expect(hashPair(a, b)).toEqual(hashPair(b, a));
    expect(bytesToHex(hashPair(a, b))).toBe(referenceRoot([bytesToHex(a), bytesToHex(b)]));
  });

  const errors: { name: string; run: () => unknown; wantError: string; wantMessage: string }[] = [
    { name: "empty batch", run: () => batchRoot([]), wantError: "IDS_BATCH_EMPTY", wantMessage: "a batch needs at least one verdict" },
    {
      name: "index past the end",
      run: () => batchProof([keccak256("0x01")], 1),
      wantError: "IDS_BATCH_INDEX",
      wantMessage: "leaf index 1 is outside a tree of 1 leaves",
    },
    {
      name: "negative index",
      run: () => batchProof([keccak256("0x01")], -1),
      wantError: "IDS_BATCH_INDEX",
      wantMessage: "leaf index -1 is outside a tree of 1 leaves",
    },
    {
      name: "leaf of 31 bytes",
      run: () => batchRoot([`0x${"00".repeat(31)}`]),
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "leaf must be 32 bytes, got 31 (leaf)",
    },
    {
      name: "leaf of 31 raw bytes",
      run: () => batchRoot([new Uint8Array(31)]),
      wantError: "IDS_FIELD_LENGTH",
      wantMessage: "leaf must be 32 bytes, got 31 (leaf)",
    },
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
        subject: getAddress(`0x${(seed * 100 + i + 1).toString(16).padStart(40, "0")}`),
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
