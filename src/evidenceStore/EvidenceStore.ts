import { keccak256 } from "viem";
import type { Database } from "../store/Database.ts";
import { migrate } from "../store/migrations.ts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { EVIDENCE_STORE_MIGRATIONS } from "./evidenceStoreMigrations.ts";

/**
 * The raw evidence and collateral behind every verdict a node handled,
 * content-addressed by keccak256 (the evidenceHash recorded on-chain), so that
 * an auditor can fetch them and re-run the verification (`keepledger audit`).
 * Report data can be sensitive: what is served to whom is decided by the
 * `evidenceAccess` setting where it is served (docs/evidence-store.md), not here.
 */
export interface StoredCollateralFile {
  name: string;
  bytes: Uint8Array;
}

/** What a verdict needs besides the evidence to be re-derived: the binding inputs. */
export interface VerdictEvidenceLink {
  verdictId: Hex;
  evidenceHash: Hex;
  workloadId: Hex;
  /** The subject's secp256k1 key X‖Y (bound evidence) or null (unbound). */
  subjectPublicKey: Hex | null;
  /** "keep" or "validator:<profile>" — what the binding context was. */
  bindingContext: string;
  freshnessBlock: number;
}

export interface StoredEvidence {
  evidenceHash: Hex;
  evidence: Uint8Array;
  collateral: StoredCollateralFile[];
  storedAt: number;
}

/** What the store holds for an evidence hash, without the bytes (what "hashes" evidence access serves). */
export interface EvidenceDescription {
  evidenceHash: Hex;
  size: number;
  storedAt: number;
  collateral: { name: string; contentHash: Hex; size: number }[];
}

/** What retention removed for an evidence hash (the links to verdicts stay). */
export interface PrunedEvidence {
  evidenceHash: Hex;
  /** Bytes of evidence and collateral removed. */
  size: number;
  /** When the last verdict resting on it expired (unix seconds). */
  expiredAt: number;
  prunedAt: number;
}

export class EvidenceStore {
  readonly #db: Database;

  private constructor(db: Database) {
    this.#db = db;
  }

  static async open(db: Database): Promise<EvidenceStore> {
    await migrate(db, EVIDENCE_STORE_MIGRATIONS);
    return new EvidenceStore(db);
  }

  /** Stores evidence and its collateral; idempotent (same bytes, same hash). Returns the evidence hash. */
  async putEvidence(evidence: Uint8Array, collateral: readonly StoredCollateralFile[] = []): Promise<Hex> {
    const evidenceHash = keccak256(evidence);
    await this.#db.transaction(async (tx) => {
      await tx.execute(
        "INSERT INTO evidence_blob (evidence_hash, evidence, stored_at) VALUES ($1, $2, $3) ON CONFLICT (evidence_hash) DO NOTHING",
        [evidenceHash, evidence, Math.floor(Date.now() / 1000)],
      );
      for (const file of collateral) {
        await tx.execute(
          "INSERT INTO evidence_collateral (evidence_hash, name, content_hash, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (evidence_hash, name) DO NOTHING",
          [evidenceHash, file.name, keccak256(file.bytes), file.bytes],
        );
      }
    });
    return evidenceHash;
  }

  async getEvidence(evidenceHash: Hex): Promise<StoredEvidence | undefined> {
    const [row] = await this.#db.query<{ evidence: Uint8Array; stored_at: number }>(
      "SELECT evidence, stored_at FROM evidence_blob WHERE evidence_hash = $1",
      [evidenceHash.toLowerCase()],
    );
    if (!row) return undefined;
    const files = await this.#db.query<{ name: string; bytes: Uint8Array }>(
      "SELECT name, bytes FROM evidence_collateral WHERE evidence_hash = $1 ORDER BY name",
      [evidenceHash.toLowerCase()],
    );
    return { evidenceHash: evidenceHash.toLowerCase() as Hex, evidence: row.evidence, collateral: files, storedAt: row.stored_at };
  }

  /** Sizes, content hashes and names of what is stored for `evidenceHash`, without the bytes. */
  async describeEvidence(evidenceHash: Hex): Promise<EvidenceDescription | undefined> {
    const hash = evidenceHash.toLowerCase();
    const [row] = await this.#db.query<{ size: number; stored_at: number }>(
      "SELECT length(evidence) AS size, stored_at FROM evidence_blob WHERE evidence_hash = $1",
      [hash],
    );
    if (!row) return undefined;
    const files = await this.#db.query<{ name: string; content_hash: Hex; size: number }>(
      "SELECT name, content_hash, length(bytes) AS size FROM evidence_collateral WHERE evidence_hash = $1 ORDER BY name",
      [hash],
    );
    return {
      evidenceHash: hash as Hex,
      size: Number(row.size),
      storedAt: Number(row.stored_at),
      collateral: files.map((f) => ({ name: f.name, contentHash: f.content_hash, size: Number(f.size) })),
    };
  }

  /** Records which evidence and binding inputs a verdict rests on; idempotent. */
  async linkVerdict(link: VerdictEvidenceLink): Promise<void> {
    await this.#db.execute(
      `INSERT INTO verdict_evidence (verdict_id, evidence_hash, workload_id, subject_public_key, binding_context, freshness_block)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (verdict_id) DO NOTHING`,
      [
        link.verdictId.toLowerCase(),
        link.evidenceHash.toLowerCase(),
        link.workloadId.toLowerCase(),
        link.subjectPublicKey,
        link.bindingContext,
        link.freshnessBlock,
      ],
    );
  }

  async verdictLink(verdictId: Hex): Promise<VerdictEvidenceLink | undefined> {
    const [row] = await this.#db.query<{
      evidence_hash: Hex;
      workload_id: Hex;
      subject_public_key: Hex | null;
      binding_context: string;
      freshness_block: number;
    }>(
      "SELECT evidence_hash, workload_id, subject_public_key, binding_context, freshness_block FROM verdict_evidence WHERE verdict_id = $1",
      [verdictId.toLowerCase()],
    );
    if (!row) return undefined;
    return {
      verdictId: verdictId.toLowerCase() as Hex,
      evidenceHash: row.evidence_hash,
      workloadId: row.workload_id,
      subjectPublicKey: row.subject_public_key,
      bindingContext: row.binding_context,
      freshnessBlock: Number(row.freshness_block),
    };
  }

  /**
   * Removes the bytes of evidence (and its collateral) that retention let go of, keeping the verdict links
   * and a record of what was pruned and when. Which evidence may go is the caller's policy (the node
   * prunes evidence whose verdicts all expired long enough ago: src/node/store/pruneEvidence.ts).
   */
  async pruneEvidence(
    items: ReadonlyArray<{ evidenceHash: Hex; expiredAt: number }>,
    now = Math.floor(Date.now() / 1000),
  ): Promise<number> {
    let bytes = 0;
    await this.#db.transaction(async (tx) => {
      for (const item of items) {
        const hash = item.evidenceHash.toLowerCase();
        const [row] = await tx.query<{ size: number }>(
          `SELECT length(evidence) + COALESCE((SELECT SUM(length(bytes)) FROM evidence_collateral WHERE evidence_hash = $1), 0) AS size
           FROM evidence_blob WHERE evidence_hash = $1`,
          [hash],
        );
        if (!row) continue;
        await tx.execute("DELETE FROM evidence_collateral WHERE evidence_hash = $1", [hash]);
        await tx.execute("DELETE FROM evidence_blob WHERE evidence_hash = $1", [hash]);
        await tx.execute(
          `INSERT INTO evidence_pruned (evidence_hash, size, expired_at, pruned_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (evidence_hash) DO UPDATE SET size = excluded.size, expired_at = excluded.expired_at, pruned_at = excluded.pruned_at`,
          [hash, Number(row.size), item.expiredAt, now],
        );
        bytes += Number(row.size);
      }
    });
    return bytes;
  }

  /** What retention removed for `evidenceHash`, if it did. */
  async pruned(evidenceHash: Hex): Promise<PrunedEvidence | undefined> {
    const [row] = await this.#db.query<{ size: number; expired_at: number; pruned_at: number }>(
      "SELECT size, expired_at, pruned_at FROM evidence_pruned WHERE evidence_hash = $1",
      [evidenceHash.toLowerCase()],
    );
    if (!row) return undefined;
    return {
      evidenceHash: evidenceHash.toLowerCase() as Hex,
      size: Number(row.size),
      expiredAt: Number(row.expired_at),
      prunedAt: Number(row.pruned_at),
    };
  }
}
