/**
 * Versioned entity writes (graph-node's approach). Handlers load and save whole entities through an
 * {@link EntityBatch} that caches them in memory for a run of blocks; `writes` then plans every change
 * at once: an entity saved at block B closes its current version (`_block_to = B`) and opens a new one
 * (`_block_from = B`); a second save in the same block updates that version in place. Rolling back to
 * block F deletes the versions opened after F and reopens those closed after F.
 */
import type { Database, WriteStatement } from "../store/Database.ts";
import { columnType, decodeField, encodeField, q, type EntityData, type EntityModel, type EntityType } from "./entityModel.ts";
import type { StoredIdFilter } from "./storedIdFilter.ts";

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
 * Bulk inserts of entity versions (catch-up writes hundreds of thousands). SQLite: one prepared
 * single-row INSERT run in a synchronous loop — SQLite looks numbered parameters (?NNN) up linearly, so
 * a multi-row statement with n of them costs O(n²), and in-process calls cost little. PostgreSQL: one
 * INSERT … SELECT FROM unnest(column arrays) per chunk: one parameter per column whatever the number of
 * rows, so the server parses and plans one small statement (a VALUES list of 30,000 parameters took
 * longer to bind and plan than to insert).
 */
const PG_ROWS_PER_INSERT = 5_000;
const ID_CHUNK = 500;
/**
 * PostgreSQL takes a list of ids as one text[] parameter (`= ANY($1)`): an IN list of 500 parameters cost
 * more to bind and plan than the lookups (2.3 s of a 100,000-event catch-up's prefetches).
 */
const PG_ID_CHUNK = 5_000;

/** The last state of every entity a batch saved, by entity and id (what the batch will have stored). */
export type EntitySnapshot = ReadonlyMap<string, ReadonlyMap<string, EntityData>>;

export class EntityBatch {
  readonly #db: Database;
  readonly #model: EntityModel;
  readonly #cache = new Map<string, Map<string, CachedEntity>>();
  readonly #before: EntitySnapshot | undefined;
  readonly #stored: ReadonlyMap<string, StoredIdFilter> | undefined;

  /**
   * `before`: the entities of a batch whose transaction commits before this one's (the indexer handles a
   * page while the previous one commits): loads see them, and saves close their versions, as if stored.
   * `stored`: per entity, a filter of the ids its table may hold (storedIdFilter.ts): an id it rules out
   * is known absent without a query.
   */
  constructor(db: Database, model: EntityModel, before?: EntitySnapshot, stored?: ReadonlyMap<string, StoredIdFilter>) {
    this.#db = db;
    this.#model = model;
    this.#before = before;
    this.#stored = stored;
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
    const before = this.#before?.get(entity);
    const filter = this.#stored?.get(entity);
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      if (entries.has(id)) continue;
      const data = before?.get(id);
      if (data) entries.set(id, { inDb: true, versions: [], loaded: data });
      else if (filter && !filter.mightContain(id)) entries.set(id, { inDb: false, versions: [], loaded: null });
      else missing.push(id);
    }
    const pg = this.#db.dialect === "postgres";
    const size = pg ? PG_ID_CHUNK : ID_CHUNK;
    for (let i = 0; i < missing.length; i += size) {
      const chunk = missing.slice(i, i + size);
      const columns = e.stored.map((f) => q(f.name)).join(", ");
      const rows = pg
        ? await this.#db.query(`SELECT ${columns} FROM ${e.table} WHERE "_block_to" IS NULL AND "id" = ANY($1::text[])`, [chunk])
        : await this.#db.query(
            `SELECT ${columns} FROM ${e.table} WHERE "_block_to" IS NULL AND "id" IN (${chunk.map((_, j) => `$${j + 1}`).join(", ")})`,
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

  /** The ids of the entity this batch saved. */
  *savedIds(entity: string): Iterable<string> {
    for (const [id, c] of this.#cache.get(entity) ?? []) if (c.versions.length > 0) yield id;
  }

  /** How many entity versions this batch will write. */
  get size(): number {
    let n = 0;
    for (const m of this.#cache.values()) for (const c of m.values()) n += c.versions.length;
    return n;
  }

  /** The last state of every entity this batch saved. */
  snapshot(): EntitySnapshot {
    const out = new Map<string, Map<string, EntityData>>();
    for (const [entity, entries] of this.#cache) {
      const m = new Map<string, EntityData>();
      for (const [id, c] of entries) {
        const last = c.versions[c.versions.length - 1];
        if (last) m.set(id, last.data);
      }
      if (m.size > 0) out.set(entity, m);
    }
    return out;
  }

  /** How many entity versions this batch will write, per entity. */
  sizes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [entity, m] of this.#cache) {
      let n = 0;
      for (const c of m.values()) n += c.versions.length;
      if (n > 0) out.set(entity, n);
    }
    return out;
  }

  /** The statements that write every change, in order, to commit with the cursor's move (`Database.commitWrites`). */
  writes(dialect: Database["dialect"]): WriteStatement[] {
    const out: WriteStatement[] = [];
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
        if (dialect === "postgres") {
          for (let i = 0; i < ids.length; i += PG_ID_CHUNK) {
            out.push({
              sql: `UPDATE ${e.table} SET "_block_to" = $1 WHERE "_block_to" IS NULL AND "id" = ANY($2::text[])`,
              rows: [[block, ids.slice(i, i + PG_ID_CHUNK)]],
            });
          }
          continue;
        }
        for (let i = 0; i < ids.length; i += ID_CHUNK) {
          const chunk = ids.slice(i, i + ID_CHUNK);
          const placeholders = chunk.map((_, j) => `$${j + 2}`).join(", ");
          out.push({
            sql: `UPDATE ${e.table} SET "_block_to" = $1 WHERE "_block_to" IS NULL AND "id" IN (${placeholders})`,
            rows: [[block, ...chunk]],
          });
        }
      }
      out.push(...insertVersions(dialect, e, rows));
    }
    return out;
  }
}

const insertSqlCache = { sqlite: new WeakMap<EntityType, string>(), postgres: new WeakMap<EntityType, string>() };

function columnsOf(e: EntityType): string[] {
  return ['"_block_from"', '"_block_to"', ...e.stored.map((f) => q(f.name))];
}

/** SQLite: a single-row INSERT. PostgreSQL: INSERT … SELECT FROM unnest($1::type[], …). */
function insertSql(e: EntityType, dialect: Database["dialect"]): string {
  let sql = insertSqlCache[dialect].get(e);
  if (sql) return sql;
  const columns = columnsOf(e);
  if (dialect === "sqlite") {
    sql = `INSERT INTO ${e.table} (${columns.join(", ")}) VALUES (${columns.map((_, j) => `$${j + 1}`).join(", ")})`;
  } else {
    const types = ["bigint", "bigint", ...e.stored.map((f) => (columnType(f, "postgres") === "INTEGER" ? "integer" : "text"))];
    sql = `INSERT INTO ${e.table} (${columns.join(", ")}) SELECT * FROM unnest(${types.map((t, j) => `$${j + 1}::${t}[]`).join(", ")})`;
  }
  insertSqlCache[dialect].set(e, sql);
  return sql;
}

function rowParams(e: EntityType, v: Version): unknown[] {
  const out: unknown[] = [v.blockFrom, v.blockTo];
  for (const f of e.stored) out.push(encodeField(f, v.data[f.name]));
  return out;
}

function insertVersions(dialect: Database["dialect"], e: EntityType, rows: readonly Version[]): WriteStatement[] {
  return versionInserts(
    dialect,
    e,
    rows.map((v) => rowParams(e, v)),
  );
}

/**
 * The statements inserting entity versions given as stored columns (`_block_from`, `_block_to`, then the
 * stored fields in order, each encoded as `encodeField` does): the indexer's inserts, also used by the
 * registry benchmark to time the store alone.
 */
export function versionInserts(dialect: Database["dialect"], e: EntityType, rows: readonly (readonly unknown[])[]): WriteStatement[] {
  if (rows.length === 0) return [];
  const sql = insertSql(e, dialect);
  if (dialect === "sqlite") return [{ sql, rows }];
  const out: WriteStatement[] = [];
  const width = e.stored.length + 2;
  for (let i = 0; i < rows.length; i += PG_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + PG_ROWS_PER_INSERT);
    // Column arrays: parameter j holds column j of every row.
    const columns: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(chunk.length));
    chunk.forEach((row, r) => {
      for (let j = 0; j < width; j++) columns[j]![r] = row[j];
    });
    out.push({ sql, rows: [columns] });
  }
  return out;
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
