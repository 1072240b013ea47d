/**
 * TCB recovery's tables, in the node store's database (same handle, same transactions): what this node
 * signed (written in the transaction that accepts or supersedes a verdict, or keeps what it countersigned),
 * the newest TCB Info seen per platform, and the downgrade reports served at GET /v1/tcb-recovery
 * (docs/node.md, "TCB recovery"). Reached as `NodeStore.tcb`, the way the evidence store is `NodeStore.evidence`.
 */
import type { Hex } from "viem";
import type { Database } from "../../store/Database.ts";
import type { CollateralFile } from "../types.ts";

/** The tables; created after the node store's own (table and column names are what existing databases hold). */
export const TCB_RECOVERY_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_signed (
  verdict_id TEXT PRIMARY KEY,
  evidence_hash TEXT NOT NULL,
  workload_id TEXT NOT NULL,
  tee TEXT NOT NULL,
  tcb_status TEXT NOT NULL,
  fmspc TEXT,
  tcb_evaluation_data_number INTEGER,
  expires_at {bigint} NOT NULL,
  signed_at {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_signed_platform ON node_signed (fmspc, expires_at);
CREATE TABLE IF NOT EXISTS node_tcb_info (
  tee TEXT NOT NULL,
  fmspc TEXT NOT NULL,
  evaluation_data_number INTEGER NOT NULL,
  issue_date {bigint} NOT NULL,
  files_json TEXT NOT NULL,
  seen_at {bigint} NOT NULL,
  PRIMARY KEY (tee, fmspc)
);
CREATE TABLE IF NOT EXISTS node_tcb_downgrade (
  verdict_id TEXT PRIMARY KEY,
  tee TEXT NOT NULL,
  fmspc TEXT NOT NULL,
  previous_status TEXT NOT NULL,
  new_status TEXT NOT NULL,
  previous_evaluation_data_number INTEGER,
  new_evaluation_data_number INTEGER NOT NULL,
  expires_at {bigint} NOT NULL,
  grace_ends_at {bigint} NOT NULL,
  detected_at {bigint} NOT NULL
);
`;

export interface SignedRecord {
  verdictId: Hex;
  evidenceHash: Hex;
  workloadId: Hex;
  tee: string;
  tcbStatus: string;
  fmspc: string | null;
  tcbEvaluationDataNumber: number | null;
  expiresAt: number;
}

export interface TcbInfoRecord {
  tee: string;
  fmspc: string;
  evaluationDataNumber: number;
  /** Unix seconds. */
  issueDate: number;
  /** The signed TCB Info and its issuer chain as collateral files. */
  files: CollateralFile[];
}

export interface DowngradeRecord {
  verdictId: Hex;
  tee: string;
  fmspc: string;
  previousStatus: string;
  newStatus: string;
  previousEvaluationDataNumber: number | null;
  newEvaluationDataNumber: number;
  expiresAt: number;
  graceEndsAt: number;
  detectedAt: number;
}

export class TcbRecoveryStore {
  readonly #db: Database;
  readonly #now: () => number;

  private constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  static async open(db: Database, options: { now?: () => number } = {}): Promise<TcbRecoveryStore> {
    await db.exec(TCB_RECOVERY_SCHEMA);
    return new TcbRecoveryStore(db, options.now ?? Date.now);
  }

  // ===== What this node signed =====

  async recordSigned(records: readonly SignedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#db.transaction((tx) => this.insertSigned(tx, records));
  }

  /** Writes signed records inside the caller's transaction `tx` (the node store's accept, supersede, keepSigned). */
  async insertSigned(tx: Database, records: readonly SignedRecord[]): Promise<void> {
    const now = this.#now();
    for (const r of records) {
      await tx.execute(
        `INSERT INTO node_signed (verdict_id, evidence_hash, workload_id, tee, tcb_status, fmspc, tcb_evaluation_data_number, expires_at, signed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (verdict_id) DO NOTHING`,
        [r.verdictId, r.evidenceHash, r.workloadId, r.tee, r.tcbStatus, r.fmspc, r.tcbEvaluationDataNumber, r.expiresAt, now],
      );
    }
  }

  /** Forgets, inside the caller's transaction `tx`, that this node signed a verdict (it was superseded). */
  async deleteSigned(tx: Database, verdictId: string): Promise<void> {
    await tx.execute("DELETE FROM node_signed WHERE verdict_id = $1", [verdictId]);
  }

  /** Verdicts this node signed for a platform that are still live at `now` (unix seconds). */
  async liveSignedFor(fmspc: string, now: number): Promise<SignedRecord[]> {
    const rows = await this.#db.query<{
      verdict_id: Hex;
      evidence_hash: Hex;
      workload_id: Hex;
      tee: string;
      tcb_status: string;
      fmspc: string | null;
      tcb_evaluation_data_number: number | null;
      expires_at: number;
    }>("SELECT * FROM node_signed WHERE fmspc = $1 AND expires_at > $2 ORDER BY verdict_id", [fmspc, now]);
    return rows.map((r) => ({
      verdictId: r.verdict_id,
      evidenceHash: r.evidence_hash,
      workloadId: r.workload_id,
      tee: r.tee,
      tcbStatus: r.tcb_status,
      fmspc: r.fmspc,
      tcbEvaluationDataNumber: r.tcb_evaluation_data_number === null ? null : Number(r.tcb_evaluation_data_number),
      expiresAt: Number(r.expires_at),
    }));
  }

  /** Platforms (tee, FMSPC) of live verdicts this node signed: what TCB recovery keeps watching. */
  async livePlatforms(now: number): Promise<Array<{ tee: string; fmspc: string; evidenceHash: Hex }>> {
    return this.#db.query<{ tee: string; fmspc: string; evidenceHash: Hex }>(
      `SELECT tee, fmspc, MIN(evidence_hash) AS "evidenceHash" FROM node_signed WHERE fmspc IS NOT NULL AND expires_at > $1 GROUP BY tee, fmspc ORDER BY tee, fmspc`,
      [now],
    );
  }

  // ===== TCB Info =====

  async tcbInfo(tee: string, fmspc: string): Promise<TcbInfoRecord | undefined> {
    const [row] = await this.#db.query<{
      tee: string;
      fmspc: string;
      evaluation_data_number: number;
      issue_date: number;
      files_json: string;
    }>("SELECT * FROM node_tcb_info WHERE tee = $1 AND fmspc = $2", [tee, fmspc]);
    if (!row) return undefined;
    const files = (JSON.parse(row.files_json) as Array<{ name: string; data: string }>).map((f) => ({
      name: f.name,
      bytes: new Uint8Array(Buffer.from(f.data, "base64")),
    }));
    return {
      tee: row.tee,
      fmspc: row.fmspc,
      evaluationDataNumber: Number(row.evaluation_data_number),
      issueDate: Number(row.issue_date),
      files,
    };
  }

  /** Keeps the newest TCB Info per platform; returns whether `info` is newer than what was known. */
  async saveTcbInfo(info: TcbInfoRecord): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query<{ evaluation_data_number: number }>(
        "SELECT evaluation_data_number FROM node_tcb_info WHERE tee = $1 AND fmspc = $2",
        [info.tee, info.fmspc],
      );
      if (row && Number(row.evaluation_data_number) >= info.evaluationDataNumber) return false;
      const files = JSON.stringify(info.files.map((f) => ({ name: f.name, data: Buffer.from(f.bytes).toString("base64") })));
      await tx.execute(
        `INSERT INTO node_tcb_info (tee, fmspc, evaluation_data_number, issue_date, files_json, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tee, fmspc) DO UPDATE SET evaluation_data_number = excluded.evaluation_data_number, issue_date = excluded.issue_date,
         files_json = excluded.files_json, seen_at = excluded.seen_at`,
        [info.tee, info.fmspc, info.evaluationDataNumber, info.issueDate, files, this.#now()],
      );
      return true;
    });
  }

  // ===== Downgrades =====

  async recordDowngrade(d: Omit<DowngradeRecord, "detectedAt">): Promise<void> {
    await this.#db.transaction((tx) =>
      tx.execute(
        `INSERT INTO node_tcb_downgrade (verdict_id, tee, fmspc, previous_status, new_status, previous_evaluation_data_number, new_evaluation_data_number, expires_at, grace_ends_at, detected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (verdict_id) DO UPDATE SET new_status = excluded.new_status, new_evaluation_data_number = excluded.new_evaluation_data_number,
         grace_ends_at = excluded.grace_ends_at`,
        [
          d.verdictId,
          d.tee,
          d.fmspc,
          d.previousStatus,
          d.newStatus,
          d.previousEvaluationDataNumber,
          d.newEvaluationDataNumber,
          d.expiresAt,
          d.graceEndsAt,
          this.#now(),
        ],
      ),
    );
  }

  async downgrades(): Promise<DowngradeRecord[]> {
    const rows = await this.#db.query<Record<string, unknown>>("SELECT * FROM node_tcb_downgrade ORDER BY detected_at, verdict_id");
    return rows.map((r) => ({
      verdictId: r.verdict_id as Hex,
      tee: r.tee as string,
      fmspc: r.fmspc as string,
      previousStatus: r.previous_status as string,
      newStatus: r.new_status as string,
      previousEvaluationDataNumber: r.previous_evaluation_data_number === null ? null : Number(r.previous_evaluation_data_number),
      newEvaluationDataNumber: Number(r.new_evaluation_data_number),
      expiresAt: Number(r.expires_at),
      graceEndsAt: Number(r.grace_ends_at),
      detectedAt: Number(r.detected_at),
    }));
  }
}
