/**
 * The key service's tables, in the node store's database: this validator's key-service key pair, the
 * shares deposited with it (sealed to that key, as the owner sent them), the release requests it has seen
 * (replay protection) and its release receipts until they are committed on-chain (docs/key-release.md).
 */
import type { Address, Hex } from "viem";
import type { Database } from "../../store/Database.ts";
import type { Sealed } from "@keepledger/sdk/internal/chain/keyRelease/hpke";
import type { ReleaseReceipt } from "@keepledger/sdk/internal/ids/index";

export const KEY_SERVICE_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_key_service (
  id INTEGER PRIMARY KEY,
  public_key TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_at {bigint} NOT NULL
);
CREATE TABLE IF NOT EXISTS node_key_share (
  key_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  share_index INTEGER NOT NULL,
  enc TEXT NOT NULL,
  ct TEXT NOT NULL,
  share_hashes_json TEXT NOT NULL,
  deposited_at {bigint} NOT NULL,
  PRIMARY KEY (key_id, version)
);
CREATE TABLE IF NOT EXISTS node_key_request (
  request_hash TEXT PRIMARY KEY,
  block_number {bigint} NOT NULL,
  seen_at {bigint} NOT NULL
);
CREATE TABLE IF NOT EXISTS node_key_receipt (
  request_hash TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  subject TEXT NOT NULL,
  released_at {bigint} NOT NULL,
  root TEXT,
  seq {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS node_key_receipt_open ON node_key_receipt (root, seq);
`;

export interface StoredShare {
  index: number;
  sealed: Sealed;
  shareHashes: Hex[];
}

export class KeyServiceStore {
  readonly #db: Database;
  #seq = 0;

  private constructor(db: Database) {
    this.#db = db;
  }

  static async open(db: Database): Promise<KeyServiceStore> {
    await db.exec(KEY_SERVICE_SCHEMA);
    const store = new KeyServiceStore(db);
    const [row] = await db.query<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM node_key_receipt");
    store.#seq = Number(row?.seq ?? 0);
    return store;
  }

  /** The stored key pair, or the one `generate` makes and stores (once: the first writer wins). */
  async keyPair(generate: () => Promise<{ publicKey: Hex; privateKey: Hex }>): Promise<{ publicKey: Hex; privateKey: Hex }> {
    const read = async () =>
      (await this.#db.query<{ public_key: Hex; private_key: Hex }>("SELECT public_key, private_key FROM node_key_service WHERE id = 1"))[0];
    let row = await read();
    if (!row) {
      const made = await generate();
      await this.#db.execute(
        "INSERT INTO node_key_service (id, public_key, private_key, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
        [made.publicKey, made.privateKey, Date.now()],
      );
      row = await read();
    }
    return { publicKey: row!.public_key, privateKey: row!.private_key };
  }

  async putShare(keyId: Hex, version: number, share: StoredShare): Promise<void> {
    await this.#db.execute(
      `INSERT INTO node_key_share (key_id, version, share_index, enc, ct, share_hashes_json, deposited_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key_id, version) DO UPDATE SET share_index = $3, enc = $4, ct = $5, share_hashes_json = $6, deposited_at = $7`,
      [keyId, version, share.index, share.sealed.enc, share.sealed.ct, JSON.stringify(share.shareHashes), Date.now()],
    );
  }

  async share(keyId: Hex, version: number): Promise<StoredShare | undefined> {
    const [row] = await this.#db.query<{ share_index: number; enc: Hex; ct: Hex; share_hashes_json: string }>(
      "SELECT share_index, enc, ct, share_hashes_json FROM node_key_share WHERE key_id = $1 AND version = $2",
      [keyId, version],
    );
    if (!row) return undefined;
    return {
      index: Number(row.share_index),
      sealed: { enc: row.enc, ct: row.ct },
      shareHashes: JSON.parse(row.share_hashes_json) as Hex[],
    };
  }

  /** Records a request as seen; false when it was seen before (a replay). */
  async markSeen(requestHash: Hex, blockNumber: bigint): Promise<boolean> {
    const { changes } = await this.#db.execute(
      "INSERT INTO node_key_request (request_hash, block_number, seen_at) VALUES ($1, $2, $3) ON CONFLICT (request_hash) DO NOTHING",
      [requestHash, Number(blockNumber), Date.now()],
    );
    return changes === 1;
  }

  /** Forgets requests whose block is older than `blockNumber`: they are refused as stale anyway. */
  async pruneSeen(blockNumber: bigint): Promise<void> {
    await this.#db.execute("DELETE FROM node_key_request WHERE block_number < $1", [Number(blockNumber)]);
  }

  async addReceipt(r: ReleaseReceipt): Promise<void> {
    this.#seq += 1;
    await this.#db.execute(
      "INSERT INTO node_key_receipt (request_hash, key_id, version, subject, released_at, root, seq) VALUES ($1, $2, $3, $4, $5, NULL, $6)",
      [r.requestHash, r.keyId, r.version, r.subject, Number(r.releasedAt), this.#seq],
    );
  }

  /** Receipts not yet committed, oldest first. */
  async pendingReceipts(limit: number): Promise<ReleaseReceipt[]> {
    const rows = await this.#db.query<{ request_hash: Hex; key_id: Hex; version: number; subject: Address; released_at: number }>(
      "SELECT request_hash, key_id, version, subject, released_at FROM node_key_receipt WHERE root IS NULL ORDER BY seq LIMIT $1",
      [limit],
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      version: Number(r.version),
      subject: r.subject,
      releasedAt: BigInt(r.released_at),
      requestHash: r.request_hash,
    }));
  }

  async markCommitted(requestHashes: readonly Hex[], root: Hex): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const h of requestHashes) await tx.execute("UPDATE node_key_receipt SET root = $1 WHERE request_hash = $2", [root, h]);
    });
  }
}
