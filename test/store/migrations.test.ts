/**
 * Schema versions: a database written before versions were recorded (built here from the DDL of that
 * time, committed in test/fixtures/schema/) is adopted and upgraded with its rows intact; a database
 * from newer code is refused; a failed migration leaves the version where it was. On SQLite and, when
 * configured, PostgreSQL.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EvidenceStore } from "../../src/evidenceStore/EvidenceStore.ts";
import { EVIDENCE_STORE_MIGRATIONS, EVIDENCE_STORE_SCHEMA_V1 } from "../../src/evidenceStore/evidenceStoreMigrations.ts";
import { entityModel } from "../../src/indexer/entityModel.ts";
import { ensureRegistrySchema, KEY_ENTITIES, registryMigrations } from "../../src/indexer/registrySchema.ts";
import { readCursor } from "../../src/indexer/registryState.ts";
import { NodeStore } from "../../src/node/store/NodeStore.ts";
import { NODE_STORE_MIGRATIONS } from "../../src/node/store/nodeStoreMigrations.ts";
import type { Database } from "../../src/store/Database.ts";
import { assertSchemaNotNewer, latestVersion, migrate, schemaVersion, SCHEMA_VERSION_TABLE } from "../../src/store/migrations.ts";
import { TEST_DATABASES } from "../support/databases.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/schema/${name}`, import.meta.url), "utf8");

const EVIDENCE_HASH = `0x${"ab".repeat(32)}`;
const VERDICT_ID = `0x${"cd".repeat(32)}`;
const REQUEST_ID = `0x${"ef".repeat(32)}`;

/** Rows a node wrote under the unversioned schema. */
async function writeOldNodeRows(db: Database): Promise<void> {
  await db.execute("INSERT INTO evidence_blob (evidence_hash, evidence, stored_at) VALUES ($1, $2, $3)", [
    EVIDENCE_HASH,
    new Uint8Array([1, 2, 3, 4]),
    1_751_328_000,
  ]);
  await db.execute(
    "INSERT INTO verdict_evidence (verdict_id, evidence_hash, workload_id, subject_public_key, binding_context, freshness_block) VALUES ($1, $2, $3, NULL, 'keep', 7)",
    [VERDICT_ID, EVIDENCE_HASH, `0x${"11".repeat(32)}`],
  );
  await db.execute(
    `INSERT INTO node_request (request_id, workload_id, evidence_hash, source, status, verdict_id, error_json, created_at, updated_at)
     VALUES ($1, $2, $3, 'http', 'finalized', $4, NULL, 1, 1)`,
    [REQUEST_ID, `0x${"11".repeat(32)}`, EVIDENCE_HASH, VERDICT_ID],
  );
  await db.execute(
    `INSERT INTO node_signed (verdict_id, evidence_hash, workload_id, tee, tcb_status, fmspc, tcb_evaluation_data_number, expires_at, signed_at)
     VALUES ($1, $2, $3, 'tdx', 'UpToDate', NULL, NULL, 1751414400, 1)`,
    [VERDICT_ID, EVIDENCE_HASH, `0x${"11".repeat(32)}`],
  );
}

async function indexNames(db: Database): Promise<string[]> {
  const rows =
    db.dialect === "sqlite"
      ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
      : await db.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()");
  return rows.map((r) => r.name);
}

describe.each(TEST_DATABASES)("schema migrations on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ db, drop } = await store.open());
  });
  afterEach(() => drop());

  it("adopts and upgrades a node store written before versions were recorded, keeping its rows", async () => {
    await db.exec(fixture("node-store-unversioned.sql"));
    await writeOldNodeRows(db);

    const node = await NodeStore.open(db);

    expect(await schemaVersion(db, "node")).toBe(latestVersion(NODE_STORE_MIGRATIONS));
    expect(await schemaVersion(db, "evidence")).toBe(latestVersion(EVIDENCE_STORE_MIGRATIONS));
    expect(latestVersion(NODE_STORE_MIGRATIONS)).toBe(2);
    expect(await indexNames(db)).toContain("node_signed_evidence");
    expect(await node.request(REQUEST_ID as `0x${string}`)).toMatchObject({ status: "finalized", verdictId: VERDICT_ID });
    const stored = await node.evidence.getEvidence(EVIDENCE_HASH as `0x${string}`);
    expect([...stored!.evidence]).toEqual([1, 2, 3, 4]);
    expect(await node.evidence.verdictLink(VERDICT_ID as `0x${string}`)).toMatchObject({ evidenceHash: EVIDENCE_HASH, freshnessBlock: 7 });
    // Version 2 of the evidence store: the pruning record exists and is empty.
    expect(await db.query("SELECT evidence_hash FROM evidence_pruned")).toEqual([]);

    // Opening again changes nothing.
    expect(await migrate(db, NODE_STORE_MIGRATIONS)).toEqual({ component: "node", from: 2, to: 2 });
  });

  it("upgrades an evidence store at version 1 to version 2", async () => {
    await db.exec(SCHEMA_VERSION_TABLE);
    await db.exec(EVIDENCE_STORE_SCHEMA_V1);
    await db.execute("INSERT INTO schema_version (component, version, updated_at) VALUES ('evidence', 1, 0)");
    await db.execute("INSERT INTO evidence_blob (evidence_hash, evidence, stored_at) VALUES ($1, $2, 1)", [
      EVIDENCE_HASH,
      new Uint8Array([9]),
    ]);
    expect(await migrate(db, EVIDENCE_STORE_MIGRATIONS)).toEqual({ component: "evidence", from: 1, to: 2 });
    const evidence = await EvidenceStore.open(db);
    expect(await evidence.describeEvidence(EVIDENCE_HASH as `0x${string}`)).toMatchObject({ size: 1 });
  });

  it("adopts a registry index written before versions were recorded, keeping its cursor", async () => {
    await db.exec(fixture(`registry-unversioned.${db.dialect}.sql`));
    await db.execute("INSERT INTO reg_state (key, value) VALUES ('cursor', $1)", [JSON.stringify({ number: 42, hash: "0x01" })]);
    const before = await readCursor(db);
    await ensureRegistrySchema(db, entityModel());
    expect(await schemaVersion(db, "registry")).toBe(2);
    expect(await readCursor(db)).toEqual(before);
  });

  it("upgrades a registry index at version 1 to version 2: the key release tables, rows and cursor kept", async () => {
    const model = entityModel();
    // The registry as version 1 left it: no key tables.
    await db.exec(fixture(`registry-unversioned.${db.dialect}.sql`));
    await db.exec(SCHEMA_VERSION_TABLE);
    await db.execute("INSERT INTO schema_version (component, version, updated_at) VALUES ('registry', 1, 0)");
    await db.execute("INSERT INTO reg_state (key, value) VALUES ('cursor', $1)", [JSON.stringify({ number: 42, hash: "0x01" })]);
    await db.execute(
      `INSERT INTO reg_workload ("_block_from", "id", "name", "owner", "metadataURI", "policyCount", "createdAt", "createdAtBlock", "txHash") VALUES (1, '0x01', 'w', '0x02', '', 0, '0', '1', '0x03')`,
    );
    await expect(db.query(`SELECT "id" FROM ${model.entity("KeyRelease").table}`)).rejects.toThrow();
    expect(await migrate(db, registryMigrations(model, db.dialect))).toEqual({ component: "registry", from: 1, to: 2 });
    for (const name of KEY_ENTITIES) expect(await db.query(`SELECT "id" FROM ${model.entity(name).table}`)).toEqual([]);
    expect(await indexNames(db)).toContain("reg_keyrelease_subject");
    expect(await db.query(`SELECT "name" FROM reg_workload`)).toEqual([{ name: "w" }]);
    expect(await readCursor(db)).toMatchObject({ number: 42 });
  });

  it("refuses a database written by newer code", async () => {
    await NodeStore.open(db);
    await db.execute("UPDATE schema_version SET version = 99 WHERE component = 'node'");
    const error = await NodeStore.open(db).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "DATABASE_SCHEMA_TOO_NEW",
      details: { component: "node", got: 99, want: "at most 2" },
    });
    await db.execute("INSERT INTO schema_version (component, version, updated_at) VALUES ('registry', 5, 0)");
    await expect(ensureRegistrySchema(db, entityModel())).rejects.toMatchObject({ code: "DATABASE_SCHEMA_TOO_NEW" });
    // What only reads (keepledger serve) refuses it too, without writing.
    await expect(assertSchemaNotNewer(db, registryMigrations(entityModel(), db.dialect))).rejects.toMatchObject({
      code: "DATABASE_SCHEMA_TOO_NEW",
      details: { component: "registry", got: 5, want: "at most 2" },
    });
  });

  it("rolls a failed migration back and keeps the version it had", async () => {
    const definition = {
      component: "test",
      migrations: [
        { version: 1, description: "a table", up: "CREATE TABLE t1 (id TEXT PRIMARY KEY);" },
        {
          version: 2,
          description: "a table, then a statement that fails",
          up: async (tx: Database) => {
            await tx.exec("CREATE TABLE t2 (id TEXT PRIMARY KEY);");
            await tx.execute("INSERT INTO no_such_table (id) VALUES ('x')");
          },
        },
      ],
    };
    const error = await migrate(db, definition).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "DATABASE_MIGRATION_FAILED", details: { component: "test", version: 1, failedVersion: 2 } });
    expect(await schemaVersion(db, "test")).toBe(1);
    // t2 was rolled back with the failed step.
    await expect(db.query("SELECT id FROM t2")).rejects.toThrow();
  });
});
