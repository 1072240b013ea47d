import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Database } from "./Database.ts";
import { openSqliteDatabase } from "./sqliteDatabase.ts";
import { storeErrorOf } from "./sqliteErrors.ts";
import { SqliteWriterError } from "./sqliteWriter.ts";

/** A store whose file may not grow past a few pages: SQLite then answers SQLITE_FULL, as on a full disk. */
describe("a SQLite store that runs out of space", () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "kl-sqlite-full-"));
    db = openSqliteDatabase(join(dir, "store.db"));
    await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    const [{ page_count }] = (await db.query<{ page_count: number }>("PRAGMA page_count")) as [{ page_count: number }];
    await db.exec(`PRAGMA max_page_count = ${page_count + 4}`);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fill = async (exec: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 1_000; i++) await exec(i);
  };

  it("refuses a write with STORE_DISK_FULL (retryable), not an untyped error", async () => {
    const error = await fill((i) => db.execute("INSERT INTO t (id, body) VALUES ($1, $2)", [i, new Uint8Array(4096)])).catch(
      (e: unknown) => e,
    );
    expect(isKeepledgerError(error) && error.code).toBe("STORE_DISK_FULL");
    expect(isKeepledgerError(error) && error.retryable).toBe(true);
  });

  it("rolls a transaction back cleanly and stays usable and consistent", async () => {
    await db.execute("INSERT INTO t (id, body) VALUES (1, $1)", [new Uint8Array(8)]);
    const error = await db
      .transaction((tx) => fill((i) => tx.execute("INSERT INTO t (id, body) VALUES ($1, $2)", [i + 10, new Uint8Array(4096)])))
      .catch((e: unknown) => e);
    expect(isKeepledgerError(error) && error.code).toBe("STORE_DISK_FULL");
    // Nothing of the failed transaction is left; the store takes small writes and passes its integrity check.
    expect(await db.query("SELECT id FROM t ORDER BY id")).toEqual([{ id: 1 }]);
    await db.execute("INSERT INTO t (id, body) VALUES (2, $1)", [new Uint8Array(8)]);
    expect(await db.query("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  });
});

describe("a failed commit on the writer thread", () => {
  it("is typed by the result code it carries back, as the store's own errors are", () => {
    const full = storeErrorOf(new SqliteWriterError("database or disk is full", 13, "database or disk is full"), "store.db");
    expect(isKeepledgerError(full) && full.code).toBe("STORE_DISK_FULL");
    const io = storeErrorOf(new SqliteWriterError("disk I/O error", 10 | (4 << 8)), "store.db");
    expect(isKeepledgerError(io) && io.code).toBe("STORE_IO_ERROR");
  });
});
