import pg from "pg";
import { applyTypePlaceholders, type Database, type Row } from "./Database.ts";

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

function client(q: pg.Pool | pg.PoolClient, dialectSelf: () => Database, inTx: boolean): Database {
  const self: Database = {
    dialect: "postgres",
    description: "",
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const r = await q.query(sql, params as unknown[]);
      return r.rows.map(normalizeRow) as T[];
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      const r = await q.query(sql, params as unknown[]);
      return { changes: r.rowCount ?? 0 };
    },
    async exec(script: string) {
      await q.query(applyTypePlaceholders(script, "postgres"));
    },
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      if (inTx) return fn(self);
      return dialectSelf().transaction(fn);
    },
    async close() {},
  };
  return self;
}

/** PostgreSQL through a small pool; a transaction holds one pooled connection. */
export function openPostgresDatabase(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 8 });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const base = client(pool, () => self, false);
  const self: Database = {
    ...base,
    description: redact(url),
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      try {
        await conn.query("BEGIN");
        const out = await fn(client(conn, () => self, true));
        await conn.query("COMMIT");
        return out;
      } catch (e) {
        await conn.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        conn.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
  return self;
}
