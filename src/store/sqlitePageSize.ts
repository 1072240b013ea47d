/**
 * The page size of a fresh SQLite file. SQLite fixes it when the file is created (in WAL mode it can no
 * longer change), and 4 KiB, its default, holds three or four registry rows of ~1 KB: a catch-up that
 * inserts hundreds of thousands of them, keyed by random ids, dirties and commits many more pages than
 * with 16 KiB ones (docs/registry.md, "What bounds these figures").
 */
import type { Database } from "./Database.ts";

/**
 * Gives an SQLite database file that holds nothing yet pages of `bytes` bytes (it rebuilds the empty file
 * with VACUUM, then returns to WAL). Returns whether it changed anything: not for PostgreSQL, an in-memory
 * database, a file with any table in it, or one another connection has open (SQLite then refuses to
 * leave WAL mode; the file keeps its pages, which is only slower).
 */
export async function setFreshSqlitePageSize(db: Database, bytes: number): Promise<boolean> {
  if (db.dialect !== "sqlite") return false;
  const [mode] = await db.query<{ journal_mode: string }>("PRAGMA journal_mode");
  if (mode?.journal_mode !== "wal") return false;
  const [size] = await db.query<{ page_size: number }>("PRAGMA page_size");
  if (size?.page_size === bytes) return false;
  const [objects] = await db.query<{ n: number }>("SELECT count(*) AS n FROM sqlite_schema");
  if (Number(objects?.n) > 0) return false;
  try {
    await db.exec(`PRAGMA journal_mode = DELETE; PRAGMA page_size = ${Math.trunc(bytes)}; VACUUM;`);
    return true;
  } catch {
    return false;
  } finally {
    await db.exec("PRAGMA journal_mode = WAL");
  }
}
