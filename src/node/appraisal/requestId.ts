/**
 * The request id: who asked what, independent of when. The same evidence for the same workload, key,
 * block and context is the same request, so a resubmission finds the verdict already under way instead
 * of starting another, and a refusal can be looked up later by the id the 422 answer carried.
 *
 *   requestId = keccak256(abi.encode(keccak256("keepledger.request.v1"), bytes32 workloadId,
 *               bytes32 evidenceHash, bytes32 keccak256(subjectPublicKey64) or 0, uint64 freshnessBlock,
 *               uint8 context))      context: 0 keep, 1 validator
 */
import { encodeAbiParameters, keccak256, stringToBytes, type Hex } from "viem";
import type { BindingContextKind } from "../types.ts";

export const REQUEST_DOMAIN: Hex = keccak256(stringToBytes("keepledger.request.v1"));
const ZERO32: Hex = `0x${"00".repeat(32)}`;

export function requestIdOf(r: { workloadId: Hex; evidenceHash: Hex; subjectPublicKey: Hex | null; freshnessBlock: bigint; context: BindingContextKind }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint64" }, { type: "uint8" }],
      [REQUEST_DOMAIN, r.workloadId, r.evidenceHash, r.subjectPublicKey === null ? ZERO32 : keccak256(r.subjectPublicKey), r.freshnessBlock, r.context === "validator" ? 1 : 0],
    ),
  );
}
