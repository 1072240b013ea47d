/**
 * Commits planned writes to an SQLite file on a worker thread. node:sqlite is synchronous: a commit run
 * on the store's own connection stops the calling thread for as long as SQLite inserts, updates its
 * indexes and writes the WAL — a third of the indexer's wall time in a catch-up, and a stalled event
 * loop for whatever else the process serves (docs/registry.md, "Benchmark"). On a thread of its own,
 * with a second connection to the same file, the commit runs on the other core while the indexer reads
 * and handles the next page. The store queues these commits with its transactions (one writer at a
 * time, in order), so the two connections never contend for SQLite's write lock.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WriteStatement } from "./Database.ts";
import type { WriterInit, WriterReply, WriterRequest } from "./sqliteWriterWorker.ts";

export interface SqliteWriter {
  /** Runs the statements in one transaction on the writer thread; resolves once committed. */
  commit(statements: readonly WriteStatement[]): Promise<void>;
  /** Closes the writer's connection and ends its thread. */
  close(): Promise<void>;
}

/** The error a failed commit reports: SQLite's message and result code, as node:sqlite's own errors carry them. */
export class SqliteWriterError extends Error {
  readonly errcode: number | undefined;
  readonly errstr: string | undefined;
  constructor(message: string, errcode?: number, errstr?: string) {
    super(message);
    this.name = "SqliteWriterError";
    this.errcode = errcode;
    this.errstr = errstr;
  }
}

/**
 * The worker's entry beside this module, with this module's extension: .ts run from the sources, .js in
 * the published build (tsc rewrites import specifiers, not this URL).
 */
const WORKER_ENTRY = new URL(`./sqliteWriterWorker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export function startSqliteWriter(init: WriterInit): SqliteWriter {
  const worker = new Worker(WORKER_ENTRY, { workerData: init });
  // Idle, the thread must not keep the process alive; it is referenced while a commit is in flight.
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let gone: Error | undefined;

  const settleAll = (error: Error) => {
    gone ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: WriterReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    if ("error" in reply) w.reject(new SqliteWriterError(reply.error.message, reply.error.errcode, reply.error.errstr));
    else w.resolve();
  });
  worker.on("error", (error) => settleAll(error));
  worker.on("exit", (code) => settleAll(new Error(`the SQLite writer thread exited (code ${code})`)));

  const send = (request: WriterRequest): Promise<void> => {
    if (gone) return Promise.reject(gone);
    return new Promise<void>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  };

  return {
    commit(statements) {
      return send({ id: nextId++, statements });
    },
    async close() {
      if (gone) return;
      await send({ id: nextId++, close: true });
      await new Promise<void>((resolve) => {
        if (gone) return resolve();
        // Referenced until it has exited: the caller awaits this, and nothing else may keep the process up.
        worker.ref();
        worker.once("exit", () => resolve());
      });
    },
  };
}
