import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { applyTypePlaceholders, type Database, type Row } from "./Database.ts";
import { postgresErrorOf } from "./postgresErrors.ts";

// BIGINT columns hold block numbers and unix times: well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return `postgres ${u.host}${u.pathname}`;
  } catch {
    return "postgres";
  }
}

function normalizeRow(row: Row): Row {
  for (const [k, v] of Object.entries(row)) if (v instanceof Buffer) row[k] = new Uint8Array(v);
  return row;
}

function normalizeValues(row: unknown[]): unknown[] {
  for (let i = 0; i < row.length; i++) if (row[i] instanceof Buffer) row[i] = new Uint8Array(row[i] as Buffer);
  return row;
}

function client(q: pg.Pool | pg.PoolClient, dialectSelf: () => Database, inTx: boolean, where: string): Database {
  /** Runs a statement, with a server or connection that is gone reported as a typed, retryable error. */
  const run = async (sql: string, params?: unknown[], rowMode?: "array") => {
    try {
      return await (rowMode ? q.query({ text: sql, values: params ?? [], rowMode }) : q.query(sql, params));
    } catch (error) {
      throw postgresErrorOf(error, where);
    }
  };
  const self: Database = {
    dialect: "postgres",
    description: "",
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const r = await run(sql, params as unknown[]);
      return r.rows.map(normalizeRow) as T[];
    },
    async queryArrays(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
      const r = await run(sql, params as unknown[], "array");
      return (r.rows as unknown[][]).map(normalizeValues);
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      const r = await run(sql, params as unknown[]);
      return { changes: r.rowCount ?? 0 };
    },
    async executeMany(sql: string, rows: readonly (readonly unknown[])[]) {
      let changes = 0;
      for (const params of rows) changes += (await run(sql, params as unknown[])).rowCount ?? 0;
      return { changes };
    },
    async exec(script: string) {
      await run(applyTypePlaceholders(script, "postgres"));
    },
    async commitWrites(statements) {
      await self.transaction(async (tx) => {
        for (const s of statements) await tx.executeMany(s.sql, s.rows);
      });
    },
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      if (inTx) return fn(self);
      return dialectSelf().transaction(fn);
    },
    async close() {},
  };
  return self;
}

/**
 * PostgreSQL through a small pool; a transaction holds one pooled connection. Code inside a transaction
 * that reaches the store through the outer handle (a helper given the database, not the transaction)
 * still runs on the transaction's connection — its async flow is tracked with AsyncLocalStorage — so
 * it sees the transaction's rows and commits or rolls back with it, as on SQLite.
 */
export function openPostgresDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 8 });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const flow = new AsyncLocalStorage<{ tx: Database; open: boolean }>();
  const where = redact(url);
  const base = client(pool, () => self, false, where);
  const current = (): Database | undefined => {
    const t = flow.getStore();
    return t?.open ? t.tx : undefined;
  };
  const self: Database = {
    ...base,
    description: redact(url),
    query: (sql, params) => (current() ?? base).query(sql, params),
    queryArrays: (sql, params) => (current() ?? base).queryArrays(sql, params),
    execute: (sql, params) => (current() ?? base).execute(sql, params),
    executeMany: (sql, rows) => (current() ?? base).executeMany(sql, rows),
    exec: (script) => (current() ?? base).exec(script),
    commitWrites: (statements) => self.transaction((tx) => tx.commitWrites(statements)),
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      const joined = current();
      if (joined) return fn(joined);
      const conn = await pool.connect().catch((error: unknown) => {
        throw postgresErrorOf(error, where);
      });
      // A checked-out connection is the pool's no longer: a server restart that cuts it between two
      // statements of the transaction emits 'error' on it, which would end the process unhandled. Note it;
      // the next statement fails, the transaction rejects, and the broken connection is discarded.
      let broken: Error | undefined;
      const onError = (error: Error) => void (broken = error);
      conn.on("error", onError);
      const ctx = { tx: client(conn, () => self, true, where), open: true };
      try {
        await ctx.tx.exec("BEGIN");
        const out = await flow.run(ctx, () => fn(ctx.tx));
        await ctx.tx.exec("COMMIT");
        return out;
      } catch (e) {
        if (!broken) await conn.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        ctx.open = false;
        conn.off("error", onError);
        conn.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
  return self;
}
