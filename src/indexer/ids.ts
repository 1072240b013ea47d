/**
 * Entity ids (docs/registry.md) and a fast verdict id for expanding batch groups: the EIP-712 struct
 * hash of src/ids/verdict.ts, computed over one preallocated buffer instead of viem's generic
 * encoder (a batch of 256 verdicts is 256 ids to compute per log). ids.test.ts holds it to verdictId().
 */
import { hexToBytes, keccak256, stringToBytes, type Hex } from "viem";

/** keccak256 of the EIP-712 type string of Verdict (src/ids/verdict.ts VERDICT_TYPES). */
export const VERDICT_TYPEHASH: Hex = keccak256(
  stringToBytes(
    "Verdict(bytes32 workloadId,bytes32 measurementHash,uint8 tee,uint8 tcbStatus,address subject,bytes32 evidenceHash,bytes32 collateralHash,uint64 issuedAt,uint64 expiresAt,uint64 freshnessBlock)",
  ),
);
const TYPEHASH_BYTES = hexToBytes(VERDICT_TYPEHASH);

export interface VerdictTuple {
  workloadId: Hex;
  measurementHash: Hex;
  tee: number;
  tcbStatus: number;
  subject: Hex;
  evidenceHash: Hex;
  collateralHash: Hex;
  issuedAt: bigint;
  expiresAt: bigint;
  freshnessBlock: bigint;
}

/** Nibble values of hex digit character codes (both cases); 255 for anything else. */
const NIBBLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

function putHex(buf: Uint8Array, wordIndex: number, hex: Hex): void {
  const bytes = (hex.length - 2) / 2;
  const start = wordIndex * 32 + 32 - bytes;
  for (let i = 0; i < bytes; i++) {
    const hi = NIBBLE[hex.charCodeAt(2 + 2 * i)] ?? 255;
    const lo = NIBBLE[hex.charCodeAt(3 + 2 * i)] ?? 255;
    if (hi === 255 || lo === 255) throw new TypeError(`not hex: ${hex}`);
    buf[start + i] = (hi << 4) | lo;
  }
}

function putUint(buf: Uint8Array, wordIndex: number, value: bigint | number): void {
  let v = BigInt(value);
  for (let i = wordIndex * 32 + 31; v > 0n; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The verdict id (EIP-712 struct hash) of a decoded Verdict tuple. */
export function verdictIdOf(v: VerdictTuple): Hex {
  const buf = new Uint8Array(11 * 32);
  buf.set(TYPEHASH_BYTES, 0);
  putHex(buf, 1, v.workloadId);
  putHex(buf, 2, v.measurementHash);
  putUint(buf, 3, v.tee);
  putUint(buf, 4, v.tcbStatus);
  putHex(buf, 5, v.subject);
  putHex(buf, 6, v.evidenceHash);
  putHex(buf, 7, v.collateralHash);
  putUint(buf, 8, v.issuedAt);
  putUint(buf, 9, v.expiresAt);
  putUint(buf, 10, v.freshnessBlock);
  return keccak256(buf);
}

/** A number as 8 lowercase hex digits (log indexes, policy sequence numbers). */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** GovernanceChange ids: the transaction hash followed by the log index as 8 hex digits. */
export function eventId(txHash: string, logIndex: number): string {
  return `${txHash.toLowerCase()}${hex8(logIndex)}`;
}

/** Measurement ids: workloadId ‖ measurementHash. */
export function measurementEntityId(workloadId: string, measurementHash: string): string {
  return `${workloadId.toLowerCase()}${measurementHash.slice(2).toLowerCase()}`;
}

/** Policy ids: workloadId ‖ the policy's sequence number in the workload as 8 hex digits. */
export function policyEntityId(workloadId: string, sequence: number): string {
  return `${workloadId.toLowerCase()}${hex8(sequence)}`;
}
