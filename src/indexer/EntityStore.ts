/**
 * Versioned entity writes (graph-node's approach). Handlers load and save whole entities through an
 * {@link EntityBatch} that caches them in memory for a run of blocks; `flush` then writes every change
 * at once: an entity saved at block B closes its current version (`_block_to = B`) and opens a new one
 * (`_block_from = B`); a second save in the same block updates that version in place. Rolling back to
 * block F deletes the versions opened after F and reopens those closed after F.
 */
import type { Database } from "../store/Database.ts";
import { decodeField, encodeField, q, type EntityData, type EntityModel, type EntityType } from "./entityModel.ts";

interface Version {
  blockFrom: number;
  blockTo: number | null;
  data: EntityData;
}

interface CachedEntity {
  /** Whether a current version exists in the database: true, false, or unknown (saved without a load). */
  inDb: boolean | undefined;
  /** Versions written in this batch, oldest first. */
  versions: Version[];
  /** The state as loaded from the database (when loaded). */
  loaded: EntityData | null;
}

/**
 * PostgreSQL: multi-row INSERTs of up to this many parameters (its limit is 65,535; each statement is a
 * round trip). SQLite: one row per INSERT, the statement prepared once — SQLite looks numbered
 * parameters (?NNN) up linearly, so a statement with n of them costs O(n²) to run, and in-process
 * calls cost little.
 */
const PG_MAX_PARAMS = 30_000;
const ID_CHUNK = 500;

export class EntityBatch {
  readonly #db: Database;
  readonly #model: EntityModel;
  readonly #cache = new Map<string, Map<string, CachedEntity>>();

  constructor(db: Database, model: EntityModel) {
    this.#db = db;
    this.#model = model;
  }

  #entries(entity: string): Map<string, CachedEntity> {
    let m = this.#cache.get(entity);
    if (!m) {
      m = new Map();
      this.#cache.set(entity, m);
    }
    return m;
  }

  /** The entity as of the last save (in this batch) or its current stored version; null when absent. */
  async load(entity: string, id: string): Promise<EntityData | null> {
    const entries = this.#entries(entity);
    let c = entries.get(id);
    if (!c) {
      await this.prefetch(entity, [id]);
      c = entries.get(id)!;
    }
    const last = c.versions[c.versions.length - 1];
    if (last) return { ...last.data };
    return c.loaded ? { ...c.loaded } : null;
  }

  /** Loads many entities in a few queries so that later loads hit the cache. */
  async prefetch(entity: string, ids: readonly string[]): Promise<void> {
    const e = this.#model.entity(entity);
    const entries = this.#entries(entity);
    const missing = [...new Set(ids)].filter((id) => !entries.has(id));
    for (let i = 0; i < missing.length; i += ID_CHUNK) {
      const chunk = missing.slice(i, i + ID_CHUNK);
      const placeholders = chunk.map((_, j) => `$${j + 1}`).join(", ");
      const rows = await this.#db.query(
        `SELECT ${e.stored.map((f) => q(f.name)).join(", ")} FROM ${e.table} WHERE "_block_to" IS NULL AND "id" IN (${placeholders})`,
        chunk,
      );
      const found = new Map(rows.map((r) => [String(r.id), decodeRow(e, r)]));
      for (const id of chunk) {
        const data = found.get(id) ?? null;
        entries.set(id, { inDb: data !== null, versions: [], loaded: data });
      }
    }
  }

  /** Whether the entity exists (in this batch or stored). */
  async exists(entity: string, id: string): Promise<boolean> {
    return (await this.load(entity, id)) !== null;
  }

  /** Saves the whole entity as of `block`. */
  save(entity: string, id: string, data: EntityData, block: number): void {
    const entries = this.#entries(entity);
    let c = entries.get(id);
    if (!c) {
      c = { inDb: undefined, versions: [], loaded: null };
      entries.set(id, c);
    }
    const full = { ...data, id };
    const last = c.versions[c.versions.length - 1];
    if (last && last.blockFrom === block) {
      last.data = full;
    } else {
      if (last) last.blockTo = block;
      c.versions.push({ blockFrom: block, blockTo: null, data: full });
    }
  }

  /** Saves an entity the caller knows is new (no stored version to close). */
  create(entity: string, id: string, data: EntityData, block: number): void {
    const entries = this.#entries(entity);
    if (!entries.has(id)) entries.set(id, { inDb: false, versions: [], loaded: null });
    this.save(entity, id, data, block);
  }

  /** How many entity versions this batch will write. */
  get size(): number {
    let n = 0;
    for (const m of this.#cache.values()) for (const c of m.values()) n += c.versions.length;
    return n;
  }

  /** Writes every change; run inside the transaction that also moves the cursor. */
  async flush(tx: Database): Promise<void> {
    for (const [entity, entries] of this.#cache) {
      const e = this.#model.entity(entity);
      // Close the stored current versions of changed entities, grouped by the block that closes them.
      const closing = new Map<number, string[]>();
      const rows: Version[] = [];
      for (const [id, c] of entries) {
        const first = c.versions[0];
        if (!first) continue;
        if (c.inDb !== false) {
          const list = closing.get(first.blockFrom) ?? [];
          list.push(id);
          closing.set(first.blockFrom, list);
        }
        rows.push(...c.versions);
      }
      for (const [block, ids] of closing) {
        for (let i = 0; i < ids.length; i += ID_CHUNK) {
          const chunk = ids.slice(i, i + ID_CHUNK);
          const placeholders = chunk.map((_, j) => `$${j + 2}`).join(", ");
          await tx.execute(`UPDATE ${e.table} SET "_block_to" = $1 WHERE "_block_to" IS NULL AND "id" IN (${placeholders})`, [
            block,
            ...chunk,
          ]);
        }
      }
      await insertVersions(tx, e, rows);
    }
    this.#cache.clear();
  }
}

const singleRowInsert = new WeakMap<EntityType, string>();

function insertSql(e: EntityType, columns: readonly string[], rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) tuples.push(`(${columns.map((_, j) => `$${r * columns.length + j + 1}`).join(", ")})`);
  return `INSERT INTO ${e.table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`;
}

function rowParams(e: EntityType, v: Version, into: unknown[]): void {
  into.push(v.blockFrom, v.blockTo);
  for (const f of e.stored) into.push(encodeField(f, v.data[f.name]));
}

async function insertVersions(tx: Database, e: EntityType, rows: readonly Version[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = ['"_block_from"', '"_block_to"', ...e.stored.map((f) => q(f.name))];
  if (tx.dialect === "sqlite") {
    let sql = singleRowInsert.get(e);
    if (!sql) {
      sql = insertSql(e, columns, 1);
      singleRowInsert.set(e, sql);
    }
    for (const v of rows) {
      const params: unknown[] = [];
      rowParams(e, v, params);
      await tx.execute(sql, params);
    }
    return;
  }
  const rowsPerInsert = Math.max(1, Math.floor(PG_MAX_PARAMS / columns.length));
  for (let i = 0; i < rows.length; i += rowsPerInsert) {
    const chunk = rows.slice(i, i + rowsPerInsert);
    const params: unknown[] = [];
    for (const v of chunk) rowParams(e, v, params);
    await tx.execute(insertSql(e, columns, chunk.length), params);
  }
}

function decodeRow(e: EntityType, row: Record<string, unknown>): EntityData {
  const out: EntityData = {};
  for (const f of e.stored) out[f.name] = decodeField(f, row[f.name]);
  return out;
}

/** Undoes everything after block `block`: versions opened later are deleted, versions closed later reopen. */
export async function rollbackEntities(tx: Database, model: EntityModel, block: number): Promise<void> {
  for (const e of model.entities) {
    await tx.execute(`DELETE FROM ${e.table} WHERE "_block_from" > $1`, [block]);
    await tx.execute(`UPDATE ${e.table} SET "_block_to" = NULL WHERE "_block_to" > $1`, [block]);
  }
}
