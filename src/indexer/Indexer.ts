/**
 * The registry indexer: follows the contracts' events (the three core ones and the KeyRegistry) from the deployment block into the entity
 * store, a page of blocks per transaction (entities, block hashes and the cursor commit together, so a
 * restart resumes exactly after the last committed block and re-processing is impossible). Reorg-safe:
 * before each page it checks that the last indexed block is still on the chain; if not, it finds the
 * newest stored block that is, rolls the entities back to it and replays.
 */
import type { Deployment } from "../chain/deployment.ts";
import { InfrastructureError, UsageError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Database } from "../store/Database.ts";
import { getHeader, getHeaders, getLogs, headBlockNumber, RangeTooLargeError, type BlockHeader, type ChainSource } from "./chainSource.ts";
import { INDEXER_CODES } from "./codes.ts";
import { createLogDecoder, type DecodedLog, type LogDecoder } from "./decodeLogs.ts";
import { entityModel, type EntityModel } from "./entityModel.ts";
import { EntityBatch, rollbackEntities, type EntitySnapshot } from "./EntityStore.ts";
import { verdictIdsOfPage } from "./handlers/attestationRegistry.ts";
import { EVENT_HANDLERS, IGNORED_EVENTS, IndexInconsistencyError, type RegistryChange } from "./handlers/index.ts";
import { nextRangeSize, PAGE_DEFAULTS, shrunkRangeEnd, splitPage, type FetchedPage } from "./splitPage.ts";
import { ProgressMeter, type IndexerProgress } from "./progress.ts";
import { loadStoredIdFilter, type StoredIdFilter } from "./storedIdFilter.ts";
import { createSecondaryIndexes, dropSecondaryIndexes, prepareRegistryStore } from "./registrySchema.ts";
import {
  blocksWrite,
  claimDeployment,
  cursorWrite,
  readCursor,
  storedBlocksDown,
  writeCursor,
  writeIndexingError,
  type Cursor,
} from "./registryState.ts";

export interface IndexerOptions {
  db: Database;
  chain: ChainSource;
  deployment: Deployment;
  /** Blocks to stay behind the head (default 0: right for a dev chain; see docs/registry.md for others). */
  confirmations?: number;
  /**
   * First page size in blocks (default 10); it adapts to the number of logs per page, growing at most 2×
   * per page. Small because nothing is known of the chain yet: a range the node then refuses as too
   * large (128 MiB of logs) costs the node the whole range first, a small one a round trip.
   */
  pageSize?: number;
  /** Largest page size in blocks (default 100,000). */
  maxPageSize?: number;
  /** Aim for about this many logs per page (default 5,000). */
  targetLogsPerPage?: number;
  /** A fetch that found more logs is cut into pages of at most this many, at block boundaries (default 20,000). */
  maxLogsPerPage?: number;
  /** How far back (stored blocks) to look for the fork point of a reorg (default 256). */
  reorgWindow?: number;
  /**
   * Drop the query indexes while catching up into an empty index, or from more than this many blocks
   * behind, and build them once at the end (false: never). The indexer itself needs none of them;
   * queries served meanwhile are correct but slow. Default: 10,000 on PostgreSQL, whose server's writes
   * bound its catch-up; false on SQLite, whose writer thread keeps the indexes up to date while the
   * indexer handles the next page, sooner than a build at the end would (docs/registry.md, "Benchmark").
   */
  deferIndexesBehind?: number | false;
  /** Poll interval when following the head (default 1,000 ms). */
  pollIntervalMs?: number;
  /** Least time between two progress lines (default 2,000 ms). */
  progressIntervalMs?: number;
  /** Called with progress figures after each page. */
  onProgress?: (progress: IndexerProgress) => void;
  /** Called after each committed page with the changes subscribers care about. */
  onCommit?: (commit: IndexerCommit) => void;
  /** Where operational lines go (default: nowhere). */
  log?: (line: string) => void;
}

/** A fetched page and its blocks' headers, asked for as soon as its logs arrived. */
interface Page extends FetchedPage {
  headers: Promise<Map<number, BlockHeader | null>>;
}

export interface IndexerCommit {
  block: BlockHeader;
  changes: RegistryChange[];
}

export interface PageResult {
  /** The last indexed block after this step. */
  cursor: number;
  /** The block the indexer is heading for (head − confirmations). */
  target: number;
  logs: number;
  /** A reorg was found and rolled back (the step indexed nothing new). */
  rolledBackTo?: number;
}

export interface Indexer {
  readonly db: Database;
  readonly model: EntityModel;
  /** Runs one step: a reorg check and, if behind, one page. */
  step(): Promise<PageResult>;
  /** Steps until caught up with head − confirmations; returns the last indexed block. */
  catchUp(): Promise<number>;
  /** Catches up and then follows the chain until stop(). Failures are logged and retried with back-off. */
  follow(): Promise<void>;
  stop(): Promise<void>;
  /** The last indexed block (undefined before the first step). */
  cursor(): Promise<Cursor | undefined>;
  addCommitListener(listener: (commit: IndexerCommit) => void): () => void;
}

export async function createIndexer(options: IndexerOptions): Promise<Indexer> {
  const { db, chain, deployment } = options;
  const model = entityModel();
  const confirmations = options.confirmations ?? 0;
  const maxPage = options.maxPageSize ?? PAGE_DEFAULTS.maxPageSize;
  const targetLogs = options.targetLogsPerPage ?? PAGE_DEFAULTS.targetLogsPerPage;
  const maxLogs = options.maxLogsPerPage ?? 20_000;
  const reorgWindow = options.reorgWindow ?? 256;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(confirmations) || confirmations < 0) {
    throw new UsageError(INDEXER_CODES.INDEXER_BAD_OPTION, "confirmations must be a whole number ≥ 0", { details: { got: confirmations } });
  }
  await prepareRegistryStore(db, model);
  await claimDeployment(db, deployment);
  const decoder: LogDecoder = createLogDecoder(deployment);
  const startBlock = Number(deployment.deployBlock);
  let pageSize = Math.max(1, options.pageSize ?? PAGE_DEFAULTS.firstPageSize);
  let revokedUnseen = await loadRevokedVerdictIds(db);
  /**
   * The verdict ids the store may hold (every page looks its verdicts up, and nearly all are new): filled
   * from the table at start, then from every page's writes before they commit. None when the table is
   * too large for one; then every id is looked up.
   */
  const storedIds = new Map<string, StoredIdFilter>();
  const verdictFilter = await loadStoredIdFilter(db, model.entity("Verdict"));
  if (verdictFilter) storedIds.set("Verdict", verdictFilter);
  const listeners = new Set<(commit: IndexerCommit) => void>();
  if (options.onCommit) listeners.add(options.onCommit);
  const meter = new ProgressMeter({ lineEveryMs: options.progressIntervalMs ?? 2_000 });
  let stopping = false;
  let running: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  /**
   * Pages fetched but not indexed yet, contiguous from the cursor: the rest of a fetch that returned more
   * logs than one page holds (kept rather than asked for again).
   */
  let ready: Page[] = [];
  /** The logs after the fetched ones, asked for while the current page is processed (the node works meanwhile). */
  let ahead: { from: number; to: number; pages: Promise<Page[]> } | undefined;
  /**
   * During catchUp: the page whose writes are committing while the next page is read and handled (the
   * PostgreSQL server, or SQLite's writer thread, works on one core while the indexer works on the
   * other). Its cursor is the one
   * the next page continues, and its entities (`latest`) are what the next page's loads see; the next
   * transaction starts only after this one committed, so the store's order and atomicity are unchanged.
   */
  let pending: { cursor: Cursor; latest: EntitySnapshot; committed: Promise<void> } | undefined;

  /** Waits for the committing page; if it failed, forgets everything read ahead on its account and rethrows. */
  async function settle(): Promise<void> {
    const p = pending;
    if (!p) return;
    try {
      await p.committed;
    } catch (error) {
      ready = [];
      ahead = undefined;
      revokedUnseen = await loadRevokedVerdictIds(db);
      throw error;
    } finally {
      if (pending === p) pending = undefined;
    }
  }

  /** PostgreSQL: versions this indexer wrote per entity table, in all and since the table's last ANALYZE. */
  const written = new Map<string, { total: number; sinceAnalyze: number }>();

  const currentCursor = async (): Promise<Cursor> => (await readCursor(db)) ?? { number: startBlock - 1, hash: null };

  /** The newest stored block still on the chain, at or below `from`. */
  async function forkPoint(from: number): Promise<Cursor> {
    const stored = await storedBlocksDown(db, from, reorgWindow);
    for (const b of stored) {
      const onChain = await getHeader(chain, b.number);
      if (onChain && onChain.hash === b.hash) return { number: b.number, hash: b.hash };
    }
    if (stored.length < reorgWindow) return { number: startBlock - 1, hash: null };
    throw new InfrastructureError(
      INDEXER_CODES.INDEXER_REORG_TOO_DEEP,
      `no block among the last ${reorgWindow} indexed is on the chain any more`,
      {
        details: { from, window: reorgWindow },
      },
    );
  }

  async function rollback(to: Cursor): Promise<void> {
    await db.transaction(async (tx) => {
      await rollbackEntities(tx, model, to.number);
      await tx.execute("DELETE FROM reg_block WHERE number > $1", [to.number]);
      await writeCursor(tx, to);
    });
    revokedUnseen = await loadRevokedVerdictIds(db);
    log(`reorg: rolled the index back to block ${to.number}`);
  }

  /**
   * Logs of [from, to], cutting the range to an eighth while the node refuses it, as pages: more logs than one page
   * should hold are cut at block boundaries into several. The next range's size follows the density
   * found: about targetLogs logs, at most twice this range.
   */
  async function fetchRange(from: number, to: number): Promise<Page[]> {
    for (;;) {
      try {
        const logs = (await getLogs(chain, decoder.addresses, from, to)).filter((l) => !l.removed);
        const blocks = to - from + 1;
        pageSize = nextRangeSize(blocks, logs.length, targetLogs, maxPage);
        return splitPage(from, to, logs, maxLogs).map(withHeaders);
      } catch (error) {
        if (!(error instanceof RangeTooLargeError)) throw error;
        to = shrunkRangeEnd(from, to);
        pageSize = Math.max(1, to - from + 1);
      }
    }
  }

  /**
   * The page with its headers asked for at once: the first and last block's and those of its logs' blocks
   * (their hashes and times). Fetched ahead with the logs, they arrive while the page before is handled.
   */
  function withHeaders(page: FetchedPage): Page {
    const numbers = new Set<number>([page.from, page.to]);
    for (const l of page.logs) numbers.add(Number(BigInt(l.blockNumber)));
    const sorted = [...numbers].sort((a, b) => a - b);
    const headers = getHeaders(chain, sorted);
    // Awaited when the page is handled; until then a failure must not go unhandled.
    headers.catch(() => undefined);
    return { ...page, headers };
  }

  /** The page starting at `from` (ending by `target`): fetched already, being fetched, or fetched now. */
  async function nextPage(from: number, target: number): Promise<Page> {
    const queued = ready[0];
    if (queued && queued.from === from && queued.to <= target) return ready.shift()!;
    ready = [];
    const prefetched = ahead && ahead.from === from && ahead.to <= target ? ahead.pages : undefined;
    ahead = undefined;
    const pages =
      (prefetched && (await prefetched.catch(() => undefined))) || (await fetchRange(from, Math.min(target, from + pageSize - 1)));
    ready = pages.slice(1);
    return pages[0]!;
  }

  /**
   * One step. With `overlap` (catch-up) the page's writes are left committing when this returns (see
   * `pending`); the caller settles it.
   */
  async function stepOnce(overlap: boolean): Promise<PageResult> {
    const cursor = pending ? pending.cursor : await currentCursor();
    // The head and the last indexed block's header (is it still on the chain?) in one round trip.
    const [head, onChain] = await Promise.all([headBlockNumber(chain), cursor.hash === null ? undefined : getHeader(chain, cursor.number)]);
    const target = head - confirmations;
    if (onChain !== undefined) {
      if (!onChain || onChain.hash !== cursor.hash) {
        await settle();
        const fork = await forkPoint(cursor.number);
        await rollback(fork);
        return { cursor: fork.number, target, logs: 0, rolledBackTo: fork.number };
      }
    }
    if (cursor.number >= target) return { cursor: cursor.number, target, logs: 0 };
    const from = cursor.number + 1;
    const page = await nextPage(from, target);
    const to = page.to;
    const fetchedTo = ready.at(-1)?.to ?? to;
    if (!ahead && fetchedTo < target) {
      const nextFrom = fetchedTo + 1;
      const nextTo = Math.min(target, nextFrom + pageSize - 1);
      const pages = fetchRange(nextFrom, nextTo);
      pages.catch(() => undefined);
      ahead = { from: nextFrom, to: nextTo, pages };
    }
    let headers: Map<number, BlockHeader | null>;
    try {
      headers = await page.headers;
    } catch (error) {
      // The step fails; the next one fetches afresh what was read ahead (its headers were asked for at the same time).
      ready = [];
      ahead = undefined;
      throw error;
    }
    const fromHeader = headers.get(from);
    const toHeader = headers.get(to);
    // A block missing, a log from another fork or a page not continuing the cursor: the chain is
    // reorganizing under us; the next step's check finds the fork point.
    const consistent =
      fromHeader &&
      toHeader &&
      (cursor.hash === null || fromHeader.parentHash === cursor.hash) &&
      page.logs.every((l) => headers.get(Number(BigInt(l.blockNumber)))?.hash === l.blockHash.toLowerCase());
    if (!consistent) {
      if (cursor.hash !== null && fromHeader && fromHeader.parentHash !== cursor.hash) {
        await settle();
        const fork = await forkPoint(cursor.number);
        await rollback(fork);
        return { cursor: fork.number, target, logs: 0, rolledBackTo: fork.number };
      }
      return { cursor: cursor.number, target, logs: 0 };
    }
    const decoded = page.logs
      .map((l) => decoder.decode(l))
      .filter((l): l is DecodedLog => l !== null)
      .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    const batch = new EntityBatch(db, model, pending?.latest, storedIds);
    await batch.prefetch("Verdict", verdictIdsOfPage(decoded));
    const changes: RegistryChange[] = [];
    const seenUnseen = new Set(revokedUnseen);
    for (const l of decoded) {
      const handler = EVENT_HANDLERS[l.contract][l.eventName];
      if (!handler) {
        if (IGNORED_EVENTS.has(l.eventName)) continue;
        throw new IndexInconsistencyError(`no handler for ${l.contract}.${l.eventName}`);
      }
      const header = headers.get(l.blockNumber)!;
      await handler({
        batch,
        log: l,
        block: { number: header.number, timestamp: header.timestamp },
        notify: (c) => changes.push(c),
        revokedUnseen: seenUnseen,
      });
    }
    const next: Cursor = { number: to, hash: toHeader.hash };
    // Before the write is even planned: a commit that fails leaves ids in the filter, which is harmless.
    for (const [entity, filter] of storedIds) for (const id of batch.savedIds(entity)) filter.add(id);
    const sizes = batch.sizes();
    const latest = overlap ? batch.snapshot() : undefined;
    // One transaction at a time, in page order: the previous page's must have committed.
    await settle();
    const writes = [
      ...batch.writes(db.dialect),
      blocksWrite([...headers.values()].filter((h): h is BlockHeader => h !== null)),
      cursorWrite(next),
    ];
    const committed = (async () => {
      await db.commitWrites(writes);
      // PostgreSQL plans by table statistics: refresh them as catch-up grows the tables, or lookups by id
      // planned for an empty table turn into scans.
      if (db.dialect === "postgres") await analyzeGrownTables(sizes);
      const progress = meter.record({ cursor: to, target, start: startBlock, logs: decoded.length, blocks: to - from + 1 });
      options.onProgress?.(progress);
      if (to < target && progress.line) log(progress.line);
      for (const listener of listeners) {
        try {
          listener({ block: toHeader, changes });
        } catch (error) {
          log(`a commit listener failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    revokedUnseen = seenUnseen;
    if (latest) {
      committed.catch(() => undefined);
      pending = { cursor: next, latest, committed };
    } else {
      try {
        await committed;
      } catch (error) {
        revokedUnseen = await loadRevokedVerdictIds(db);
        throw error;
      }
    }
    return { cursor: to, target, logs: decoded.length };
  }

  /** One step with its page committed. */
  async function step(): Promise<PageResult> {
    await settle();
    return stepOnce(false);
  }

  /**
   * PostgreSQL plans by table statistics: a table's are refreshed once it has grown by 20,000 rows and by
   * as many as it had at its last refresh (20k, 40k, 80k, …: ANALYZE samples the whole table, so every
   * 20,000 rows of every table took 4 s of a 100,000-event catch-up), which keeps lookups by id index scans.
   * Only of the columns the indexer's own statements select on (a table's size is refreshed all the same):
   * statistics of all 31 columns of the verdicts took 2.2 s of a catch-up, on its critical path. A
   * column list leaves the table counted as changed since its last full ANALYZE, so autovacuum computes
   * the rest (what the API's queries plan with) in the background.
   */
  async function analyzeGrownTables(sizes: ReadonlyMap<string, number>): Promise<void> {
    const due: string[] = [];
    for (const [entity, n] of sizes) {
      const w = written.get(entity) ?? { total: 0, sinceAnalyze: 0 };
      w.total += n;
      w.sinceAnalyze += n;
      written.set(entity, w);
      if (w.sinceAnalyze >= Math.max(20_000, w.total - w.sinceAnalyze)) {
        w.sinceAnalyze = 0;
        due.push(`ANALYZE ${model.entity(entity).table} ("id", "_block_from", "_block_to");`);
      }
    }
    if (due.length > 0) await db.exec(due.join("\n"));
  }

  /** Whether this catch-up should run without the query indexes (far behind, or into an empty index). */
  async function shouldDeferIndexes(): Promise<boolean> {
    const behind = options.deferIndexesBehind ?? (db.dialect === "postgres" ? 10_000 : false);
    if (behind === false) return false;
    const cursor = await currentCursor();
    const target = (await headBlockNumber(chain)) - confirmations;
    return target > cursor.number && (cursor.hash === null || target - cursor.number > behind);
  }

  async function catchUp(): Promise<number> {
    const deferred = await shouldDeferIndexes();
    if (deferred) {
      await dropSecondaryIndexes(db, model);
      log("catch-up: query indexes dropped until caught up");
    }
    try {
      for (;;) {
        const r = await stepOnce(true);
        if ((r.rolledBackTo === undefined && r.cursor >= r.target) || stopping) {
          await settle();
          return r.cursor;
        }
      }
    } finally {
      // A step that failed while the page before it was committing: that page is whole, let it land.
      await settle().catch(() => undefined);
      // Also when a page fails: the index is left as ensureRegistrySchema would make it.
      if (deferred) {
        const t0 = performance.now();
        await createSecondaryIndexes(db, model);
        log(`catch-up: query indexes built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  }

  async function fail(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await writeIndexingError(db, message).catch(() => undefined);
    log(`indexing stopped: ${message}`);
  }

  async function followLoop(): Promise<void> {
    let backoff = 1_000;
    while (!stopping) {
      try {
        await catchUp();
        backoff = 1_000;
        await sleep(options.pollIntervalMs ?? 1_000);
      } catch (error) {
        if (error instanceof IndexInconsistencyError) {
          await fail(error);
          return;
        }
        const retryable = !isKeepledgerError(error) || error.retryable;
        if (!retryable) {
          await fail(error);
          return;
        }
        log(`indexer: ${error instanceof Error ? error.message : String(error)}; retrying in ${backoff / 1000} s`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  return {
    db,
    model,
    step,
    async catchUp() {
      try {
        return await catchUp();
      } catch (error) {
        if (error instanceof IndexInconsistencyError) {
          await fail(error);
          throw new UsageError(INDEXER_CODES.INDEXER_INCONSISTENT, error.message);
        }
        throw error;
      }
    },
    follow() {
      stopping = false;
      running ??= followLoop().finally(() => {
        running = undefined;
      });
      return running;
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
    async cursor() {
      return readCursor(db);
    },
    addCommitListener(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Every verdict id ever revoked: a verdict that appears later (in a batch) is born revoked. */
async function loadRevokedVerdictIds(db: Database): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(`SELECT "id" FROM reg_revocation WHERE "kind" = 'VERDICT' AND "_block_to" IS NULL`);
  return new Set(rows.map((r) => r.id));
}
