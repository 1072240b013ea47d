import { mkdtempSync, rmSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSqliteWriter } from "./sqliteWriter.ts";

const insert = "INSERT INTO item (id, body) VALUES ($1, $2)";
/** A commit of `n` rows of 1 KiB. */
const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => [`${prefix}-${i}`, "x".repeat(1024)]);
const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** What the writer thread leaves to its checkpointer, and the WAL's bound when the checkpointer falls behind. */
describe("SQLite writer and checkpointer threads", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "keepledger-checkpoint-"));
    path = join(dir, "store.db");
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE item (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
    db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("copies committed pages into the database file on the checkpointer thread, not after each commit on the writer", async () => {
    const writer = startSqliteWriter({ path, cacheSize: -2000 });
    const before = size(path);
    // 4 MiB: past SQLite's own checkpoint threshold (1,000 pages), which the writer's connection does not apply.
    await writer.commit([{ sql: insert, rows: rows("a", 4_000) }]);
    const deadline = Date.now() + 5_000;
    while (size(path) <= before + 4_000 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(size(path)).toBeGreaterThan(before + 4_000 * 1024);
    await writer.close();
    const db = new DatabaseSync(path, { readOnly: true });
    expect(db.prepare("SELECT count(*) AS c FROM item").get()).toEqual({ c: 4_000 });
    db.close();
  });

  it("checkpoints on the writer, never waiting for a reader, and truncates the WAL once it outgrows its bound", async () => {
    const maxWalBytes = 1024 * 1024;
    const writer = startSqliteWriter({ path, cacheSize: -2000, maxWalBytes });
    // A reader holding a snapshot keeps every checkpoint from copying past it, and is not waited for; once
    // it is gone, the writer's own checkpoints (and the next write starting the WAL over) bring the file
    // back under the bound.
    const reader = new DatabaseSync(path, { readOnly: true });
    reader.exec("BEGIN");
    reader.prepare("SELECT count(*) FROM item").get();
    for (let i = 0; i < 4; i++) await writer.commit([{ sql: insert, rows: rows(`held-${i}`, 1_000) }]);
    expect(size(`${path}-wal`)).toBeGreaterThan(4 * maxWalBytes);
    reader.exec("COMMIT");
    reader.close();
    // A checkpoint still running on the checkpointer when the next write starts delays the restart by a commit.
    let commits = 0;
    while (commits < 20 && (commits === 0 || size(`${path}-wal`) > maxWalBytes)) {
      await writer.commit([{ sql: insert, rows: rows(`free-${commits++}`, 10) }]);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(size(`${path}-wal`)).toBeLessThanOrEqual(maxWalBytes);
    expect(commits).toBeLessThanOrEqual(5);
    await writer.close();
    const db = new DatabaseSync(path, { readOnly: true });
    expect(db.prepare("SELECT count(*) AS c FROM item").get()).toEqual({ c: 4_000 + 10 * commits });
    db.close();
  });
});
