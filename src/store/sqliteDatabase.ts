import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { applyTypePlaceholders, type Database, type Row } from "./Database.ts";

/** `$1` → `?1`: SQLite's numbered parameters bind positionally like PostgreSQL's. */
function toSqlite(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

function bindable(params: readonly unknown[]): SQLInputValue[] {
  return params.map((p) => {
    if (p === undefined) return null;
    if (typeof p === "boolean") return p ? 1 : 0;
    if (p instanceof Buffer) return new Uint8Array(p);
    return p as SQLInputValue;
  });
}

/**
 * The embedded store: one file (or `:memory:`), WAL mode so readers (the
 * GraphQL API) never block the writer (the indexer). node:sqlite is
 * synchronous, so transactions are serialized with a queue to keep other
 * async work from interleaving statements into an open transaction.
 */
export function openSqliteDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(toSqlite(sql));
      statements.set(sql, s);
    }
    return s;
  };
  let queue: Promise<unknown> = Promise.resolve();
  let inTransaction = false;

  const self: Database = {
    dialect: "sqlite",
    description: path === ":memory:" ? "sqlite (in memory)" : `sqlite ${path}`,
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return prepare(sql).all(...bindable(params)) as T[];
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      const r = prepare(sql).run(...bindable(params));
      return { changes: Number(r.changes) };
    },
    async exec(script: string) {
      db.exec(applyTypePlaceholders(script, "sqlite"));
    },
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(self);
      const run = async (): Promise<T> => {
        db.exec("BEGIN IMMEDIATE");
        inTransaction = true;
        try {
          const out = await fn(self);
          db.exec("COMMIT");
          return out;
        } catch (e) {
          db.exec("ROLLBACK");
          throw e;
        } finally {
          inTransaction = false;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      db.close();
    },
  };
  return self;
}
