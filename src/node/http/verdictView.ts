/**
 * What GET /v1/verdicts/{id} answers, by verdict id or by request id (a refused request has no verdict:
 * its request id, returned in the 422 answer, finds the refusal). Batched verdicts come with their
 * Merkle proof so that anyone can materialize them.
 */
import type { Hex } from "viem";
import { BoundedCache } from "../../util/boundedCache.ts";
import { batchLeaves, batchProof } from "@keepledger/sdk/internal/ids/index";
import type { NodeStore, VerdictRecord } from "../store/NodeStore.ts";
import type { PublicStatus, VerdictView } from "../types.ts";

/** Batch id → its leaves, so that proofs for verdicts of one batch do not rebuild the tree each time. */
export type BatchLeavesCache = BoundedCache<Hex, Uint8Array[]>;

/** What the node's server keeps for verdictView: up to 64 batches, each for at most ten minutes. */
export function createBatchLeavesCache(): BatchLeavesCache {
  return new BoundedCache({ maxEntries: 64, maxAgeMs: 10 * 60 * 1000 });
}

function publicStatus(state: VerdictRecord["state"]): PublicStatus {
  return state === "finalized" ? "finalized" : state === "rejected" ? "rejected" : "pending";
}

export async function verdictView(store: NodeStore, id: Hex, leavesCache?: BatchLeavesCache): Promise<VerdictView | undefined> {
  const key = id.toLowerCase() as Hex;
  // A superseded verdict (re-appraised with newer collateral) answers with the request's current one.
  let record = await store.currentVerdict(key);
  const request = record ? await store.request(record.requestId) : await store.request(key);
  if (!record && request?.verdictId) record = await store.verdict(request.verdictId);
  if (!record) {
    if (!request) return undefined;
    return { requestId: request.requestId, status: request.status, ...(request.error ? { error: request.error } : {}) };
  }
  const view: VerdictView = {
    requestId: record.requestId,
    status: publicStatus(record.state),
    verdictId: record.verdictId,
    verdict: record.verdict,
    mode: record.mode,
    ...(record.txHash ? { txHash: record.txHash } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
  if (record.batchId) {
    view.batchId = record.batchId;
    if (view.status === "finalized" && record.leafIndex !== null) {
      let leaves = leavesCache?.get(record.batchId);
      if (!leaves) {
        const batch = await store.batch(record.batchId);
        if (batch) {
          leaves = batchLeaves(batch.groups);
          leavesCache?.set(record.batchId, leaves);
        }
      }
      if (leaves) view.proof = batchProof(leaves, record.leafIndex);
    }
  }
  return view;
}
