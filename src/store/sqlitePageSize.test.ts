import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./openDatabase.ts";
import { setFreshSqlitePageSize } from "./sqlitePageSize.ts";

const pragma = async (db: Database, name: string) => Object.values((await db.query(`PRAGMA ${name}`))[0]!)[0];

describe("setFreshSqlitePageSize", () => {
  const dirs: string[] = [];
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-pagesize-"));
    dirs.push(dir);
    return join(dir, "index.db");
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("gives a fresh file 16 KiB pages and leaves it in WAL mode, usable", async () => {
    const path = file();
    const db = openDatabase(path);
    expect(await setFreshSqlitePageSize(db, 16_384)).toBe(true);
    expect(await pragma(db, "page_size")).toBe(16_384);
    expect(await pragma(db, "journal_mode")).toBe("wal");
    await db.exec("CREATE TABLE t (x INTEGER)");
    await db.transaction((tx) => tx.execute("INSERT INTO t VALUES ($1)", [1]));
    expect(await db.query("SELECT x FROM t")).toEqual([{ x: 1 }]);
    await db.close();
    // Kept when opened again, and nothing more to do.
    const again = openDatabase(path);
    expect(await pragma(again, "page_size")).toBe(16_384);
    expect(await setFreshSqlitePageSize(again, 16_384)).toBe(false);
    await again.close();
  });

  it("leaves a file that already holds tables, and an in-memory database, as they are", async () => {
    const db = openDatabase(file());
    await db.exec("CREATE TABLE t (x INTEGER)");
    expect(await setFreshSqlitePageSize(db, 16_384)).toBe(false);
    expect(await pragma(db, "page_size")).toBe(4_096);
    expect(await pragma(db, "journal_mode")).toBe("wal");
    await db.close();
    const memory = openDatabase(":memory:");
    expect(await setFreshSqlitePageSize(memory, 16_384)).toBe(false);
    await memory.close();
  });
});
