/**
 * Evidence retention (docs/evidence-store.md, "Retention"): the bytes of evidence whose verdicts — every
 * verdict this node signed over it — all expired more than `retainExpiredSeconds` ago are removed from
 * the evidence store; the verdict links and a record of the pruning stay. Evidence of a request still
 * pending, or that this node holds no signed record for, is kept. Off unless configured.
 */
import type { Hex } from "viem";
import type { NodeStore } from "./NodeStore.ts";

export interface PruneEvidenceOptions {
  /** How long after the last of its verdicts expired evidence is kept (seconds). */
  retainExpiredSeconds: number;
  /** Unix seconds (default: the host clock). */
  now?: number;
  /** Evidence hashes per transaction (default 500). */
  batchSize?: number;
}

export interface PruneEvidenceResult {
  pruned: number;
  bytes: number;
}

export async function pruneEvidence(store: NodeStore, options: PruneEvidenceOptions): Promise<PruneEvidenceResult> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const cutoff = now - options.retainExpiredSeconds;
  const batchSize = options.batchSize ?? 500;
  let pruned = 0;
  let bytes = 0;
  for (;;) {
    const rows = await store.db.query<{ evidence_hash: Hex; expired_at: number }>(
      `SELECT b.evidence_hash, MAX(s.expires_at) AS expired_at
       FROM evidence_blob b JOIN node_signed s ON s.evidence_hash = b.evidence_hash
       WHERE NOT EXISTS (SELECT 1 FROM node_request r WHERE r.evidence_hash = b.evidence_hash AND r.status = 'pending')
       GROUP BY b.evidence_hash HAVING MAX(s.expires_at) < $1 LIMIT $2`,
      [cutoff, batchSize],
    );
    if (rows.length === 0) break;
    bytes += await store.evidence.pruneEvidence(
      rows.map((r) => ({ evidenceHash: r.evidence_hash, expiredAt: Number(r.expired_at) })),
      now,
    );
    pruned += rows.length;
    if (rows.length < batchSize) break;
  }
  return { pruned, bytes };
}

/** Runs {@link pruneEvidence} at start and every `intervalMs` until stopped; failures are logged and retried next time. */
export function startEvidenceRetention(
  store: NodeStore,
  options: {
    retainExpiredSeconds: number;
    intervalMs: number;
    log: { info(m: string, f?: object): void; warn(m: string, f?: object): void };
  },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const round = () => {
    running = pruneEvidence(store, { retainExpiredSeconds: options.retainExpiredSeconds }).then(
      (r) => {
        if (r.pruned > 0) options.log.info("evidence retention pruned evidence", { pruned: r.pruned, bytes: r.bytes });
      },
      (error: unknown) => options.log.warn("evidence retention failed; retrying at the next interval", { err: error }),
    );
  };
  round();
  const timer = setInterval(round, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
