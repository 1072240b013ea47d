/**
 * The SQL schema of the registry index, generated from the entity model: one table per entity holding
 * every version of every entity (graph-node's approach: `_block_from` ≤ block < `_block_to`, NULL = the
 * current version), plus the indexed blocks (hash and time, for reorg detection and time travel) and a
 * key/value table for the cursor and the deployment being indexed.
 */
import type { Database } from "../store/Database.ts";
import { columnType, q, type EntityModel, type EntityType } from "./entityModel.ts";

/** Composite indexes for the queries auditors run most (besides one per reference field). */
const QUERY_INDEXES: Record<string, string[][]> = {
  Verdict: [
    ["workload", "issuedAt"],
    ["subject", "workload", "issuedAt"],
    ["issuedAt"],
    ["expiresAt"],
  ],
  Policy: [["workload", "effectiveAt"]],
  GovernanceChange: [["blockNumber"]],
  Revocation: [["blockNumber"]],
};

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

function entityTableSql(e: EntityType, dialect: Database["dialect"]): string {
  const cols = e.stored.map((f) => `  ${q(f.name)} ${columnType(f, dialect)}${f.name === "id" ? " NOT NULL" : ""}`);
  const t = e.table;
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${t} (`,
    `  "_block_from" {bigint} NOT NULL,`,
    `  "_block_to" {bigint},`,
    `${cols.join(",\n")},`,
    `  PRIMARY KEY ("id", "_block_from")`,
    `);`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${t}_current ON ${t} ("id") WHERE "_block_to" IS NULL;`,
    `CREATE INDEX IF NOT EXISTS ${t}_from ON ${t} ("_block_from");`,
    `CREATE INDEX IF NOT EXISTS ${t}_to ON ${t} ("_block_to") WHERE "_block_to" IS NOT NULL;`,
  ];
  const indexes: string[][] = [];
  for (const f of e.stored) if (f.type.kind === "ref") indexes.push([f.name]);
  indexes.push(...(QUERY_INDEXES[e.name] ?? []));
  for (const cols of indexes) {
    // Reads are always "as of" a block (RegistryReader), so these index every version; the block range
    // is checked on the rows the index leads to, nearly all of which are current.
    lines.push(`CREATE INDEX IF NOT EXISTS ${t}_${cols.join("_").toLowerCase()} ON ${t} (${[...cols, "id"].map(q).join(", ")});`);
  }
  return lines.join("\n");
}

/** The whole schema script for a dialect. */
export function registrySchemaSql(model: EntityModel, dialect: Database["dialect"]): string {
  return [REGISTRY_BASE_SCHEMA, ...model.entities.map((e) => entityTableSql(e, dialect))].join("\n");
}

/** Creates the registry tables if they do not exist. */
export async function ensureRegistrySchema(db: Database, model: EntityModel): Promise<void> {
  await db.exec(registrySchemaSql(model, db.dialect));
}
