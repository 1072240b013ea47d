/**
 * The storage seam shared by the validator node (outbox, evidence store) and
 * the indexer (entities): the embedded `node:sqlite` by default, PostgreSQL at
 * scale. SQL is written once in the common subset with `$1…$n` placeholders;
 * schema text may use `{bytes}` and `{bigint}` for the two types the dialects spell differently.
 */
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * performance.now() after which the query is stopped with DATABASE_QUERY_INTERRUPTED. On SQLite it
   * is checked inside the running statement where the statement calls `kl_live()` (see
   * sqliteDatabase.ts); PostgreSQL relies on the server's statement_timeout (docs/registry.md, "Limits").
   */
  deadline?: number;
}

/** One write statement and its parameter rows (run once per row, in order). */
export interface WriteStatement {
  sql: string;
  rows: readonly (readonly unknown[])[];
}

export interface Database {
  readonly dialect: "sqlite" | "postgres";
  /** Where the data lives, without credentials (for logs). */
  readonly description: string;
  query<T = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /**
   * Like `query`, with each row as an array of its values in the SELECT list's order: no object per row
   * and no column names to repeat (the registry's pages read thousands of values per request).
   */
  queryArrays(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<unknown[][]>;
  execute(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /**
   * Runs one statement once per parameter row, in order (bulk writes: SQLite runs the prepared statement
   * in one synchronous loop, without a promise per row). Not atomic by itself: use it in a transaction.
   */
  executeMany(sql: string, rows: readonly (readonly unknown[])[]): Promise<{ changes: number }>;
  /** Runs a multi-statement script (schema); applies the type placeholders. */
  exec(script: string): Promise<void>;
  /**
   * Runs the statements in order in one transaction of their own, queued like `transaction` (resolves
   * once committed). Writes planned ahead as data rather than a callback, so that a store can run them
   * off the calling thread: an SQLite file commits them on a worker thread with its own connection while
   * this thread goes on (the indexer handles its next page meanwhile); PostgreSQL on a pooled connection.
   */
  commitWrites(statements: readonly WriteStatement[]): Promise<void>;
  /** Runs `fn` in one transaction; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function applyTypePlaceholders(script: string, dialect: Database["dialect"]): string {
  return script
    .replaceAll("{bytes}", dialect === "sqlite" ? "BLOB" : "BYTEA")
    .replaceAll("{bigint}", dialect === "sqlite" ? "INTEGER" : "BIGINT");
}
