/**
 * The verdict codec (docs/ids.md, "Verdicts" and "Batches"): the one TypeScript encoding of the EIP-712
 * Verdict and VerdictBatch structs — type strings and typehashes, the verdict id (the struct hash), the
 * batch leaves, Merkle root, proofs and the one level step, and the digests validators sign under an
 * AttestationRegistry's domain. contracts/libraries/KeepIds.sol and BatchMerkle.sol are the Solidity
 * side; golden.test.ts and IdsGolden.t.sol hold both to the golden vectors, verdictCodec.test.ts holds
 * this file to viem's generic EIP-712 encoder and test/contracts/verdictCodec.test.ts to the deployed
 * contract.
 *
 * The node hashes every verdict it appraises, signs or countersigns and every leaf of every batch; the
 * indexer and the audit every item of every VerdictGroupFinalized event. So the struct is encoded into one
 * fixed buffer (the typehash and ten ABI words, 352 bytes) with the unrolled keccak of
 * packages/sdk/src/util/keccak256.ts, and a batch writes its group's shared words once. Bad fields are UsageErrors
 * with the IDS_* code naming the field, as from normalizeVerdict.
 */
import { getAddress } from "../util/address.ts";
import type { Address } from "../util/hex.ts";
import { domainSeparator } from "../util/typedData.ts";
import { UsageError } from "../errors/index.ts";
import { compareBytes, fromHex, toHex, type Hex } from "../util/bytes.ts";
import { keccak256Bytes, keccak256Hex } from "../util/keccak256.ts";
import { IDS_CODES } from "./codes.ts";
import { hexField, smallUintField, uintField } from "./fields.ts";

// ===== Types =====

/** A verdict exactly as signed and stored: tee and tcbStatus are the uint8 codes of enums.ts. */
export interface Verdict {
  workloadId: Hex;
  measurementHash: Hex;
  tee: number;
  tcbStatus: number;
  /** The attested key as an address (or the unbound pseudo-subject, see unboundSubject.ts). */
  subject: Address;
  /** keccak256 of the raw evidence bytes. */
  evidenceHash: Hex;
  collateralHash: Hex;
  /** Seconds since the Unix epoch. */
  issuedAt: bigint;
  expiresAt: bigint;
  /** The block whose hash the evidence's report data committed to; 0 when it bound no key. */
  freshnessBlock: bigint;
}

/** What each verdict of a batch group has of its own. */
export interface BatchItem {
  subject: Address;
  evidenceHash: Hex;
  freshnessBlock: bigint;
}

/** Verdicts sharing every field but subject, evidence and freshness block. */
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

/** The EIP-712 domain of an AttestationRegistry. */
export interface KeepledgerDomain {
  name: "keepledger";
  version: "1";
  chainId: bigint;
  verifyingContract: Address;
}

// ===== Type strings and typehashes =====

export const VERDICT_TYPES = {
  Verdict: [
    { name: "workloadId", type: "bytes32" },
    { name: "measurementHash", type: "bytes32" },
    { name: "tee", type: "uint8" },
    { name: "tcbStatus", type: "uint8" },
    { name: "subject", type: "address" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "collateralHash", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
    { name: "freshnessBlock", type: "uint64" },
  ],
} as const;

export const VERDICT_BATCH_TYPES = {
  VerdictBatch: [
    { name: "root", type: "bytes32" },
    { name: "count", type: "uint32" },
  ],
} as const;

const typeString = (name: string, fields: readonly { name: string; type: string }[]): string =>
  `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;

/** The EIP-712 type string of Verdict, as in docs/ids.md. */
export const VERDICT_TYPE = typeString("Verdict", VERDICT_TYPES.Verdict);
export const VERDICT_TYPEHASH: Hex = keccak256Hex(new TextEncoder().encode(VERDICT_TYPE));
/** "VerdictBatch(bytes32 root,uint32 count)". */
export const VERDICT_BATCH_TYPE = typeString("VerdictBatch", VERDICT_BATCH_TYPES.VerdictBatch);
export const VERDICT_BATCH_TYPEHASH: Hex = keccak256Hex(new TextEncoder().encode(VERDICT_BATCH_TYPE));

// ===== Field writers =====

/** Nibble of each hex digit's character code (both cases); -1 for anything else. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

/** Writes `bytes` bytes of hex right-aligned in ABI word `word`; a bad value throws hexField's error. */
function putHex(out: Uint8Array, word: number, field: string, hex: string, bytes: number): void {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * bytes || hex.charCodeAt(0) !== 48 || hex.charCodeAt(1) !== 120)
    badHex(field, hex, bytes);
  const start = word * 32 + 32 - bytes;
  for (let i = 0; i < bytes; i++) {
    const hi = NIBBLE[hex.charCodeAt(2 + 2 * i)] ?? -1;
    const lo = NIBBLE[hex.charCodeAt(3 + 2 * i)] ?? -1;
    if ((hi | lo) < 0) badHex(field, hex, bytes);
    out[start + i] = (hi << 4) | lo;
  }
}

function badHex(field: string, value: string, bytes: number): never {
  hexField(field, value, bytes);
  throw new UsageError(IDS_CODES.IDS_NOT_HEX, `${field} is not 0x-prefixed hex of whole bytes`, { at: { field } });
}

/** Writes an unsigned integer of at most 64 bits into the last 8 bytes of ABI word `word`. */
function putUint(out: Uint8Array, word: number, field: string, value: bigint | number, bits: 8 | 32 | 64): void {
  let hi: number;
  let lo: number;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value < 2 ** bits) {
    hi = Math.floor(value / 0x1_0000_0000);
    lo = value >>> 0;
  } else if (typeof value === "bigint" && value >= 0n && value < 1n << BigInt(bits)) {
    hi = Number(value >> 32n);
    lo = Number(value & 0xffff_ffffn);
  } else {
    uintField(field, value, bits);
    throw new UsageError(IDS_CODES.IDS_FIELD_RANGE, `${field} must be an integer in 0..2^${bits}-1`, { at: { field } });
  }
  const o = word * 32 + 24;
  out[o] = hi >>> 24;
  out[o + 1] = hi >>> 16;
  out[o + 2] = hi >>> 8;
  out[o + 3] = hi;
  out[o + 4] = lo >>> 24;
  out[o + 5] = lo >>> 16;
  out[o + 6] = lo >>> 8;
  out[o + 7] = lo;
}

const VERDICT_TYPEHASH_BYTES = fromHex(VERDICT_TYPEHASH);
const VERDICT_STRUCT_BYTES = 11 * 32;

function putGroupWords(out: Uint8Array, g: Omit<VerdictGroup, "items">): void {
  out.set(VERDICT_TYPEHASH_BYTES, 0);
  putHex(out, 1, "workloadId", g.workloadId, 32);
  putHex(out, 2, "measurementHash", g.measurementHash, 32);
  putUint(out, 3, "tee", g.tee, 8);
  putUint(out, 4, "tcbStatus", g.tcbStatus, 8);
  putHex(out, 7, "collateralHash", g.collateralHash, 32);
  putUint(out, 8, "issuedAt", g.issuedAt, 64);
  putUint(out, 9, "expiresAt", g.expiresAt, 64);
}

function putItemWords(out: Uint8Array, item: BatchItem): void {
  putHex(out, 5, "subject", item.subject, 20);
  putHex(out, 6, "evidenceHash", item.evidenceHash, 32);
  putUint(out, 10, "freshnessBlock", item.freshnessBlock, 64);
}

// ===== Verdicts =====

/** abi.encode(VERDICT_TYPEHASH, the ten fields): the 352 bytes whose keccak256 is the verdict id. */
export function encodeVerdictStruct(v: Verdict): Uint8Array {
  const out = new Uint8Array(VERDICT_STRUCT_BYTES);
  putGroupWords(out, v);
  putItemWords(out, v);
  return out;
}

/** The verdict id: the EIP-712 struct hash of the verdict (no domain, the same on every chain). */
export function verdictId(v: Verdict): Hex {
  return keccak256Hex(encodeVerdictStruct(v));
}

/** The verdict id as 32 bytes: a batch leaf, or the struct hash a digest is taken over. */
export function verdictIdBytes(v: Verdict): Uint8Array {
  return keccak256Bytes(encodeVerdictStruct(v));
}

/** Checks every field's width and normalizes hex to lowercase and the subject to its checksum form. */
export function normalizeVerdict(v: Verdict): Verdict {
  return {
    workloadId: hexField("workloadId", v.workloadId, 32),
    measurementHash: hexField("measurementHash", v.measurementHash, 32),
    tee: smallUintField("tee", v.tee, 8),
    tcbStatus: smallUintField("tcbStatus", v.tcbStatus, 8),
    subject: getAddress(hexField("subject", v.subject, 20)),
    evidenceHash: hexField("evidenceHash", v.evidenceHash, 32),
    collateralHash: hexField("collateralHash", v.collateralHash, 32),
    issuedAt: uintField("issuedAt", v.issuedAt, 64),
    expiresAt: uintField("expiresAt", v.expiresAt, 64),
    freshnessBlock: uintField("freshnessBlock", v.freshnessBlock, 64),
  };
}

// ===== Batches: groups, leaves, Merkle tree =====

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

/** `f` of each batch item's 352-byte verdict struct, in order: one buffer for all, each item writing only its own three words. */
function mapItemStructs<T>(groups: readonly VerdictGroup[], f: (struct: Uint8Array) => T): T[] {
  const out: T[] = [];
  const buf = new Uint8Array(VERDICT_STRUCT_BYTES);
  for (const g of groups) {
    putGroupWords(buf, g);
    for (const item of g.items) {
      putItemWords(buf, item);
      out.push(f(buf));
    }
  }
  return out;
}

/**
 * The verdict ids of a batch's items in order, as 0x-hex. `hash` is keccak256 to hex (default ours in
 * JavaScript; the indexer, which computes hundreds of thousands while catching up, passes a native one).
 */
export function batchLeafIds(groups: readonly VerdictGroup[], hash: (struct: Uint8Array) => Hex = keccak256Hex): Hex[] {
  return mapItemStructs(groups, hash);
}

/** The leaves of a batch — the verdict ids of its items in order — as 32-byte values. */
export function batchLeaves(groups: readonly VerdictGroup[]): Uint8Array[] {
  return mapItemStructs(groups, keccak256Bytes);
}

/** A leaf or tree node: 32 bytes, or their 0x hex. */
export type MerkleNode = Uint8Array | Hex;

function nodeBytes(field: string, node: MerkleNode): Uint8Array {
  if (typeof node === "string") return fromHex(hexField(field, node, 32));
  if (node.length !== 32) {
    throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `${field} must be 32 bytes, got ${node.length}`, {
      at: { field },
      details: { got: node.length, want: 32 },
    });
  }
  return node;
}

const hexOf = (b: Uint8Array): Hex => toHex(b);

/** OpenZeppelin Hashes.commutativeKeccak256: keccak256 of the two 32-byte nodes in ascending order. */
export function hashPair(a: Uint8Array, b: Uint8Array, scratch: Uint8Array = new Uint8Array(64)): Uint8Array {
  const aFirst = compareBytes(a, b) <= 0;
  scratch.set(aFirst ? a : b, 0);
  scratch.set(aFirst ? b : a, 32);
  return keccak256Bytes(scratch);
}

/** The one level step: adjacent pairs hashed, an odd last node carried up unchanged. */
export function merkleLevelUp(level: readonly Uint8Array[], scratch: Uint8Array = new Uint8Array(64)): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) up.push(hashPair(level[i]!, level[i + 1]!, scratch));
  if (level.length % 2 === 1) up.push(level[level.length - 1]!);
  return up;
}

/** The Merkle root (the batch id) over the leaves in order; a single leaf is its own root. */
export function batchRoot(leaves: readonly MerkleNode[]): Hex {
  if (leaves.length === 0) throw new UsageError(IDS_CODES.IDS_BATCH_EMPTY, "a batch needs at least one verdict");
  const scratch = new Uint8Array(64);
  let level = leaves.map((l) => nodeBytes("leaf", l));
  while (level.length > 1) level = merkleLevelUp(level, scratch);
  return hexOf(level[0]!);
}

/** The proof of leaf `index`: the sibling at each level that has one, bottom up. */
export function batchProof(leaves: readonly MerkleNode[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new UsageError(IDS_CODES.IDS_BATCH_INDEX, `leaf index ${index} is outside a tree of ${leaves.length} leaves`, {
      details: { got: index, want: `0..${leaves.length - 1}` },
    });
  }
  const scratch = new Uint8Array(64);
  const proof: Hex[] = [];
  let level = leaves.map((l) => nodeBytes("leaf", l));
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(hexOf(level[sibling]!));
    level = merkleLevelUp(level, scratch);
    i = Math.floor(i / 2);
  }
  return proof;
}

/** OpenZeppelin MerkleProof.verify: fold the proof into the leaf and compare with the root. */
export function verifyBatchProof(leaf: MerkleNode, proof: readonly MerkleNode[], root: MerkleNode): boolean {
  const scratch = new Uint8Array(64);
  const folded = proof.reduce<Uint8Array>((node, sibling) => hashPair(node, nodeBytes("node", sibling), scratch), nodeBytes("leaf", leaf));
  return compareBytes(folded, nodeBytes("root", root)) === 0;
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
  const leaves = batchLeaves(groups);
  return {
    root: batchRoot(leaves),
    count: leaves.length,
    verdicts: expandVerdictGroups(groups),
    leaves: leaves.map(hexOf),
    proof: (index) => batchProof(leaves, index),
  };
}

// ===== EIP-712 digests =====

export function keepledgerDomain(chainId: bigint | number, attestationRegistry: Address): KeepledgerDomain {
  return { name: "keepledger", version: "1", chainId: BigInt(chainId), verifyingContract: getAddress(attestationRegistry) };
}

/** hashStruct(VerdictBatch{root, count}). */
export function verdictBatchStructHash(root: Hex, count: number): Uint8Array {
  const buf = new Uint8Array(3 * 32);
  buf.set(fromHex(VERDICT_BATCH_TYPEHASH), 0);
  putHex(buf, 1, "root", root, 32);
  putUint(buf, 2, "count", count, 32);
  return keccak256Bytes(buf);
}

/** The digests a validator signs in one domain, with the domain separator computed once. */
export interface VerdictDigester {
  /** keccak256(0x1901 ‖ domainSeparator ‖ verdictId). */
  verdict(v: Verdict): Hex;
  /** keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(VerdictBatch{root, count})). */
  batch(root: Hex, count: number): Hex;
}

export function verdictDigester(domain: KeepledgerDomain): VerdictDigester {
  const prefix = new Uint8Array(66);
  prefix[0] = 0x19;
  prefix[1] = 0x01;
  prefix.set(fromHex(domainSeparator({ domain })), 2);
  const digest = (structHash: Uint8Array): Hex => {
    const buf = prefix.slice();
    buf.set(structHash, 34);
    return keccak256Hex(buf);
  };
  return { verdict: (v) => digest(verdictIdBytes(v)), batch: (root, count) => digest(verdictBatchStructHash(root, count)) };
}

/** The EIP-712 digest of one verdict. */
export function verdictDigest(v: Verdict, domain: KeepledgerDomain): Hex {
  return verdictDigester(domain).verdict(v);
}

/** The EIP-712 digest of a batch. */
export function verdictBatchDigest(root: Hex, count: number, domain: KeepledgerDomain): Hex {
  return verdictDigester(domain).batch(root, count);
}

/** The typed data a validator signs for one verdict (for viem's signTypedData). */
export function verdictTypedData(v: Verdict, domain: KeepledgerDomain) {
  return { domain, types: VERDICT_TYPES, primaryType: "Verdict" as const, message: normalizeVerdict(v) };
}

/** The typed data validators sign for a batch: VerdictBatch(bytes32 root, uint32 count). */
export function verdictBatchTypedData(root: Hex, count: number, domain: KeepledgerDomain) {
  return {
    domain,
    types: VERDICT_BATCH_TYPES,
    primaryType: "VerdictBatch" as const,
    message: { root: hexField("root", root, 32), count: Number(uintField("count", count, 32)) },
  };
}
