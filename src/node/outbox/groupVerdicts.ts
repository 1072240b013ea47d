/**
 * Grouping verdicts into a batch (docs/ids.md, "Batches"): verdicts that share every field but subject,
 * evidence and freshness block form one group; groups keep the order of their first verdict and items
 * keep arrival order, so the leaf order — and the root — follows from the verdicts' order alone.
 */
import type { Hex } from "viem";
import { batchLeaves, batchRoot, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/index";

export interface GroupedBatch {
  groups: VerdictGroup[];
  /** Verdict ids in leaf order. */
  verdictIds: Hex[];
  root: Hex;
  count: number;
}

export function groupVerdicts(verdicts: ReadonlyArray<{ verdictId: Hex; verdict: Verdict }>): GroupedBatch {
  const groups = new Map<string, { group: VerdictGroup; ids: Hex[] }>();
  for (const { verdictId, verdict: v } of verdicts) {
    const key = [v.workloadId, v.measurementHash, v.tee, v.tcbStatus, v.collateralHash, v.issuedAt, v.expiresAt].join("|").toLowerCase();
    let entry = groups.get(key);
    if (!entry) {
      entry = {
        group: {
          workloadId: v.workloadId,
          measurementHash: v.measurementHash,
          tee: v.tee,
          tcbStatus: v.tcbStatus,
          collateralHash: v.collateralHash,
          issuedAt: v.issuedAt,
          expiresAt: v.expiresAt,
          items: [],
        },
        ids: [],
      };
      groups.set(key, entry);
    }
    entry.group.items.push({ subject: v.subject, evidenceHash: v.evidenceHash, freshnessBlock: v.freshnessBlock });
    entry.ids.push(verdictId);
  }
  const ordered = [...groups.values()];
  const verdictIds = ordered.flatMap((e) => e.ids);
  const groupsInOrder = ordered.map((e) => e.group);
  const leaves = batchLeaves(groupsInOrder);
  return { groups: groupsInOrder, verdictIds, root: batchRoot(leaves), count: leaves.length };
}
