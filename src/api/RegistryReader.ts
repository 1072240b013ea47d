/**
 * Reads for one GraphQL request: which block the request is as of, and entity loads batched per tick
 * (DataLoader's approach: every parent of a nested list, every reference of a page, in one query).
 */
import type { ChainSource } from "../indexer/chainSource.ts";
import { getHeader } from "../indexer/chainSource.ts";
import { q, type EntityModel, type EntityType } from "../indexer/entityModel.ts";
import {
  readCursor,
  readDeploymentKey,
  readIndexingError,
  storedBlock,
  storedBlockAtOrBelow,
  storedBlockByHash,
} from "../indexer/registryState.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Database } from "../store/Database.ts";
import { SQLITE_CODES } from "../store/sqliteDatabase.ts";
import { API_CODES } from "./codes.ts";

const { GraphQLError } = graphqlRuntime;
import { graphqlRuntime } from "./yoga.ts";
import {
  asOf,
  COMPUTED_AFTER,
  decimalAtMost,
  decodeApiValues,
  orderSql,
  selectColumns,
  selectList,
  SqlParams,
  whereSql,
  type ApiEntity,
  type BlockRef,
  type QueryEnv,
} from "./sqlQuery.ts";

/**
 * Makes a reader query stoppable inside SQLite: the WHERE over its entity table (every reader query
 * reads `<table> t`; each part of a UNION its own) starts with a liveness check of one examined row in
 * 64 (src/store/sqliteDatabase.ts, `kl_live`), so a scan, a filter that matches nothing or the rows fed
 * to a sort stop at the deadline instead of running to the end while the event loop waits.
 */
export function interruptible(sql: string): string {
  return sql.replace(/ t WHERE /g, " t WHERE (t.rowid % 64 <> 0 OR kl_live()) AND ");
}

export interface ListArgs {
  first?: number | null;
  skip?: number | null;
  where?: Record<string, unknown> | null;
  orderBy?: string | null;
  orderDirection?: string | null;
}

export interface BlockHeight {
  number?: number | null;
  hash?: string | null;
  number_gte?: number | null;
}

/** Block times the index did not store (blocks without events), looked up on the chain when one is at hand. */
export class BlockClock {
  readonly #db: Database;
  readonly #chain: ChainSource | undefined;
  readonly #cache = new Map<number, { timestamp: number; hash: string | null; parentHash: string | null }>();

  /** The time of the last cursor's block, by its hash: a block's time never changes, and a reorg changes the hash. */
  #cursorBlock: { number: number; hash: string; timestamp: number } | undefined;

  constructor(db: Database, chain?: ChainSource) {
    this.#db = db;
    this.#chain = chain;
  }

  /** The time of the indexer's cursor block (number and hash as the cursor names them). */
  async cursorTime(number: number, hash: string): Promise<number> {
    const known = this.#cursorBlock;
    if (known && known.number === number && known.hash === hash) return known.timestamp;
    const stored = await storedBlock(this.#db, number);
    if (!stored || stored.hash !== hash) return (await this.header(number)).timestamp;
    const timestamp = Number(stored.timestamp);
    this.#cursorBlock = { number, hash, timestamp };
    return timestamp;
  }

  async header(number: number): Promise<{ timestamp: number; hash: string | null; parentHash: string | null }> {
    const stored = await storedBlock(this.#db, number);
    if (stored) return { timestamp: Number(stored.timestamp), hash: stored.hash, parentHash: null };
    const cached = this.#cache.get(number);
    if (cached) return cached;
    if (this.#chain) {
      const h = await getHeader(this.#chain, number).catch(() => null);
      if (h) {
        const entry = { timestamp: h.timestamp, hash: h.hash, parentHash: h.parentHash };
        if (this.#cache.size > 10_000) this.#cache.clear();
        this.#cache.set(number, entry);
        return entry;
      }
    }
    // No chain at hand: the latest stored block before it is the best lower bound of its time.
    const below = await storedBlockAtOrBelow(this.#db, number);
    return { timestamp: below ? Number(below.timestamp) : 0, hash: null, parentHash: null };
  }
}

function fieldsKey(fields: ReadonlySet<string> | undefined): string {
  return fields ? [...fields].sort().join(",") : "*";
}

type Batch<K, V> = { keys: K[]; resolvers: { resolve: (v: V) => void; reject: (e: unknown) => void }[] };

/** Collects keys during one tick and runs one batch function for them (like DataLoader). */
class Batcher<K, V> {
  readonly #fn: (keys: K[]) => Promise<V[]>;
  #pending: Batch<K, V> | undefined;
  constructor(fn: (keys: K[]) => Promise<V[]>) {
    this.#fn = fn;
  }
  load(key: K): Promise<V> {
    if (!this.#pending) {
      const batch: Batch<K, V> = { keys: [], resolvers: [] };
      this.#pending = batch;
      void Promise.resolve().then(() =>
        process.nextTick(() => {
          this.#pending = undefined;
          this.#fn(batch.keys).then(
            (values) => values.forEach((v, i) => batch.resolvers[i]!.resolve(v)),
            (error) => batch.resolvers.forEach((r) => r.reject(error)),
          );
        }),
      );
    }
    const batch = this.#pending;
    return new Promise<V>((resolve, reject) => {
      batch.keys.push(key);
      batch.resolvers.push({ resolve, reject });
    });
  }
}

export interface RegistryReaderOptions {
  db: Database;
  model: EntityModel;
  clock: BlockClock;
  /** Queries fail with TIMEOUT once this time (performance.now()) has passed. */
  deadline?: number;
}

export class RegistryReader {
  readonly db: Database;
  readonly model: EntityModel;
  readonly #clock: BlockClock;
  readonly #deadline: number;
  #latest: Promise<BlockRef> | undefined;
  readonly #batchers = new Map<string, Batcher<string, unknown>>();

  constructor(options: RegistryReaderOptions) {
    this.db = options.db;
    this.model = options.model;
    this.#clock = options.clock;
    this.#deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  }

  #checkDeadline(): void {
    if (performance.now() > this.#deadline) {
      throw new GraphQLError("the query ran out of time", { extensions: { code: API_CODES.TIMEOUT } });
    }
  }

  async #query(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    this.#checkDeadline();
    if (this.#deadline === Number.POSITIVE_INFINITY) return this.db.queryArrays(sql, params);
    try {
      return await this.db.queryArrays(this.db.dialect === "sqlite" ? interruptible(sql) : sql, params, { deadline: this.#deadline });
    } catch (error) {
      if (isKeepledgerError(error) && error.code === SQLITE_CODES.DATABASE_QUERY_INTERRUPTED) {
        throw new GraphQLError("the query ran out of time", { extensions: { code: API_CODES.TIMEOUT } });
      }
      throw error;
    }
  }

  #env(block: BlockRef): QueryEnv {
    return { model: this.model, dialect: this.db.dialect, block, params: new SqlParams() };
  }

  /** The last indexed block, read once per request so that all its parts agree. */
  latest(): Promise<BlockRef> {
    this.#latest ??= (async () => {
      const cursor = await readCursor(this.db);
      if (!cursor || cursor.hash === null) {
        throw new GraphQLError("the indexer has not indexed any block yet", { extensions: { code: API_CODES.NOT_INDEXED_YET } });
      }
      return { number: cursor.number, timestamp: await this.#clock.cursorTime(cursor.number, cursor.hash) };
    })();
    return this.#latest;
  }

  /** The block a `block: {…}` argument names (the latest when absent). */
  async resolveBlock(height: BlockHeight | null | undefined): Promise<BlockRef> {
    const latest = await this.latest();
    if (!height || (height.number == null && height.hash == null && height.number_gte == null)) return latest;
    if (height.hash != null) {
      const b = await storedBlockByHash(this.db, height.hash);
      if (!b || b.number > latest.number) {
        throw new GraphQLError(`no indexed block has hash ${height.hash}`, { extensions: { code: API_CODES.BLOCK_NOT_FOUND } });
      }
      return { number: Number(b.number), timestamp: Number(b.timestamp) };
    }
    const wanted = height.number ?? height.number_gte!;
    if (wanted > latest.number) {
      throw new GraphQLError(
        `the registry has only indexed up to block number ${latest.number} and data for block number ${wanted} is therefore not yet available`,
        { extensions: { code: API_CODES.BLOCK_NOT_INDEXED } },
      );
    }
    if (height.number == null) return latest;
    if (wanted < 0) throw new GraphQLError("block number must be ≥ 0", { extensions: { code: API_CODES.BAD_USER_INPUT } });
    return { number: wanted, timestamp: (await this.#clock.header(wanted)).timestamp };
  }

  async meta(block: BlockRef): Promise<{
    block: { number: number; hash: string | null; timestamp: number; parentHash: string | null };
    deployment: string;
    hasIndexingErrors: boolean;
  }> {
    const header = await this.#clock.header(block.number);
    return {
      block: { number: block.number, hash: header.hash, timestamp: block.timestamp, parentHash: header.parentHash },
      deployment: (await readDeploymentKey(this.db)) ?? "",
      hasIndexingErrors: (await readIndexingError(this.db)) !== undefined,
    };
  }

  #batcher<V>(key: string, fn: (keys: string[]) => Promise<V[]>): Batcher<string, V> {
    let b = this.#batchers.get(key);
    if (!b) {
      b = new Batcher(fn as (keys: string[]) => Promise<unknown[]>);
      this.#batchers.set(key, b);
    }
    return b as Batcher<string, V>;
  }

  /**
   * Computes the read-time fields left out of the SQL (COMPUTED_AFTER) for rows read as of `block`:
   * Verdict.status, with the revoked measurements and the active subject revocations of the page's
   * verdicts in one lookup (the id lists go as one JSON parameter each, so the statement text is the same
   * for every page and stays prepared).
   */
  async #finish(e: EntityType, rows: ApiEntity[], block: BlockRef, fields: ReadonlySet<string> | undefined): Promise<ApiEntity[]> {
    if (!COMPUTED_AFTER[e.name] || rows.length === 0 || (fields && !fields.has("status"))) return rows;
    const m = this.model.entity("Measurement");
    const s = this.model.entity("SubjectRevocation");
    const env = this.#env(block);
    // Ids repeat along a page (a batch's verdicts share a measurement): runs are listed once; SQL's IN takes the rest.
    const measurements: string[] = [];
    const subjects: string[] = [];
    for (const r of rows) {
      const measurement = String(r.measurement);
      const subject = String(r.subject);
      if (measurements[measurements.length - 1] !== measurement) measurements.push(measurement);
      if (subjects[subjects.length - 1] !== subject) subjects.push(subject);
    }
    const ids = (list: string[]) => {
      const p = env.params.add(JSON.stringify(list));
      return this.db.dialect === "sqlite" ? `SELECT value FROM json_each(${p})` : `SELECT jsonb_array_elements_text(CAST(${p} AS jsonb))`;
    };
    const revokedMeasurements = new Set<string>();
    /** Subjects revoked everywhere (true) or in the listed workloads. */
    const revokedSubjects = new Map<string, true | Set<string>>();
    for (const [kind, id, workload, everywhere] of await this.#query(
      `SELECT 0, t."id", NULL, NULL FROM ${m.table} t WHERE t."id" IN (${ids(measurements)}) AND t."revoked" = 1 AND ${asOf("t", env)} ` +
        `UNION ALL SELECT 1, t."subject", t."workload", t."everywhere" FROM ${s.table} t WHERE t."subject" IN (${ids(subjects)}) AND t."active" = 1 AND ${asOf("t", env)}`,
      env.params.values,
    )) {
      if (Number(kind) === 0) {
        revokedMeasurements.add(String(id));
        continue;
      }
      const subject = String(id);
      const known = revokedSubjects.get(subject);
      if (Number(everywhere) === 1) revokedSubjects.set(subject, true);
      else if (known === undefined) revokedSubjects.set(subject, new Set([String(workload)]));
      else if (known !== true) known.add(String(workload));
    }
    const subjectRevoked = (r: ApiEntity) => {
      const revoked = revokedSubjects.get(String(r.subject));
      return revoked !== undefined && (revoked === true || revoked.has(String(r.workload)));
    };
    const now = String(block.timestamp);
    for (const r of rows) {
      r.status =
        r.revoked ||
        (revokedMeasurements.size > 0 && revokedMeasurements.has(String(r.measurement))) ||
        (revokedSubjects.size > 0 && subjectRevoked(r))
          ? "REVOKED"
          : decimalAtMost(String(r.expiresAt), now)
            ? "EXPIRED"
            : "FINALIZED";
    }
    return rows;
  }

  /** One entity by id as of `block` (batched with the other loads of the same tick). */
  byId(entity: string, id: string, block: BlockRef, fields?: ReadonlySet<string>): Promise<ApiEntity | null> {
    const e = this.model.entity(entity);
    return this.#batcher<ApiEntity | null>(`id|${entity}|${block.number}|${block.timestamp}|${fieldsKey(fields)}`, async (ids) => {
      const found = new Map<string, ApiEntity>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 500) {
        const env = this.#env(block);
        const chunk = unique.slice(i, i + 500);
        const list = chunk.map((x) => env.params.add(x)).join(", ");
        const rows = await this.#query(
          `SELECT ${selectList(e, "t", env, fields)} FROM ${e.table} t WHERE t."id" IN (${list}) AND ${asOf("t", env)}`,
          env.params.values,
        );
        const columns = selectColumns(e, fields);
        for (const r of await this.#finish(
          e,
          rows.map((row) => decodeApiValues(columns, row, block)),
          block,
          fields,
        ))
          found.set(String(r.id), r);
      }
      return ids.map((x) => found.get(x) ?? null);
    }).load(id.toLowerCase());
  }

  /** A top-level page of entities. */
  async list(entity: string, args: ListArgs, block: BlockRef, fields?: ReadonlySet<string>): Promise<ApiEntity[]> {
    const e = this.model.entity(entity);
    const env = this.#env(block);
    const select = selectList(e, "t", env, fields);
    const where = whereSql(e, "t", args.where, env);
    const asof = asOf("t", env);
    const order = orderSql(e, "t", args.orderBy, args.orderDirection, env);
    const limit = env.params.add(args.first ?? 100);
    const offset = env.params.add(args.skip ?? 0);
    const rows = await this.#query(
      `SELECT ${select} FROM ${e.table} t WHERE ${asof} AND ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
      env.params.values,
    );
    const columns = selectColumns(e, fields);
    return this.#finish(
      e,
      rows.map((r) => decodeApiValues(columns, r, block)),
      block,
      fields,
    );
  }

  /** A derived list (e.g. Workload.verdicts) of one parent, batched over all parents of the tick. */
  derived(
    entity: string,
    field: string,
    parentId: string,
    args: ListArgs,
    block: BlockRef,
    fields?: ReadonlySet<string>,
  ): Promise<ApiEntity[]> {
    const e = this.model.entity(entity);
    const key = `derived|${entity}|${field}|${block.number}|${block.timestamp}|${JSON.stringify(args)}|${fieldsKey(fields)}`;
    return this.#batcher<ApiEntity[]>(key, async (parents) => {
      const unique = [...new Set(parents)];
      const env = this.#env(block);
      const select = selectList(e, "t", env, fields);
      const asof = asOf("t", env);
      const where = whereSql(e, "t", args.where, env);
      const order = orderSql(e, "t", args.orderBy, args.orderDirection, env);
      const list = unique.map((p) => env.params.add(p)).join(", ");
      const skip = args.skip ?? 0;
      const lo = env.params.add(skip);
      const hi = env.params.add(skip + (args.first ?? 100));
      const rows = await this.#query(
        `SELECT * FROM (SELECT ${select}, t.${q(field)} AS "__parent", ROW_NUMBER() OVER (PARTITION BY t.${q(field)} ORDER BY ${order}) AS "__rn" ` +
          `FROM ${e.table} t WHERE t.${q(field)} IN (${list}) AND ${asof} AND ${where}) x WHERE "__rn" > ${lo} AND "__rn" <= ${hi} ORDER BY "__parent", "__rn"`,
        env.params.values,
      );
      const columns = selectColumns(e, fields);
      const decoded = await this.#finish(
        e,
        rows.map((r) => decodeApiValues(columns, r, block)),
        block,
        fields,
      );
      const byParent = new Map<string, ApiEntity[]>();
      rows.forEach((r, i) => {
        const p = String(r[columns.length]);
        const group = byParent.get(p) ?? [];
        group.push(decoded[i]!);
        byParent.set(p, group);
      });
      return parents.map((p) => byParent.get(p) ?? []);
    }).load(parentId);
  }

  /** A stored list of references (e.g. Verdict.signers), with the list arguments applied per parent. */
  async refList(
    entity: string,
    ids: readonly string[],
    args: ListArgs,
    block: BlockRef,
    fields?: ReadonlySet<string>,
  ): Promise<ApiEntity[]> {
    const e = this.model.entity(entity);
    if (ids.length === 0) return [];
    const env = this.#env(block);
    const list = ids.map((x) => env.params.add(x.toLowerCase())).join(", ");
    const rows = await this.#query(
      `SELECT ${selectList(e, "t", env, fields)} FROM ${e.table} t WHERE t."id" IN (${list}) AND ${asOf("t", env)} AND ${whereSql(e, "t", args.where, env)} ORDER BY ${orderSql(e, "t", args.orderBy, args.orderDirection, env)}`,
      env.params.values,
    );
    const columns = selectColumns(e, fields);
    let out = await this.#finish(
      e,
      rows.map((r) => decodeApiValues(columns, r, block)),
      block,
      fields,
    );
    if (!args.orderBy) {
      // Without orderBy, keep the stored order (e.g. signers ascending, as the contract lists them).
      const position = new Map(ids.map((x, i) => [x.toLowerCase(), i]));
      out = out.sort((a, b) => (position.get(String(a.id)) ?? 0) - (position.get(String(b.id)) ?? 0));
    }
    const skip = args.skip ?? 0;
    return out.slice(skip, skip + (args.first ?? 100));
  }

  /**
   * isAttested(subject, workload) as of `block`: the latest stored verdict decides (docs/contracts.md).
   * `fields`: the verdict's fields the query asks for (default all); the ones the answer needs are added.
   */
  async attestedAt(
    subject: string,
    workload: string,
    block: BlockRef,
    fields?: ReadonlySet<string>,
  ): Promise<{ attested: boolean; verdict: ApiEntity | null; expiresAt: string | null; block: number }> {
    const e: EntityType = this.model.entity("Verdict");
    const wanted = fields ? new Set([...fields, "issuedAt", "expiresAt", "status"]) : undefined;
    const env = this.#env(block);
    const rows = await this.#query(
      `SELECT ${selectList(e, "t", env, wanted)} FROM ${e.table} t WHERE t."subject" = ${env.params.add(subject.toLowerCase())} AND t."workload" = ${env.params.add(workload.toLowerCase())} ` +
        `AND t."materialized" = 1 AND ${asOf("t", env)} ORDER BY t."issuedAt" DESC, t."materializedBlock" ASC, t."materializedLogIndex" ASC LIMIT 1`,
      env.params.values,
    );
    const row = rows[0];
    if (!row) return { attested: false, verdict: null, expiresAt: null, block: block.number };
    const latest = decodeApiValues(selectColumns(e, wanted), row, block);
    // A subject revocation in this workload replaces the contract's latest pointer with a marker until a
    // verdict issued at or after its lift is stored: isAttested then names no verdict.
    const s = this.model.entity("SubjectRevocation");
    const sEnv = this.#env(block);
    const [marker] = await this.#query(
      `SELECT t."active", t."liftedAt" FROM ${s.table} t WHERE t."id" = ${sEnv.params.add(`${subject.toLowerCase()}${workload.toLowerCase().slice(2)}`)} AND ${asOf("t", sEnv)}`,
      sEnv.params.values,
    );
    if (marker && (Number(marker[0]) === 1 || BigInt(String(latest.issuedAt)) < BigInt(String(marker[1])))) {
      return { attested: false, verdict: null, expiresAt: null, block: block.number };
    }
    const [verdict] = await this.#finish(e, [latest], block, wanted);
    if (!verdict) return { attested: false, verdict: null, expiresAt: null, block: block.number };
    return { attested: verdict.status === "FINALIZED", verdict, expiresAt: String(verdict.expiresAt), block: block.number };
  }
}
