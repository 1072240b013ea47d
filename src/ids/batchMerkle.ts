/**
 * Verdict batches: groups of verdicts sharing everything but subject, evidence and freshness block,
 * expanded to verdict ids in order, under a Merkle tree identical to the AttestationRegistry's
 * (contracts/libraries/BatchMerkle.sol): sorted-pair keccak (OpenZeppelin commutativeKeccak256), an odd
 * last node carried up unchanged. Proofs verify with OpenZeppelin MerkleProof.
 */
import { concatHex, keccak256, type Address } from "viem";
import { UsageError } from "../errors/index.ts";
import type { Hex } from "../util/bytes.ts";
import { IDS_CODES } from "./codes.ts";
import { hexField } from "./fields.ts";
import { verdictId, type Verdict } from "./verdict.ts";

export interface BatchItem {
  subject: Address;
  evidenceHash: Hex;
  freshnessBlock: bigint;
}

export interface VerdictGroup {
  workloadId: Hex;
  measurementHash: Hex;
  tee: number;
  tcbStatus: number;
  collateralHash: Hex;
  issuedAt: bigint;
  expiresAt: bigint;
  items: BatchItem[];
}

/** The verdicts of a batch, in leaf order (groups in order, items in order). */
export function expandVerdictGroups(groups: readonly VerdictGroup[]): Verdict[] {
  return groups.flatMap((g) =>
    g.items.map((item) => ({
      workloadId: g.workloadId,
      measurementHash: g.measurementHash,
      tee: g.tee,
      tcbStatus: g.tcbStatus,
      subject: item.subject,
      evidenceHash: item.evidenceHash,
      collateralHash: g.collateralHash,
      issuedAt: g.issuedAt,
      expiresAt: g.expiresAt,
      freshnessBlock: item.freshnessBlock,
    })),
  );
}

/** OpenZeppelin Hashes.commutativeKeccak256: hash the pair in ascending order. */
export function hashPair(a: Hex, b: Hex): Hex {
  const x = hexField("node", a, 32);
  const y = hexField("node", b, 32);
  return keccak256(x < y ? concatHex([x, y]) : concatHex([y, x]));
}

/** One level up: adjacent pairs hashed, an odd last node carried up unchanged. */
function nextLevel(level: readonly Hex[]): Hex[] {
  const up: Hex[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) up.push(hashPair(level[i] as Hex, level[i + 1] as Hex));
  if (level.length % 2 === 1) up.push(level[level.length - 1] as Hex);
  return up;
}

/** The Merkle root over the leaves in order; a single leaf is its own root. */
export function batchRoot(leaves: readonly Hex[]): Hex {
  if (leaves.length === 0) throw new UsageError(IDS_CODES.IDS_BATCH_EMPTY, "a batch needs at least one verdict");
  let level = leaves.map((l) => hexField("leaf", l, 32));
  while (level.length > 1) level = nextLevel(level);
  return level[0] as Hex;
}

/** The proof of leaf `index`: the sibling at each level that has one, bottom up. */
export function batchProof(leaves: readonly Hex[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new UsageError(IDS_CODES.IDS_BATCH_INDEX, `leaf index ${index} is outside a tree of ${leaves.length} leaves`, {
      details: { got: index, want: `0..${leaves.length - 1}` },
    });
  }
  const proof: Hex[] = [];
  let level = leaves.map((l) => hexField("leaf", l, 32));
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(level[sibling] as Hex);
    level = nextLevel(level);
    i = Math.floor(i / 2);
  }
  return proof;
}

/** OpenZeppelin MerkleProof.verify: fold the proof into the leaf and compare with the root. */
export function verifyBatchProof(leaf: Hex, proof: readonly Hex[], root: Hex): boolean {
  return proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), hexField("leaf", leaf, 32)) === hexField("root", root, 32);
}

/** A batch ready to sign: its root (the batch id), size, verdicts and their ids in leaf order. */
export interface Batch {
  root: Hex;
  count: number;
  verdicts: Verdict[];
  leaves: Hex[];
  /** The Merkle proof of leaf `index`. */
  proof(index: number): Hex[];
}

export function buildBatch(groups: readonly VerdictGroup[]): Batch {
  const verdicts = expandVerdictGroups(groups);
  const leaves = verdicts.map(verdictId);
  return { root: batchRoot(leaves), count: leaves.length, verdicts, leaves, proof: (index) => batchProof(leaves, index) };
}
