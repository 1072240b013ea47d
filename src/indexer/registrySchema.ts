/**
 * The SQL schema of the registry index, generated from the entity model: one table per entity holding
 * every version of every entity (graph-node's approach: `_block_from` ≤ block < `_block_to`, NULL = the
 * current version), plus the indexed blocks (hash and time, for reorg detection and time travel) and a
 * key/value table for the cursor and the deployment being indexed.
 */
import type { Database } from "../store/Database.ts";
import { migrate, type SchemaDefinition } from "../store/migrations.ts";
import { setFreshSqlitePageSize } from "../store/sqlitePageSize.ts";
import { columnType, q, type EntityModel, type EntityType } from "./entityModel.ts";

/**
 * Indexes for the queries auditors run most, besides one per reference field that a derived list reads
 * backwards (Workload.verdicts reads Verdict.workload). Every index costs each inserted version, and
 * catch-up inserts hundreds of thousands: forward references (Verdict.revocation) are read by id and
 * need none.
 */
const QUERY_INDEXES: Record<string, string[][]> = {
  // The id too: a batch gives hundreds of verdicts one issuedAt, and a page of a workload's newest
  // verdicts (ORDER BY issuedAt, id) then walks the index instead of sorting the whole tie (3× faster).
  Verdict: [["workload", "issuedAt", "id"], ["subject"], ["issuedAt"]],
  Policy: [["workload", "effectiveAt"]],
  GovernanceChange: [["blockNumber"]],
  Revocation: [["blockNumber"]],
  // "Which Keeps received key K, from which validators, when": by key (the back-reference, with time), by Keep.
  KeyRelease: [["key", "releasedAt"], ["subject"], ["batchRoot"]],
};

/** Reference fields some @derivedFrom field reads backwards. */
function backReferences(model: EntityModel): Set<string> {
  const out = new Set<string>();
  for (const e of model.entities) for (const f of e.fields) if (f.type.kind === "derived") out.add(`${f.type.entity}.${f.type.field}`);
  return out;
}

export const REGISTRY_BASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS reg_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reg_block (
  number {bigint} PRIMARY KEY,
  hash TEXT NOT NULL,
  parent_hash TEXT,
  timestamp {bigint} NOT NULL
);
CREATE INDEX IF NOT EXISTS reg_block_hash ON reg_block (hash);
`;

/** An index that only queries need (not the indexer itself): dropped during a long catch-up. */
export interface SecondaryIndex {
  name: string;
  sql: string;
}

/**
 * The query indexes of an entity table: the composite ones above and one per back-referenced field.
 * The indexer itself needs none of them (it reads by id and rolls back by block), so a long catch-up
 * drops them and builds them once at the end (docs/registry.md, "Catch-up").
 */
function secondaryIndexesOf(e: EntityType, backRefs: Set<string>): SecondaryIndex[] {
  const indexes: string[][] = [];
  const composite = QUERY_INDEXES[e.name] ?? [];
  for (const f of e.stored) {
    // A composite index led by the field serves it too.
    if (f.type.kind === "ref" && backRefs.has(`${e.name}.${f.name}`) && !composite.some((c) => c[0] === f.name)) indexes.push([f.name]);
  }
  indexes.push(...composite);
  // Reads are always "as of" a block (RegistryReader), so these index every version; the block range
  // is checked on the rows the index leads to, nearly all of which are current. Keys are kept short
  // (no id appended: ties are sorted on the few rows that share a value): with random hashes as keys,
  // index size is what catch-up pays for.
  return indexes.map((cols) => {
    const name = `${e.table}_${cols.join("_").toLowerCase()}`;
    return { name, sql: `CREATE INDEX IF NOT EXISTS ${name} ON ${e.table} (${cols.map(q).join(", ")});` };
  });
}

/** Every secondary index of the registry schema. */
export function secondaryIndexes(model: EntityModel): SecondaryIndex[] {
  const backRefs = backReferences(model);
  return model.entities.flatMap((e) => secondaryIndexesOf(e, backRefs));
}

function entityTableSql(e: EntityType, dialect: Database["dialect"], backRefs: Set<string>): string {
  const cols = e.stored.map((f) => `  ${q(f.name)} ${columnType(f, dialect)}${f.name === "id" ? " NOT NULL" : ""}`);
  const t = e.table;
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${t} (`,
    `  "_block_from" {bigint} NOT NULL,`,
    `  "_block_to" {bigint},`,
    `${cols.join(",\n")},`,
    `  PRIMARY KEY ("id", "_block_from")`,
    `);`,
    // Rollback deletes and reopens by block range: these stay during catch-up.
    `CREATE INDEX IF NOT EXISTS ${t}_from ON ${t} ("_block_from");`,
    `CREATE INDEX IF NOT EXISTS ${t}_to ON ${t} ("_block_to") WHERE "_block_to" IS NOT NULL;`,
    ...secondaryIndexesOf(e, backRefs).map((i) => i.sql),
  ];
  return lines.join("\n");
}

/** The whole schema script for a dialect. */
export function registrySchemaSql(model: EntityModel, dialect: Database["dialect"]): string {
  const backRefs = backReferences(model);
  return [REGISTRY_BASE_SCHEMA, ...model.entities.map((e) => entityTableSql(e, dialect, backRefs))].join("\n");
}

/**
 * The registry's schema versions (docs/registry.md, "Schema versions"). Version 1 is the generated schema
 * as it was when versions started to be recorded. An index can always be rebuilt from the chain, so a
 * change of the entity model that CREATE … IF NOT EXISTS cannot express gets a migration that drops
 * the entity tables and the cursor (a re-index), rather than one that rewrites rows.
 */
export function registryMigrations(model: EntityModel, dialect: Database["dialect"]): SchemaDefinition {
  const backRefs = backReferences(model);
  return {
    component: "registry",
    migrations: [
      { version: 1, description: "registry tables (entity versions, blocks, state)", up: registrySchemaSql(model, dialect) },
      {
        version: 2,
        // New tables only: nothing stored changes, and an index made before had no KeyRegistry to follow
        // (a deployment that adds one is refused by claimDeployment until re-indexed into a fresh database).
        description: "key release tables (Key, KeyVersion, KeyRelease)",
        up: KEY_ENTITIES.map((name) => entityTableSql(model.entity(name), dialect, backRefs)).join("\n"),
      },
    ],
  };
}

/** The entities of registry schema version 2. */
export const KEY_ENTITIES = ["Key", "KeyVersion", "KeyRelease"] as const;

/**
 * Brings the registry tables to the newest schema version (refusing a newer database), then runs the
 * generated script again: it only creates what is missing, so an index added to QUERY_INDEXES reaches
 * existing databases without a migration of its own.
 */
export async function ensureRegistrySchema(db: Database, model: EntityModel): Promise<void> {
  await migrate(db, registryMigrations(model, db.dialect));
  await db.exec(registrySchemaSql(model, db.dialect));
}

/**
 * The store as the indexer writes it: the registry schema, and on SQLite 16 KiB pages for a fresh file
 * (catch-up inserts into several indexes keyed by random hashes: fewer pages dirtied and committed per
 * row, 1.6× faster inserts and commits than 4 KiB) and 256 MiB of page cache.
 */
export async function prepareRegistryStore(db: Database, model: EntityModel): Promise<void> {
  if (db.dialect === "sqlite") {
    await setFreshSqlitePageSize(db, 16_384);
    await db.exec("PRAGMA cache_size = -262144");
  }
  await ensureRegistrySchema(db, model);
}

/** Drops the secondary indexes (the start of a long catch-up). */
export async function dropSecondaryIndexes(db: Database, model: EntityModel): Promise<void> {
  await db.exec(
    secondaryIndexes(model)
      .map((i) => `DROP INDEX IF EXISTS ${i.name};`)
      .join("\n"),
  );
}

/** Builds the secondary indexes that are missing (the end of a catch-up; also every start). */
export async function createSecondaryIndexes(db: Database, model: EntityModel): Promise<void> {
  await db.exec(
    secondaryIndexes(model)
      .map((i) => i.sql)
      .join("\n"),
  );
}
