/**
 * The verdict id (docs/ids.md: the EIP-712 struct hash) computed straight from a fixed 352-byte buffer:
 * the type hash and ten ABI words. Same value as src/ids verdictId (checked property-wise in
 * verdictHash.test.ts) at a fraction of the cost — the node hashes every leaf of every batch it
 * collects or countersigns, so this sits on the hot path.
 */
import { getAddress, keccak256, stringToBytes, type Hex } from "viem";
import type { Verdict } from "../ids/index.ts";
import { keccak256Bytes, keccak256Hex } from "../util/keccak256.ts";

const VERDICT_TYPE =
  "Verdict(bytes32 workloadId,bytes32 measurementHash,uint8 tee,uint8 tcbStatus,address subject,bytes32 evidenceHash,bytes32 collateralHash,uint64 issuedAt,uint64 expiresAt,uint64 freshnessBlock)";
const TYPEHASH = Buffer.from(keccak256(stringToBytes(VERDICT_TYPE)).slice(2), "hex");

function putHex(buf: Buffer, word: number, hex: string, bytes: number): void {
  const body = hex.slice(2);
  if (body.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`not ${bytes} bytes of hex: ${hex.slice(0, 20)}`);
  buf.write(body, word * 32 + 32 - bytes, "hex");
}

function putUint(buf: Buffer, word: number, value: bigint | number, bits: number): void {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(bits)) throw new RangeError(`value out of uint${bits} range: ${v}`);
  buf.writeBigUInt64BE(v, word * 32 + 24);
}

/** keccak256(abi.encode(VERDICT_TYPEHASH, fields…)) — the verdict id. */
export function fastVerdictId(v: Verdict): Hex {
  return keccak256Hex(verdictStructBytes(v));
}

/** The same id as raw bytes (Merkle leaves). */
export function fastVerdictIdBytes(v: Verdict): Uint8Array {
  return keccak256Bytes(verdictStructBytes(v));
}

function verdictStructBytes(v: Verdict): Uint8Array {
  const buf = Buffer.alloc(11 * 32);
  TYPEHASH.copy(buf, 0);
  putHex(buf, 1, v.workloadId, 32);
  putHex(buf, 2, v.measurementHash, 32);
  putUint(buf, 3, v.tee, 8);
  putUint(buf, 4, v.tcbStatus, 8);
  putHex(buf, 5, getAddress(v.subject), 20);
  putHex(buf, 6, v.evidenceHash, 32);
  putHex(buf, 7, v.collateralHash, 32);
  putUint(buf, 8, v.issuedAt, 64);
  putUint(buf, 9, v.expiresAt, 64);
  putUint(buf, 10, v.freshnessBlock, 64);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** One level up the tree: sorted pairs hashed, an odd last node carried up (docs/ids.md). */
function parentLevel(level: readonly Uint8Array[], pair: Uint8Array): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) {
    const a = level[i]!;
    const b = level[i + 1]!;
    const aFirst = Buffer.compare(a, b) <= 0;
    pair.set(aFirst ? a : b, 0);
    pair.set(aFirst ? b : a, 32);
    up.push(keccak256Bytes(pair));
  }
  if (level.length % 2 === 1) up.push(level[level.length - 1]!);
  return up;
}

/** The Merkle root of verdict ids in leaf order (docs/ids.md: sorted pairs, an odd last node carried up). */
export function fastBatchRoot(leaves: readonly Uint8Array[]): Hex {
  if (leaves.length === 0) throw new RangeError("a batch needs at least one verdict");
  const pair = new Uint8Array(64);
  let level = leaves;
  while (level.length > 1) level = parentLevel(level, pair);
  return `0x${Buffer.from(level[0]!).toString("hex")}`;
}

/** The Merkle proof of leaf `index` (docs/ids.md), as hex siblings from the leaf up. */
export function fastBatchProof(leaves: readonly Uint8Array[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  const proof: Hex[] = [];
  const pair = new Uint8Array(64);
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(`0x${Buffer.from(level[sibling]!).toString("hex")}`);
    level = parentLevel(level, pair);
    i = Math.floor(i / 2);
  }
  return proof;
}
