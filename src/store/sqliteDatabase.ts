import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { InfrastructureError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { applyTypePlaceholders, type Database, type QueryOptions, type Row, type WriteStatement } from "./Database.ts";
import { bindable, toSqlite } from "./sqliteBind.ts";
import { SqliteWriterError, startSqliteWriter, type SqliteWriter } from "./sqliteWriter.ts";
import { storeErrorOf } from "./sqliteErrors.ts";

export const SQLITE_CODES = defineErrorCodes("store", {
  DATABASE_QUERY_INTERRUPTED: {
    stage: "infrastructure",
    description: "A query ran past its deadline and was stopped inside SQLite (the registry answers TIMEOUT); narrow the query.",
  },
});

/**
 * The deadline of the statement running now. node:sqlite is synchronous, so one statement runs at a
 * time per process thread and a variable set around it is enough; `kl_live()` reads it.
 */
interface Deadline {
  at: number;
}

/**
 * Registers `kl_live()`: true while the running statement's deadline has not passed, else it throws,
 * which makes SQLite abandon the statement there. node:sqlite has no progress handler or
 * sqlite3_interrupt, so a statement that should be stoppable calls it per row it examines — first in
 * its WHERE (SQLite evaluates the terms of a WHERE in order and stops at the first false one), e.g.
 * `WHERE (t.rowid % 64 <> 0 OR kl_live()) AND …`, which checks one row in 64.
 */
function registerLiveness(db: DatabaseSync, deadline: Deadline): void {
  db.function("kl_live", { deterministic: false }, () => {
    if (performance.now() > deadline.at) {
      throw new InfrastructureError(SQLITE_CODES.DATABASE_QUERY_INTERRUPTED, "the query ran past its deadline and was stopped");
    }
    return 1;
  });
}

/** Runs a statement under a deadline (none: Infinity). */
function withDeadline<T>(deadline: Deadline, options: QueryOptions | undefined, run: () => T): T {
  if (options?.deadline === undefined) return run();
  deadline.at = options.deadline;
  try {
    return run();
  } finally {
    deadline.at = Number.POSITIVE_INFINITY;
  }
}

/**
 * The embedded store: one file (or `:memory:`), WAL mode so readers (the
 * GraphQL API) never block the writer (the indexer).
 *
 * node:sqlite is synchronous and one connection has one transaction, so an
 * open transaction (BEGIN … awaits … COMMIT) would take in every statement
 * other async work runs meanwhile: their writes would commit or roll back
 * with it, their reads would see its uncommitted rows. Transactions are
 * therefore serialized with a queue, and the statements of the transaction's
 * own async flow (tracked with AsyncLocalStorage, so code that reaches the
 * database through the outer handle inside the transaction still belongs to
 * it) are told apart from everyone else's: other writes wait until the
 * transaction ends; other reads go to a second, read-only connection that
 * sees the last committed state (an in-memory database has no second
 * connection: its reads wait too).
 *
 * `commitWrites` runs on a third connection, on a worker thread (sqliteWriter.ts), queued like a
 * transaction: while it commits, other writes wait and reads go to the read-only connection, as above.
 */
export function openSqliteDatabase(path: string): Database {
  const memory = path === ":memory:";
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  const deadline: Deadline = { at: Number.POSITIVE_INFINITY };
  registerLiveness(db, deadline);
  /** Prepared statements by SQL text: those that return objects, and those that return arrays (queryArrays; the mode belongs to the statement). */
  type Statements = [objects: Map<string, StatementSync>, arrays: Map<string, StatementSync>];
  const statements: Statements = [new Map(), new Map()];
  const cached = (on: DatabaseSync, cache: Statements, sql: string, arrays: boolean): StatementSync => {
    const byText = cache[arrays ? 1 : 0];
    let s = byText.get(sql);
    if (!s) {
      s = on.prepare(toSqlite(sql));
      if (arrays) s.setReturnArrays(true);
      byText.set(sql, s);
    }
    return s;
  };
  const prepare = (sql: string, arrays = false): StatementSync => cached(db, statements, sql, arrays);
  let reader: { db: DatabaseSync; statements: Statements } | undefined;
  const prepareRead = (sql: string, arrays = false): StatementSync => {
    if (!reader) {
      reader = { db: new DatabaseSync(path, { readOnly: true }), statements: [new Map(), new Map()] };
      reader.db.exec("PRAGMA busy_timeout = 5000;");
      registerLiveness(reader.db, deadline);
    }
    return cached(reader.db, reader.statements, sql, arrays);
  };

  let writer: SqliteWriter | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** The open transaction's token; its async flow carries the same token in `flow`. */
  let open: symbol | undefined;
  const flow = new AsyncLocalStorage<symbol>();
  const inOwnTransaction = () => open !== undefined && flow.getStore() === open;
  /** Waits until no transaction of another flow is open (statements then run synchronously). */
  const waitOthers = async () => {
    while (open !== undefined && !inOwnTransaction()) await queue;
  };

  /** Runs a statement, with a full or failing disk reported as a typed error. */
  const guarded = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw storeErrorOf(error, path);
    }
  };

  /** Runs a read: outside another flow's open transaction on the read-only connection (see above). */
  const read = async (sql: string, params: readonly unknown[], options: QueryOptions | undefined, arrays: boolean): Promise<unknown[]> => {
    if (open !== undefined && !inOwnTransaction()) {
      if (!memory) return guarded(() => withDeadline(deadline, options, () => prepareRead(sql, arrays).all(...bindable(params))));
      await waitOthers();
    }
    return guarded(() => withDeadline(deadline, options, () => prepare(sql, arrays).all(...bindable(params))));
  };

  const self: Database = {
    dialect: "sqlite",
    description: memory ? "sqlite (in memory)" : `sqlite ${path}`,
    query<T = Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
      return read(sql, params, options, false) as Promise<T[]>;
    },
    queryArrays(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<unknown[][]> {
      return read(sql, params, options, true) as Promise<unknown[][]>;
    },
    async execute(sql: string, params: readonly unknown[] = []) {
      await waitOthers();
      const r = guarded(() => prepare(sql).run(...bindable(params)));
      return { changes: Number(r.changes) };
    },
    async executeMany(sql: string, rows: readonly (readonly unknown[])[]) {
      await waitOthers();
      const statement = prepare(sql);
      let changes = 0;
      for (const params of rows) changes += Number(statement.run(...bindable(params)).changes);
      return { changes };
    },
    async exec(script: string) {
      await waitOthers();
      guarded(() => db.exec(applyTypePlaceholders(script, "sqlite")));
    },
    async commitWrites(statements: readonly WriteStatement[]) {
      if (statements.length === 0) return;
      // In the flow of an open transaction, or without a file to share with a thread: here, in a transaction.
      if (memory || inOwnTransaction()) {
        await self.transaction(async (tx) => {
          for (const s of statements) await tx.executeMany(s.sql, s.rows);
        });
        return;
      }
      const run = async (): Promise<void> => {
        open = Symbol("commitWrites");
        try {
          // The writer's connection mirrors this one's page cache size (the indexer enlarges it).
          const [size] = writer ? [] : (prepare("PRAGMA cache_size").all() as { cache_size: number }[]);
          writer ??= startSqliteWriter({ path, cacheSize: Number(size?.cache_size ?? -2000) });
          await writer.commit(statements);
        } catch (error) {
          // The thread itself failed (not SQLite): the next commit starts a new one.
          if (!(error instanceof SqliteWriterError)) writer = undefined;
          throw storeErrorOf(error, path);
        } finally {
          open = undefined;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async transaction<T>(fn: (tx: Database) => Promise<T>): Promise<T> {
      // A transaction inside the open one (its own flow) joins it.
      if (inOwnTransaction()) return fn(self);
      const run = async (): Promise<T> => {
        const token = Symbol("transaction");
        guarded(() => db.exec("BEGIN IMMEDIATE"));
        open = token;
        try {
          const out = await flow.run(token, () => fn(self));
          guarded(() => db.exec("COMMIT"));
          return out;
        } catch (e) {
          // SQLite may have rolled back on its own (a full disk does): then there is nothing to roll back.
          if (db.isTransaction) db.exec("ROLLBACK");
          throw e;
        } finally {
          open = undefined;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      await writer?.close();
      reader?.db.close();
      db.close();
    },
  };
  return self;
}
