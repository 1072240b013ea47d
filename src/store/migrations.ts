/**
 * Schema versions: each component that owns tables (the node store, the evidence store, the registry)
 * declares an ordered list of migrations; `migrate` applies those a database has not seen yet, each in
 * its own transaction together with the version it reaches, and refuses a database written by newer
 * code (its tables may mean something this code does not know). Components sharing one database (a
 * node's store holds the evidence store too) keep one row each in `schema_version`.
 */
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import type { Database } from "./Database.ts";

export const MIGRATION_CODES = defineErrorCodes("store", {
  DATABASE_SCHEMA_TOO_NEW: {
    stage: "usage",
    description:
      "The database was written by a newer keepledger (its schema version is above the newest this code knows); run that version, or restore a backup taken before the upgrade.",
  },
  DATABASE_MIGRATION_FAILED: {
    stage: "infrastructure",
    description:
      "A schema migration failed and was rolled back (the database stays at the version named in details); fix the cause (disk space, permissions) and start again.",
  },
});

export interface Migration {
  /** 1, 2, 3 … in order, without gaps. */
  version: number;
  description: string;
  /** A schema script ({bytes}/{bigint} placeholders allowed) or a function for data changes. */
  up: string | ((db: Database) => Promise<void>);
}

export interface SchemaDefinition {
  /** The row in schema_version: "node", "evidence", "registry". */
  component: string;
  migrations: readonly Migration[];
}

export interface MigrateResult {
  component: string;
  from: number;
  to: number;
}

export const SCHEMA_VERSION_TABLE = `
CREATE TABLE IF NOT EXISTS schema_version (
  component TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  updated_at {bigint} NOT NULL
);
`;

/** The version of `component` recorded in `db` (0: none recorded, a new or pre-versioning database). */
export async function schemaVersion(db: Database, component: string): Promise<number> {
  // Only read: a store at the newest version is opened without a write (a registry may serve a node's
  // evidence store with read access only).
  const exists =
    db.dialect === "sqlite"
      ? (await db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")).length > 0
      : (await db.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t"))[0]?.t != null;
  if (!exists) return 0;
  const [row] = await db.query<{ version: number }>("SELECT version FROM schema_version WHERE component = $1", [component]);
  return row ? Number(row.version) : 0;
}

/** The newest version a definition knows. */
export function latestVersion(schema: SchemaDefinition): number {
  return schema.migrations.at(-1)?.version ?? 0;
}

/** Refuses (DATABASE_SCHEMA_TOO_NEW) a database newer than `schema` knows, without writing: for readers that do not migrate. */
export async function assertSchemaNotNewer(db: Database, schema: SchemaDefinition): Promise<number> {
  const latest = latestVersion(schema);
  const version = await schemaVersion(db, schema.component);
  if (version > latest) {
    throw new UsageError(
      MIGRATION_CODES.DATABASE_SCHEMA_TOO_NEW,
      `the ${schema.component} schema of ${db.description} is version ${version}, newer than this keepledger knows (${latest})`,
      { details: { component: schema.component, got: version, want: `at most ${latest}` } },
    );
  }
  return version;
}

/**
 * Brings `db` to the newest version of `schema`. Version 1 of every component is its schema as it was
 * before versions were recorded, written with CREATE … IF NOT EXISTS, so a database from that time
 * (tables present, no schema_version row) is adopted by it unchanged.
 */
export async function migrate(db: Database, schema: SchemaDefinition): Promise<MigrateResult> {
  schema.migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${schema.component} migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = latestVersion(schema);
  const from = await assertSchemaNotNewer(db, schema);
  let current = from;
  if (from < latest) await db.exec(SCHEMA_VERSION_TABLE);
  for (const m of schema.migrations.slice(from)) {
    try {
      await db.transaction(async (tx) => {
        // Another process may be migrating too: SQLite's BEGIN IMMEDIATE excludes it; PostgreSQL needs a lock.
        if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(hashtext('keepledger.schema_version'))");
        // It may have migrated meanwhile: read the version again under the lock.
        const [row] = await tx.query<{ version: number }>("SELECT version FROM schema_version WHERE component = $1", [schema.component]);
        if (row && Number(row.version) >= m.version) return;
        if (typeof m.up === "string") await tx.exec(m.up);
        else await m.up(tx);
        await tx.execute(
          `INSERT INTO schema_version (component, version, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (component) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
          [schema.component, m.version, Math.floor(Date.now() / 1000)],
        );
      });
    } catch (error) {
      throw new InfrastructureError(
        MIGRATION_CODES.DATABASE_MIGRATION_FAILED,
        `migrating the ${schema.component} schema of ${db.description} to version ${m.version} (${m.description}) failed`,
        { details: { component: schema.component, version: current, failedVersion: m.version }, cause: error },
      );
    }
    current = m.version;
  }
  return { component: schema.component, from, to: current };
}
