/**
 * Commits planned writes to an SQLite file on a worker thread. node:sqlite is synchronous: a commit run
 * on the store's own connection stops the calling thread for as long as SQLite inserts, updates its
 * indexes and writes the WAL — a third of the indexer's wall time in a catch-up, and a stalled event
 * loop for whatever else the process serves (docs/registry.md, "Benchmark"). On a thread of its own,
 * with a second connection to the same file, the commit runs on the other core while the indexer reads
 * and handles the next page. The store queues these commits with its transactions (one writer at a
 * time, in order), so the two connections never contend for SQLite's write lock. A third connection, on
 * a checkpointer thread, copies each commit's pages from the WAL into the database file while the
 * writer goes on (sqliteWriterWorker.ts).
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WriteStatement } from "./Database.ts";
import type { WriterInit, WriterReply, WriterRequest } from "./sqliteWriterWorker.ts";

export interface SqliteWriter {
  /** Runs the statements in one transaction on the writer thread; resolves once committed. */
  commit(statements: readonly WriteStatement[]): Promise<void>;
  /** Closes the writer's and the checkpointer's connections and ends their threads. */
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

/**
 * The WAL file size past which the writer checkpoints itself (the checkpointer fell behind): bounds the
 * disk the WAL takes during a long catch-up.
 */
export const MAX_WAL_BYTES = 256 * 1024 * 1024;
const CHECKPOINTER_RESTART_MS = 5_000;

/** A worker thread answering requests by id (see sqliteWriterWorker.ts), unreferenced while idle. */
interface Thread {
  send(request: WriterRequest): Promise<void>;
  /** Asks it to close its connection and waits until the thread has exited. */
  close(nextId: number): Promise<void>;
  readonly gone: boolean;
}

function startThread(init: WriterInit): Thread {
  const worker = new Worker(WORKER_ENTRY, { workerData: init });
  // Idle, the thread must not keep the process alive; it is referenced while a request is in flight.
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
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
  worker.on("exit", (code) => settleAll(new Error(`the SQLite ${init.role} thread exited (code ${code})`)));

  const send = (request: WriterRequest): Promise<void> => {
    if (gone) return Promise.reject(gone);
    return new Promise<void>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  };
  return {
    send,
    // eslint-disable-next-line no-restricted-syntax -- one object per writer, made once
    get gone() {
      return gone !== undefined;
    },
    async close(id) {
      if (gone) return;
      await send({ id, close: true });
      await new Promise<void>((resolve) => {
        if (gone) return resolve();
        // Referenced until it has exited: the caller awaits this, and nothing else may keep the process up.
        worker.ref();
        worker.once("exit", () => resolve());
      });
    },
  };
}

export function startSqliteWriter(init: Omit<WriterInit, "role" | "maxWalBytes"> & { maxWalBytes?: number }): SqliteWriter {
  const settings = { ...init, maxWalBytes: init.maxWalBytes ?? MAX_WAL_BYTES };
  const writer = startThread({ ...settings, role: "writer" });
  let checkpointer = startThread({ ...settings, role: "checkpointer" });
  let checkpointerStarted = Date.now();
  let nextId = 1;
  /** A checkpoint is running; `again`: a commit landed since it started (its pages may not be in it). */
  let checkpointing = false;
  let again = false;
  /** close() was called: no checkpoint is asked for, and no checkpointer started, after it. */
  let closed = false;

  /** After a commit: checkpoint now, or once the running checkpoint ends. Best effort (see the worker). */
  const checkpoint = (): void => {
    if (closed) return;
    if (checkpointing) {
      again = true;
      return;
    }
    if (checkpointer.gone) {
      // A checkpointer that could not open the file (or died) is replaced, at most every few seconds;
      // meanwhile the writer checkpoints past maxWalBytes itself.
      if (Date.now() - checkpointerStarted < CHECKPOINTER_RESTART_MS) return;
      checkpointer = startThread({ ...settings, role: "checkpointer" });
      checkpointerStarted = Date.now();
    }
    checkpointing = true;
    again = false;
    checkpointer
      .send({ id: nextId++, checkpoint: true })
      .catch(() => undefined)
      .finally(() => {
        checkpointing = false;
        if (again) checkpoint();
      });
  };

  return {
    async commit(statements) {
      try {
        await writer.send({ id: nextId++, statements });
      } catch (error) {
        // The writer thread is gone: the store starts a new pair on its next commit; this checkpointer ends.
        if (writer.gone) await checkpointer.close(nextId++).catch(() => undefined);
        throw error;
      }
      checkpoint();
    },
    async close() {
      // A checkpoint still running would otherwise ask for the next one, or start a checkpointer, after this.
      closed = true;
      await checkpointer.close(nextId++).catch(() => undefined);
      await writer.close(nextId++);
    },
  };
}
