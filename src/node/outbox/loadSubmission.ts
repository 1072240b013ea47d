/** A pending verdict's submission rebuilt from the evidence store (after a restart), to send to peers again. */
import type { Hex } from "viem";
import type { NodeStore } from "../store/NodeStore.ts";
import type { Submission } from "../types.ts";

export async function loadSubmission(store: NodeStore, verdictId: Hex): Promise<Submission | undefined> {
  const link = await store.evidence.verdictLink(verdictId);
  if (!link) return undefined;
  const stored = await store.evidence.getEvidence(link.evidenceHash);
  if (!stored) return undefined;
  return {
    workloadId: link.workloadId,
    evidence: stored.evidence,
    subjectPublicKey: link.subjectPublicKey,
    freshnessBlock: BigInt(link.freshnessBlock),
    context: link.bindingContext.startsWith("validator") ? "validator" : "keep",
    collateral: stored.collateral,
  };
}
