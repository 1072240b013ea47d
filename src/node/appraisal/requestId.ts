/**
 * The request id: who asked what, independent of when. The same evidence for the same workload, key,
 * block and context is the same request, so a resubmission finds the verdict already under way instead
 * of starting another, and a refusal can be looked up later by the id the 422 answer carried.
 *
 *   requestId = keccak256(abi.encode(keccak256("keepledger.request.v1"), bytes32 workloadId,
 *               bytes32 evidenceHash, bytes32 keccak256(subjectPublicKey64) or 0, uint64 freshnessBlock,
 *               uint8 context))      context: 0 keep, 1 validator
 */
import { keccak256, stringToBytes, type Hex } from "viem";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { BindingContextKind } from "../types.ts";

export const REQUEST_DOMAIN: Hex = keccak256(stringToBytes("keepledger.request.v1"));
const ZERO32: Hex = `0x${"00".repeat(32)}`;

export function requestIdOf(r: {
  workloadId: Hex;
  evidenceHash: Hex;
  subjectPublicKey: Hex | null;
  freshnessBlock: bigint;
  context: BindingContextKind;
}): Hex {
  // abi.encode of six static words, laid out by hand (this runs for every submission).
  const buf = Buffer.alloc(6 * 32);
  buf.write(REQUEST_DOMAIN.slice(2), 0, "hex");
  buf.write(word(r.workloadId, "workloadId"), 32, "hex");
  buf.write(word(r.evidenceHash, "evidenceHash"), 64, "hex");
  buf.write(
    r.subjectPublicKey === null ? ZERO32.slice(2) : keccak256Hex(Buffer.from(r.subjectPublicKey.slice(2), "hex")).slice(2),
    96,
    "hex",
  );
  if (r.freshnessBlock < 0n || r.freshnessBlock >= 1n << 64n) throw new RangeError("freshnessBlock is not a uint64");
  buf.writeBigUInt64BE(r.freshnessBlock, 152);
  buf[191] = r.context === "validator" ? 1 : 0;
  return keccak256Hex(buf);
}

function word(hex: Hex, field: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError(`${field} is not 32 bytes of hex`);
  return hex.slice(2);
}
