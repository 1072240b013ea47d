/**
 * The SQLite writer thread and its checkpointer (see sqliteWriter.ts), each with its own connection to
 * the store's file. The writer commits each batch of write statements it is sent in one transaction and
 * answers when it committed; it does not checkpoint the WAL after its commits, as SQLite otherwise does
 * (copying the committed pages into the database file and syncing it took a third of its time): the
 * checkpointer thread does that meanwhile, asked after each commit. Should the checkpointer fall behind
 * (or be gone), the writer checkpoints after its commits, as SQLite would, while the WAL file is larger
 * than `maxWalBytes`.
 * Self-contained on purpose (node:sqlite and the binding helpers only): it runs as a worker entry point.
 */
import { statSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { WriteStatement } from "./Database.ts";
import { bindable, toSqlite } from "./sqliteBind.ts";

export interface WriterInit {
  role: "writer" | "checkpointer";
  path: string;
  /** SQLite's cache_size of the store's own connection, mirrored here (the inserts' index pages stay hot). */
  cacheSize: number;
  /** The writer checkpoints (and truncates the WAL to this size) itself past this WAL file size. */
  maxWalBytes: number;
}

export type WriterRequest =
  | { id: number; statements: readonly WriteStatement[] }
  | { id: number; checkpoint: true }
  | { id: number; close: true };

export type WriterReply = { id: number } | { id: number; error: { message: string; errcode?: number; errstr?: string } };

/** Opens the connection and answers the store's requests on `port` until it is told to close. */
function serve(init: WriterInit, port: MessagePort): void {
  const db = new DatabaseSync(init.path);
  const writer = init.role === "writer";
  // busy_timeout first: connections opened at the same moment (this thread's and the other's) may find
  // the file locked while one of them reads the WAL's index in.
  db.exec(
    `PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = ${Math.trunc(init.cacheSize)};` +
      (writer ? ` PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = ${Math.trunc(init.maxWalBytes)};` : ""),
  );
  const walPath = `${init.path}-wal`;
  const walBytes = (): number => {
    try {
      return statSync(walPath).size;
    } catch {
      return 0;
    }
  };
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(toSqlite(sql));
      statements.set(sql, s);
    }
    return s;
  };

  port.on("message", (request: WriterRequest) => {
    if ("close" in request) {
      db.close();
      port.postMessage({ id: request.id } satisfies WriterReply);
      port.close();
      return;
    }
    try {
      if ("checkpoint" in request) {
        // PASSIVE: copies what it can without waiting for the writer or readers (the writer keeps going).
        db.exec("PRAGMA wal_checkpoint(PASSIVE)");
        port.postMessage({ id: request.id } satisfies WriterReply);
        return;
      }
      db.exec("BEGIN IMMEDIATE");
      for (const s of request.statements) {
        const statement = prepared(s.sql);
        for (const row of s.rows) statement.run(...bindable(row));
      }
      db.exec("COMMIT");
      port.postMessage({ id: request.id } satisfies WriterReply);
    } catch (error) {
      // SQLite may have rolled back on its own (a full disk does): then there is nothing to roll back.
      if (db.isTransaction) db.exec("ROLLBACK");
      const e = error as { message?: unknown; errcode?: unknown; errstr?: unknown };
      port.postMessage({
        id: request.id,
        error: {
          message: String(e.message ?? error),
          ...(typeof e.errcode === "number" ? { errcode: e.errcode } : {}),
          ...(typeof e.errstr === "string" ? { errstr: e.errstr } : {}),
        },
      } satisfies WriterReply);
    }
    // The checkpointer has fallen behind: a checkpoint here, after the answer, as SQLite's own automatic
    // one would (PASSIVE: a reader holding an old snapshot is not waited for; what it holds is copied by
    // a later checkpoint). Once everything is copied, the next write starts the WAL over and SQLite
    // truncates the file to journal_size_limit. Best effort: a failed checkpoint changes nothing committed.
    if (writer && walBytes() > init.maxWalBytes) {
      try {
        db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      } catch {
        // The next commit tries again.
      }
    }
  });
}

serve(workerData as WriterInit, parentPort!);
