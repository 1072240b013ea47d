/**
 * The SQLite writer thread (see sqliteWriter.ts): its own connection to the store's file, on which it
 * commits each batch of write statements it is sent in one transaction and answers when it committed.
 * Self-contained on purpose (node:sqlite and the binding helpers only): it runs as a worker entry point.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { WriteStatement } from "./Database.ts";
import { bindable, toSqlite } from "./sqliteBind.ts";

export interface WriterInit {
  path: string;
  /** SQLite's cache_size of the store's own connection, mirrored here (the inserts' index pages stay hot). */
  cacheSize: number;
}

export type WriterRequest = { id: number; statements: readonly WriteStatement[] } | { id: number; close: true };

export type WriterReply = { id: number } | { id: number; error: { message: string; errcode?: number; errstr?: string } };

/** Opens the connection and answers the store's requests on `port` until it is told to close. */
function serve(init: WriterInit, port: MessagePort): void {
  const db = new DatabaseSync(init.path);
  db.exec(
    `PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = ${Math.trunc(init.cacheSize)};`,
  );
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
  });
}

serve(workerData as WriterInit, parentPort!);
