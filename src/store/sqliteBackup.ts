/**
 * Backup and restore of a SQLite store while it is in use: SQLite's online backup API (node:sqlite
 * `backup`) copies a consistent snapshot — committed transactions, the WAL included — page by page
 * while the node keeps writing; a file copy of a WAL database is not a backup. A restore checks the
 * backup (integrity, schema versions this code can open) and copies it onto a path that holds no store.
 * PostgreSQL stores are backed up with pg_dump (docs/operator-guide.md, "Backup and restore").
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { backup, DatabaseSync } from "node:sqlite";
import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";

export const BACKUP_CODES = defineErrorCodes("store", {
  BACKUP_TARGET_EXISTS: {
    stage: "usage",
    description:
      "The backup or restore target already exists (a store, its -wal file or an earlier backup); choose a new path — a restore never overwrites a store.",
  },
  BACKUP_INVALID: {
    stage: "usage",
    description: "The file to restore is not a usable SQLite backup (missing, not SQLite, or failing its integrity check).",
  },
});

export interface SqliteBackupResult {
  path: string;
  pages: number;
  bytes: number;
  /** schema_version rows of the copy (component → version). */
  versions: Record<string, number>;
}

function refuseExisting(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(p)) throw new UsageError(BACKUP_CODES.BACKUP_TARGET_EXISTS, `${p} already exists`, { details: { path: p } });
  }
}

/** Opens a copy read-only and checks it: integrity, and the schema versions it records. */
export function inspectSqliteBackup(path: string): { versions: Record<string, number>; bytes: number } {
  if (!existsSync(path)) throw new UsageError(BACKUP_CODES.BACKUP_INVALID, `${path} does not exist`, { details: { path } });
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const check = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    if (check.length !== 1 || check[0]!.integrity_check !== "ok") {
      throw new UsageError(BACKUP_CODES.BACKUP_INVALID, `${path} fails SQLite's integrity check`, {
        details: { path, got: check.slice(0, 5).map((r) => r.integrity_check) },
      });
    }
    const hasVersions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").all().length > 0;
    const versions: Record<string, number> = {};
    if (hasVersions) {
      for (const row of db.prepare("SELECT component, version FROM schema_version").all() as { component: string; version: number }[]) {
        versions[row.component] = Number(row.version);
      }
    }
    const [size] = db.prepare("SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()").all() as {
      bytes: number;
    }[];
    return { versions, bytes: Number(size?.bytes ?? 0) };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(BACKUP_CODES.BACKUP_INVALID, `${path} is not a readable SQLite database`, { details: { path }, cause: error });
  } finally {
    db?.close();
  }
}

async function copy(sourcePath: string, targetPath: string): Promise<number> {
  refuseExisting(targetPath);
  mkdirSync(dirname(targetPath), { recursive: true });
  const source = new DatabaseSync(sourcePath, { readOnly: true });
  try {
    source.exec("PRAGMA busy_timeout = 5000");
    // 256 pages (1 MiB) per step: the writer waits at most one step for its lock.
    return await backup(source, targetPath, { rate: 256 });
  } finally {
    source.close();
  }
}

/** Copies the store at `storePath` (in use or not) to a new file `targetPath`, and checks the copy. */
export async function backupSqliteStore(storePath: string, targetPath: string): Promise<SqliteBackupResult> {
  if (!existsSync(storePath))
    throw new UsageError(BACKUP_CODES.BACKUP_INVALID, `${storePath} does not exist`, { details: { path: storePath } });
  const pages = await copy(storePath, targetPath);
  const checked = inspectSqliteBackup(targetPath);
  return { path: targetPath, pages, ...checked };
}

/**
 * Restores a backup onto `storePath`, which must not hold a store yet (a fresh data directory): the
 * backup is checked first, then copied. The node migrates it at start like any store; a backup from a
 * newer release is refused there (DATABASE_SCHEMA_TOO_NEW).
 */
export async function restoreSqliteStore(backupPath: string, storePath: string): Promise<SqliteBackupResult> {
  refuseExisting(storePath);
  inspectSqliteBackup(backupPath);
  const pages = await copy(backupPath, storePath);
  return { path: storePath, pages, ...inspectSqliteBackup(storePath) };
}
