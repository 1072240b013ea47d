/**
 * The node's durable state (SQLite or PostgreSQL through src/store): every accepted request and its
 * pending verdict are written here — with the evidence in the evidence store — before the HTTP reply;
 * signatures are written as they arrive; transitions to finalized or rejected are written when they
 * happen. After a crash the node reloads whatever is not terminal and resumes it. TCB recovery's tables
 * live in src/node/tcb/TcbRecoveryStore.ts (`tcb`), written inside this store's transactions.
 */
import type { Hex } from "viem";
import { EvidenceStore, type VerdictEvidenceLink } from "../../evidenceStore/EvidenceStore.ts";
import type { VerdictGroup } from "@keepledger/sdk/internal/ids/index";
import type { Database } from "../../store/Database.ts";
import type { CollateralFile, ErrorJson, RequestSource, VerdictJson, VerdictMode } from "../types.ts";
import { TcbRecoveryStore, type SignedRecord } from "../tcb/TcbRecoveryStore.ts";
import { migrate } from "../../store/migrations.ts";
import { NODE_STORE_MIGRATIONS } from "./nodeStoreMigrations.ts";

/**
 * Internal verdict states: pending (collecting signatures) → batched (in a batch) / submitting → finalized
 * | rejected; or pending → superseded, when the collector re-appraised the request with newer collateral
 * and replaced the verdict by another (its request then points at the new one).
 */
export type VerdictState = "pending" | "batched" | "submitting" | "finalized" | "rejected" | "superseded";
export type BatchState = "signing" | "submitting" | "finalized" | "rejected";

export interface RequestRecord {
  requestId: Hex;
  workloadId: Hex;
  evidenceHash: Hex;
  source: RequestSource;
  status: "pending" | "finalized" | "rejected";
  verdictId: Hex | null;
  error: ErrorJson | null;
  createdAt: number;
  updatedAt: number;
}

export interface VerdictRecord {
  verdictId: Hex;
  requestId: Hex;
  verdict: VerdictJson;
  mode: VerdictMode;
  state: VerdictState;
  batchId: Hex | null;
  leafIndex: number | null;
  txHash: Hex | null;
  error: ErrorJson | null;
  attempts: number;
  createdAt: number;
}

export interface BatchRecord {
  batchId: Hex;
  groups: VerdictGroup[];
  count: number;
  state: BatchState;
  txHash: Hex | null;
  error: ErrorJson | null;
  attempts: number;
  createdAt: number;
}

export interface AcceptInput {
  requestId: Hex;
  workloadId: Hex;
  source: RequestSource;
  verdictId: Hex;
  verdict: VerdictJson;
  mode: VerdictMode;
  evidence: Uint8Array;
  collateral: readonly CollateralFile[];
  link: VerdictEvidenceLink;
  signed: SignedRecord;
  /** This node's own signature over the verdict (batch-mode verdicts are signed as a batch instead). */
  signature?: { signer: Hex; signature: Hex };
}

interface RequestRow {
  request_id: Hex;
  workload_id: Hex;
  evidence_hash: Hex;
  source: RequestSource;
  status: RequestRecord["status"];
  verdict_id: Hex | null;
  error_json: string | null;
  created_at: number;
  updated_at: number;
}

interface VerdictRow {
  verdict_id: Hex;
  request_id: Hex;
  verdict_json: string;
  mode: VerdictMode;
  status: VerdictState;
  batch_id: Hex | null;
  leaf_index: number | null;
  tx_hash: Hex | null;
  error_json: string | null;
  attempts: number;
  created_at: number;
}

interface BatchRow {
  batch_id: Hex;
  groups_json: string;
  item_count: number;
  status: BatchState;
  tx_hash: Hex | null;
  error_json: string | null;
  attempts: number;
  created_at: number;
}

const parseError = (json: string | null): ErrorJson | null => (json === null ? null : (JSON.parse(json) as ErrorJson));

function toRequest(r: RequestRow): RequestRecord {
  return {
    requestId: r.request_id,
    workloadId: r.workload_id,
    evidenceHash: r.evidence_hash,
    source: r.source,
    status: r.status,
    verdictId: r.verdict_id,
    error: parseError(r.error_json),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toVerdict(r: VerdictRow): VerdictRecord {
  return {
    verdictId: r.verdict_id,
    requestId: r.request_id,
    verdict: JSON.parse(r.verdict_json) as VerdictJson,
    mode: r.mode,
    state: r.status,
    batchId: r.batch_id,
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    txHash: r.tx_hash,
    error: parseError(r.error_json),
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
  };
}

function groupsToJson(groups: readonly VerdictGroup[]): string {
  return JSON.stringify(groups, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function groupsFromJson(text: string): VerdictGroup[] {
  const raw = JSON.parse(text) as Array<
    Omit<VerdictGroup, "issuedAt" | "expiresAt" | "items"> & {
      issuedAt: string;
      expiresAt: string;
      items: Array<{ subject: Hex; evidenceHash: Hex; freshnessBlock: string }>;
    }
  >;
  return raw.map((g) => ({
    ...g,
    issuedAt: BigInt(g.issuedAt),
    expiresAt: BigInt(g.expiresAt),
    items: g.items.map((i) => ({ ...i, freshnessBlock: BigInt(i.freshnessBlock) })),
  }));
}

function toBatch(r: BatchRow): BatchRecord {
  return {
    batchId: r.batch_id,
    groups: groupsFromJson(r.groups_json),
    count: Number(r.item_count),
    state: r.status,
    txHash: r.tx_hash,
    error: parseError(r.error_json),
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
  };
}

/** Rolls a supersede() transaction back: the old verdict moved on, or the new one exists already. */
class SupersedeConflict extends Error {}

export class NodeStore {
  readonly db: Database;
  readonly evidence: EvidenceStore;
  /** TCB recovery's tables (what this node signed, TCB Info, downgrades), in the same database. */
  readonly tcb: TcbRecoveryStore;
  readonly #now: () => number;
  #lastSeq = 0;

  private constructor(db: Database, evidence: EvidenceStore, tcb: TcbRecoveryStore, now: () => number) {
    this.db = db;
    this.evidence = evidence;
    this.tcb = tcb;
    this.#now = now;
  }

  static async open(db: Database, options: { now?: () => number } = {}): Promise<NodeStore> {
    // The evidence store first: the node's migrations may read its tables.
    const evidence = await EvidenceStore.open(db);
    await migrate(db, NODE_STORE_MIGRATIONS);
    const now = options.now ?? Date.now;
    return new NodeStore(db, evidence, await TcbRecoveryStore.open(db, { now }), now);
  }

  /** A strictly increasing number in acceptance order (microsecond-scaled time, so it also grows across restarts). */
  #nextSeq(now: number): number {
    this.#lastSeq = Math.max(now * 1000, this.#lastSeq + 1);
    return this.#lastSeq;
  }

  // ===== Requests =====

  /**
   * Records an accepted request in one go: the evidence and collateral, the request, its pending verdict,
   * the evidence link for audits, what this node signed and its own signature.
   */
  async accept(input: AcceptInput): Promise<void> {
    const now = this.#now();
    await this.#withEvidence(
      async (tx) => {
        await tx.execute(
          `INSERT INTO node_request (request_id, workload_id, evidence_hash, source, status, verdict_id, error_json, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, NULL, $6, $6)
         ON CONFLICT (request_id) DO UPDATE SET status = 'pending', verdict_id = excluded.verdict_id, error_json = NULL, updated_at = excluded.updated_at`,
          [input.requestId, input.workloadId, input.link.evidenceHash, input.source, input.verdictId, now],
        );
        await tx.execute(
          `INSERT INTO node_verdict (verdict_id, request_id, verdict_json, mode, status, batch_id, leaf_index, tx_hash, error_json, attempts, seq, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', NULL, NULL, NULL, NULL, 0, $5, $6, $6) ON CONFLICT (verdict_id) DO NOTHING`,
          [input.verdictId, input.requestId, JSON.stringify(input.verdict), input.mode, this.#nextSeq(now), now],
        );
        await this.tcb.insertSigned(tx, [input.signed]);
        if (input.signature) {
          await tx.execute(
            "INSERT INTO node_signature (subject_id, signer, signature) VALUES ($1, $2, $3) ON CONFLICT (subject_id, signer) DO NOTHING",
            [input.verdictId, input.signature.signer, input.signature.signature],
          );
        }
      },
      [{ evidence: input.evidence, collateral: input.collateral, link: input.link }],
    );
  }

  /**
   * Runs `work` in a transaction together with storing evidence and links. On SQLite the evidence store
   * shares the connection, so it all commits at once; on PostgreSQL the evidence store uses its own pooled
   * connections, so the evidence is written first (idempotent, content-addressed) and linked after — never
   * from inside the transaction, which would hold one pooled connection while waiting for another.
   */
  async #withEvidence(
    work: (tx: Database) => Promise<void>,
    items: ReadonlyArray<{ evidence: Uint8Array; collateral: readonly CollateralFile[]; link: VerdictEvidenceLink }>,
  ): Promise<void> {
    if (this.db.dialect === "sqlite") {
      await this.db.transaction(async (tx) => {
        for (const item of items) await this.evidence.putEvidence(item.evidence, item.collateral);
        await work(tx);
        for (const item of items) await this.evidence.linkVerdict(item.link);
      });
      return;
    }
    for (const item of items) await this.evidence.putEvidence(item.evidence, item.collateral);
    await this.db.transaction(work);
    for (const item of items) await this.evidence.linkVerdict(item.link);
  }

  /** Keeps what this node countersigned as a peer: evidence, collateral, links and signed records, at once. */
  async keepSigned(
    items: ReadonlyArray<{ evidence: Uint8Array; collateral: readonly CollateralFile[]; link: VerdictEvidenceLink; signed: SignedRecord }>,
  ): Promise<void> {
    await this.#withEvidence(
      (tx) =>
        this.tcb.insertSigned(
          tx,
          items.map((i) => i.signed),
        ),
      items,
    );
  }

  /** Records a refused request with its error, so that a lookup by request id says why. */
  async reject(request: { requestId: Hex; workloadId: Hex; evidenceHash: Hex; source: RequestSource }, error: ErrorJson): Promise<void> {
    const now = this.#now();
    await this.db.transaction((tx) =>
      tx.execute(
        `INSERT INTO node_request (request_id, workload_id, evidence_hash, source, status, verdict_id, error_json, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'rejected', NULL, $5, $6, $6)
         ON CONFLICT (request_id) DO UPDATE SET status = 'rejected', error_json = excluded.error_json, updated_at = excluded.updated_at`,
        [request.requestId, request.workloadId, request.evidenceHash, request.source, JSON.stringify(error), now],
      ),
    );
  }

  async request(requestId: Hex): Promise<RequestRecord | undefined> {
    const [row] = await this.db.query<RequestRow>("SELECT * FROM node_request WHERE request_id = $1", [requestId.toLowerCase()]);
    return row ? toRequest(row) : undefined;
  }

  // ===== Verdicts =====

  async verdict(verdictId: Hex): Promise<VerdictRecord | undefined> {
    const [row] = await this.db.query<VerdictRow>("SELECT * FROM node_verdict WHERE verdict_id = $1", [verdictId.toLowerCase()]);
    return row ? toVerdict(row) : undefined;
  }

  /** Verdicts not yet finalized or rejected, oldest first. */
  async openVerdicts(): Promise<VerdictRecord[]> {
    const rows = await this.db.query<VerdictRow>(
      "SELECT * FROM node_verdict WHERE status IN ('pending', 'batched', 'submitting') ORDER BY seq",
    );
    return rows.map(toVerdict);
  }

  async setVerdictState(verdictId: Hex, state: VerdictState, extra: { txHash?: Hex; error?: ErrorJson } = {}): Promise<void> {
    const now = this.#now();
    await this.db.transaction(async (tx) => {
      await tx.execute(
        `UPDATE node_verdict SET status = $2, tx_hash = COALESCE($3, tx_hash), error_json = COALESCE($4, error_json), attempts = attempts + $5, updated_at = $6
         WHERE verdict_id = $1`,
        [verdictId, state, extra.txHash ?? null, extra.error ? JSON.stringify(extra.error) : null, state === "submitting" ? 1 : 0, now],
      );
      if (state === "finalized" || state === "rejected") {
        await tx.execute(
          "UPDATE node_request SET status = $2, error_json = COALESCE($3, error_json), updated_at = $4 WHERE verdict_id = $1",
          [verdictId, state, extra.error ? JSON.stringify(extra.error) : null, now],
        );
      }
    });
  }

  /**
   * Replaces a pending verdict by the verdict of a new appraisal of its request, in one transaction: the
   * new verdict is recorded as accept() records one (evidence, collateral, link, signed record, own
   * signature) and becomes the request's verdict; the old one turns `superseded` (its error names the
   * new one), and the signatures collected for it and the record that this node signed it are dropped.
   * Happens at most once per old verdict: false, and nothing written, when it is no longer pending or the
   * new verdict already exists.
   */
  async supersede(oldVerdictId: Hex, input: AcceptInput, error: ErrorJson): Promise<boolean> {
    const now = this.#now();
    const oldId = oldVerdictId.toLowerCase();
    try {
      await this.#withEvidence(
        async (tx) => {
          const moved = await tx.execute(
            "UPDATE node_verdict SET status = 'superseded', error_json = $2, updated_at = $3 WHERE verdict_id = $1 AND status = 'pending'",
            [oldId, JSON.stringify(error), now],
          );
          if (moved.changes !== 1) throw new SupersedeConflict();
          const inserted = await tx.execute(
            `INSERT INTO node_verdict (verdict_id, request_id, verdict_json, mode, status, batch_id, leaf_index, tx_hash, error_json, attempts, seq, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'pending', NULL, NULL, NULL, NULL, 0, $5, $6, $6) ON CONFLICT (verdict_id) DO NOTHING`,
            [input.verdictId, input.requestId, JSON.stringify(input.verdict), input.mode, this.#nextSeq(now), now],
          );
          if (inserted.changes !== 1) throw new SupersedeConflict();
          await tx.execute(
            "UPDATE node_request SET status = 'pending', verdict_id = $2, error_json = NULL, updated_at = $3 WHERE request_id = $1",
            [input.requestId, input.verdictId, now],
          );
          await tx.execute("DELETE FROM node_signature WHERE subject_id = $1", [oldId]);
          await this.tcb.deleteSigned(tx, oldId);
          await this.tcb.insertSigned(tx, [input.signed]);
          if (input.signature) {
            await tx.execute(
              "INSERT INTO node_signature (subject_id, signer, signature) VALUES ($1, $2, $3) ON CONFLICT (subject_id, signer) DO NOTHING",
              [input.verdictId, input.signature.signer, input.signature.signature],
            );
          }
        },
        [{ evidence: input.evidence, collateral: input.collateral, link: input.link }],
      );
      return true;
    } catch (e) {
      if (e instanceof SupersedeConflict) return false;
      throw e;
    }
  }

  /** The verdict a request has now: `verdictId`'s record, or — when it was superseded — its request's current one. */
  async currentVerdict(verdictId: Hex): Promise<VerdictRecord | undefined> {
    let record = await this.verdict(verdictId);
    for (let hops = 0; record?.state === "superseded" && hops < 8; hops++) {
      const request = await this.request(record.requestId);
      if (!request?.verdictId || request.verdictId === record.verdictId) break;
      record = await this.verdict(request.verdictId);
    }
    return record;
  }

  /** Counts one more collateral heal (re-appraisal) of a request and returns how many it has had, this one included. */
  async countCollateralHeal(requestId: Hex): Promise<number> {
    const key = `collateral-heals:${requestId.toLowerCase()}`;
    let count = 0;
    await this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ state_value: string }>("SELECT state_value FROM node_state WHERE state_key = $1", [key]);
      count = (row ? Number(JSON.parse(row.state_value)) : 0) + 1;
      await tx.execute(
        "INSERT INTO node_state (state_key, state_value) VALUES ($1, $2) ON CONFLICT (state_key) DO UPDATE SET state_value = excluded.state_value",
        [key, JSON.stringify(count)],
      );
    });
    return count;
  }

  // ===== Signatures =====

  async addSignature(subjectId: Hex, signer: Hex, signature: Hex): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute(
        "INSERT INTO node_signature (subject_id, signer, signature) VALUES ($1, $2, $3) ON CONFLICT (subject_id, signer) DO NOTHING",
        [subjectId.toLowerCase(), signer, signature],
      ),
    );
  }

  async dropSignature(subjectId: Hex, signer: Hex): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute("DELETE FROM node_signature WHERE subject_id = $1 AND signer = $2", [subjectId.toLowerCase(), signer]),
    );
  }

  async signatures(subjectId: Hex): Promise<Array<{ signer: Hex; signature: Hex }>> {
    return this.db.query<{ signer: Hex; signature: Hex }>(
      "SELECT signer, signature FROM node_signature WHERE subject_id = $1 ORDER BY signer",
      [subjectId.toLowerCase()],
    );
  }

  // ===== Batches =====

  /** Batch-mode verdicts not yet in a batch, oldest first. */
  async unbatchedVerdicts(limit: number): Promise<VerdictRecord[]> {
    const rows = await this.db.query<VerdictRow>(
      "SELECT * FROM node_verdict WHERE status = 'pending' AND mode = 'batch' ORDER BY seq LIMIT $1",
      [limit],
    );
    return rows.map(toVerdict);
  }

  /** Records a batch and assigns its verdicts (given in leaf order) to it, atomically. */
  async createBatch(
    batchId: Hex,
    groups: readonly VerdictGroup[],
    verdictIds: readonly Hex[],
    signature: { signer: Hex; signature: Hex },
  ): Promise<void> {
    const now = this.#now();
    await this.db.transaction(async (tx) => {
      await tx.execute(
        `INSERT INTO node_batch (batch_id, groups_json, item_count, status, tx_hash, error_json, attempts, created_at, updated_at)
         VALUES ($1, $2, $3, 'signing', NULL, NULL, 0, $4, $4) ON CONFLICT (batch_id) DO NOTHING`,
        [batchId, groupsToJson(groups), verdictIds.length, now],
      );
      for (const [index, id] of verdictIds.entries()) {
        await tx.execute(
          "UPDATE node_verdict SET status = 'batched', batch_id = $2, leaf_index = $3, updated_at = $4 WHERE verdict_id = $1",
          [id, batchId, index, now],
        );
      }
      await tx.execute(
        "INSERT INTO node_signature (subject_id, signer, signature) VALUES ($1, $2, $3) ON CONFLICT (subject_id, signer) DO NOTHING",
        [batchId, signature.signer, signature.signature],
      );
    });
  }

  async batch(batchId: Hex): Promise<BatchRecord | undefined> {
    const [row] = await this.db.query<BatchRow>("SELECT * FROM node_batch WHERE batch_id = $1", [batchId.toLowerCase()]);
    return row ? toBatch(row) : undefined;
  }

  async openBatches(): Promise<BatchRecord[]> {
    const rows = await this.db.query<BatchRow>(
      "SELECT * FROM node_batch WHERE status IN ('signing', 'submitting') ORDER BY created_at, batch_id",
    );
    return rows.map(toBatch);
  }

  async batchVerdictIds(batchId: Hex): Promise<Hex[]> {
    const rows = await this.db.query<{ verdict_id: Hex }>("SELECT verdict_id FROM node_verdict WHERE batch_id = $1 ORDER BY leaf_index", [
      batchId.toLowerCase(),
    ]);
    return rows.map((r) => r.verdict_id);
  }

  /** Moves a batch (and all its verdicts) to a new state; finalized and rejected also settle the requests. */
  async setBatchState(batchId: Hex, state: BatchState, extra: { txHash?: Hex; error?: ErrorJson } = {}): Promise<void> {
    const now = this.#now();
    const error = extra.error ? JSON.stringify(extra.error) : null;
    await this.db.transaction(async (tx) => {
      await tx.execute(
        `UPDATE node_batch SET status = $2, tx_hash = COALESCE($3, tx_hash), error_json = COALESCE($4, error_json), attempts = attempts + $5, updated_at = $6
         WHERE batch_id = $1`,
        [batchId, state, extra.txHash ?? null, error, state === "submitting" ? 1 : 0, now],
      );
      if (state === "finalized" || state === "rejected") {
        await tx.execute(
          "UPDATE node_verdict SET status = $2, tx_hash = COALESCE($3, tx_hash), error_json = COALESCE($4, error_json), updated_at = $5 WHERE batch_id = $1",
          [batchId, state, extra.txHash ?? null, error, now],
        );
        await tx.execute(
          `UPDATE node_request SET status = $2, error_json = COALESCE($3, error_json), updated_at = $4
           WHERE verdict_id IN (SELECT verdict_id FROM node_verdict WHERE batch_id = $1)`,
          [batchId, state, error, now],
        );
      }
    });
  }

  /**
   * Takes verdicts out of a batch that could not be signed: the batch is dropped and its verdicts go back
   * to pending — in single mode when `single` names them (a peer refused them), else to be batched again.
   */
  async dissolveBatch(batchId: Hex, single: ReadonlySet<Hex>): Promise<void> {
    const now = this.#now();
    await this.db.transaction(async (tx) => {
      const ids = await tx.query<{ verdict_id: Hex }>("SELECT verdict_id FROM node_verdict WHERE batch_id = $1", [batchId]);
      for (const { verdict_id } of ids) {
        await tx.execute(
          "UPDATE node_verdict SET status = 'pending', batch_id = NULL, leaf_index = NULL, mode = $2, updated_at = $3 WHERE verdict_id = $1",
          [verdict_id, single.has(verdict_id) ? "single" : "batch", now],
        );
      }
      await tx.execute("DELETE FROM node_batch WHERE batch_id = $1", [batchId]);
      await tx.execute("DELETE FROM node_signature WHERE subject_id = $1", [batchId]);
    });
  }

  // ===== Small state =====

  async getState<T>(key: string): Promise<T | undefined> {
    const [row] = await this.db.query<{ state_value: string }>("SELECT state_value FROM node_state WHERE state_key = $1", [key]);
    return row ? (JSON.parse(row.state_value) as T) : undefined;
  }

  async setState(key: string, value: unknown): Promise<void> {
    await this.db.transaction((tx) =>
      tx.execute(
        "INSERT INTO node_state (state_key, state_value) VALUES ($1, $2) ON CONFLICT (state_key) DO UPDATE SET state_value = excluded.state_value",
        [key, JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))],
      ),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
