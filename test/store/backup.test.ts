/**
 * Store backups outside a running node: SQLite backups are checked before a restore (integrity, target
 * free), a restored store from a newer release is refused when opened; a PostgreSQL node store dumped
 * with pg_dump and restored with pg_restore into a fresh database resumes its open verdicts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { NodeStore } from "../../src/node/store/NodeStore.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { backupSqliteStore, restoreSqliteStore } from "../../src/store/sqliteBackup.ts";
import { TEST_DATABASES } from "../support/databases.ts";

const h = (s: string): Hex => keccak256(stringToBytes(s));

async function acceptOne(store: NodeStore): Promise<Hex> {
  const evidence = stringToBytes("evidence for a backup");
  const evidenceHash = keccak256(evidence);
  const verdictId = h("verdict for a backup");
  await store.accept({
    requestId: h("request for a backup"),
    workloadId: h("w"),
    source: "http",
    verdictId,
    verdict: { evidenceHash } as never,
    mode: "single",
    evidence,
    collateral: [],
    link: { verdictId, evidenceHash, workloadId: h("w"), subjectPublicKey: null, bindingContext: "keep", freshnessBlock: 1 },
    signed: {
      verdictId,
      evidenceHash,
      workloadId: h("w"),
      tee: "sgx",
      tcbStatus: "UpToDate",
      fmspc: null,
      tcbEvaluationDataNumber: null,
      expiresAt: 2_000,
    },
  });
  return verdictId;
}

describe("SQLite store backups", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "keepledger-backup-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to restore what is not a SQLite database, or onto an existing store", async () => {
    writeFileSync(join(dir, "junk.db"), "not a database at all, just text ".repeat(200));
    await expect(restoreSqliteStore(join(dir, "junk.db"), join(dir, "a", "node.db"))).rejects.toMatchObject({ code: "BACKUP_INVALID" });
    await expect(restoreSqliteStore(join(dir, "missing.db"), join(dir, "a", "node.db"))).rejects.toMatchObject({ code: "BACKUP_INVALID" });
    const db = openDatabase(join(dir, "live", "node.db"));
    const verdictId = await acceptOne(await NodeStore.open(db));
    const backup = await backupSqliteStore(join(dir, "live", "node.db"), join(dir, "backup.db"));
    await db.close();
    await expect(restoreSqliteStore(backup.path, join(dir, "live", "node.db"))).rejects.toMatchObject({ code: "BACKUP_TARGET_EXISTS" });
    const restored = await restoreSqliteStore(backup.path, join(dir, "restored", "node.db"));
    const again = openDatabase(restored.path);
    expect((await (await NodeStore.open(again)).openVerdicts()).map((v) => v.verdictId)).toEqual([verdictId]);
    await again.close();
  });

  it("restores a backup of a newer release, which the node then refuses to open", async () => {
    const db = openDatabase(join(dir, "newer", "node.db"));
    await NodeStore.open(db);
    await db.execute("UPDATE schema_version SET version = 3 WHERE component = 'node'");
    await db.close();
    const backup = await backupSqliteStore(join(dir, "newer", "node.db"), join(dir, "newer-backup.db"));
    expect(backup.versions).toEqual({ evidence: 2, node: 3 });
    const restored = await restoreSqliteStore(backup.path, join(dir, "newer-restored", "node.db"));
    const again = openDatabase(restored.path);
    await expect(NodeStore.open(again)).rejects.toMatchObject({ code: "DATABASE_SCHEMA_TOO_NEW" });
    await again.close();
  });
});

const postgres = TEST_DATABASES.find((d) => d.name === "postgres");

describe.runIf(postgres)("PostgreSQL store backups (pg_dump / pg_restore)", () => {
  it("restores a dump into a fresh database and resumes its open verdicts", async () => {
    const source = await postgres!.open();
    const target = await postgres!.open();
    const dir = mkdtempSync(join(tmpdir(), "keepledger-pgdump-"));
    try {
      const verdictId = await acceptOne(await NodeStore.open(source.db));
      const dump = join(dir, "node.dump");
      execFileSync("pg_dump", ["--format=custom", "--no-owner", `--file=${dump}`, source.url]);
      execFileSync("pg_restore", ["--no-owner", "--exit-on-error", `--dbname=${target.url}`, dump]);
      const restored = await NodeStore.open(target.db);
      expect((await restored.openVerdicts()).map((v) => v.verdictId)).toEqual([verdictId]);
      expect(await restored.evidence.getEvidence(keccak256(stringToBytes("evidence for a backup")))).toBeDefined();
      expect(await target.db.query("SELECT component, version FROM schema_version ORDER BY component")).toEqual([
        { component: "evidence", version: 2 },
        { component: "node", version: 2 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await source.drop();
      await target.drop();
    }
  });
});
