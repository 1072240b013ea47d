// `npm run bench:registry`: the registry's figures of issue 14 (method and results in docs/registry.md).
// 1. Indexer catch-up: a chain with over 100,000 events (batches of verdict groups, single verdicts,
//    materializations, revocations) on anvil, indexed from the deployment block into a SQLite file and
//    into PostgreSQL: events per second of catch-up wall time, with the indexer's CPU seconds and the
//    time spent in the store's writes beside it (the machine is shared: wall time alone says little).
// 2. GraphQL latency: the API over the SQLite index in its own process pinned to one core, driven at a
//    fixed rate (default 1,000 requests/s) from a second process on loopback, open loop at a constant
//    arrival rate (bench/paced.ts); each query runs 3 times and the worst run is the row's figure, with
//    the server's CPU per request and its share of a core.
// Writes bench/results/registry.json: [{ name: "catchup", store, eventsPerSecond, … },
// { name: <query>, rps, p50Ms, p99Ms, runs, … }]. Targets: catch-up ≥ 10,000 events/s into each store;
// verdictsByWorkload p99 ≤ 25 ms, verdictById and attestedAt p99 ≤ 10 ms, at 1,000 req/s.
//
// Usage: node bench/registry.ts [--events 100000] [--rate 1000] [--duration 5] [--repeats 3] [--skip-postgres]
//        [--skip-latency] [--server-flags "<node options>" | none] [--out <file>] [--short]
//        [--chain-state <dir>] (save the generated chain there, or load it from an earlier run: seconds, not minutes)
//        [--keep-db <dir>] (keep the SQLite index there, e.g. to profile the API against it)
//        [--latency-only] (with --keep-db and --chain-state: measure the API over a kept index)
// --short is the CI smoke: 3,000 events, one 1 s run per query at 200 req/s, results printed, not written.
// PostgreSQL: KEEPLEDGER_BENCH_POSTGRES_URL or KEEPLEDGER_TEST_POSTGRES_URL (default the local test server).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { encodeFunctionData, getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";
import { deployKeepledger } from "../src/chain/deployKeepledger.ts";
import { parseDeployment, serializeDeployment, type Deployment } from "../src/chain/deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import type { Eip1193Provider } from "../src/chain/inProcessChain.ts";
import { keepledgerClient } from "../src/chain/keepledgerClient.ts";
import { defaultPolicy } from "../src/policy/types.ts";
import type { ChainClients } from "../src/chain/transactions.ts";
import { bootstrapValidator, setThreshold } from "../src/chain/validators.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../src/chain/workloads.ts";
import { devAccounts } from "../src/dev/devAccounts.ts";
import { quorumSignBatch, quorumSignVerdict } from "../src/dev/quorum.ts";
import {
  buildBatch,
  normalizeVerdict,
  TCB_STATUS_CODES,
  TEE_KIND_CODES,
  type Verdict,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";
import { getHeaders, getLogs, headBlockNumber, httpChainSource, RangeTooLargeError } from "../src/indexer/chainSource.ts";
import { createLogDecoder, type RawLog } from "../src/indexer/decodeLogs.ts";
import { nextRangeSize, PAGE_DEFAULTS, shrunkRangeEnd } from "../src/indexer/splitPage.ts";
import { createIndexer } from "../src/indexer/Indexer.ts";
import { entityModel } from "../src/indexer/entityModel.ts";
import { versionInserts } from "../src/indexer/EntityStore.ts";
import { createSecondaryIndexes, dropSecondaryIndexes, prepareRegistryStore } from "../src/indexer/registrySchema.ts";
import { blocksWrite } from "../src/indexer/registryState.ts";
import type { WriteStatement } from "../src/store/Database.ts";
import { createRegistryApi } from "../src/api/createRegistryApi.ts";
import { startRegistryServer } from "../src/api/registryServer.ts";
import type { Database } from "../src/store/Database.ts";
import { openDatabase } from "../src/store/openDatabase.ts";
import type { PacedResult } from "./paced.ts";
import { BENCH_QUERIES } from "./support/registryQueries.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

export interface CatchupRow {
  name: "catchup";
  store: "sqlite" | "postgres";
  eventsPerSecond: number;
  events: number;
  blocks: number;
  verdicts: number;
  seconds: number;
  /**
   * Wall time inside the store's writes: the page transactions (entities, blocks, cursor) and, when the
   * catch-up deferred them, building the query indexes. The rest is reading, decoding and handling.
   */
  storeSeconds: number;
  /** CPU time of the indexing process (user + system) over the catch-up: less sensitive to a busy machine. */
  cpuSeconds: number;
  /** The 1-minute load average when the catch-up started and ended (2 cores: above 2, others were running). */
  load: [number, number];
  /**
   * How long the indexing thread's event loop was held up during the catch-up (p99 and longest): what a
   * GraphQL request or a validator's HTTP call served by the same process would have waited.
   */
  eventLoopDelayMs?: { p99: number; max: number };
  /**
   * The chain's bound, same run: events per second of only reading the logs and headers the catch-up
   * reads from the same node, in pages of the same size, the next page's logs asked for while this
   * page's headers are (`readChainOnly`); and the catch-up's rate over it.
   */
  chainReadEventsPerSecond?: number;
  ratioToChainRead?: number;
  /**
   * The pipeline bound, same run (`storeBound`): the least time any catch-up could take given how fast
   * the chain delivers the pages (the chain-read pass) and how fast the store writes their rows alone —
   * the index's own rows written again into a fresh store of the same kind, one transaction per page,
   * nothing else running. A page cannot be written before it has arrived, so the bound is the latest
   * (arrival of page k + the store's time for pages k… to the end). Handling, decoding and the hand-off
   * to the writer are not in it.
   */
  storeWriteSeconds?: number;
  pipelineBoundSeconds?: number;
  ratioToPipelineBound?: number;
}

/** When a range's logs and headers had arrived in the chain-read pass (seconds from its start). */
interface Arrival {
  to: number;
  seconds: number;
}

export interface LatencyRun {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  requests: number;
  /** CPU time of the API server process per request (warm-up included), from /proc: what one request costs. */
  serverCpuMsPerRequest?: number;
  /** Server CPU time over wall time: the share of a core it got (1.0 = a core of its own, saturated). */
  serverCpuShare?: number;
}

export interface LatencyRow {
  name: string;
  /** Requests per second actually served in the worst run (the target rate is targetRps). */
  rps: number;
  targetRps: number;
  /** The worst of the runs: open loop at a constant arrival rate (bench/paced.ts), latency from each request's due time. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  requests: number;
  /** Every run, in order. */
  runs: LatencyRun[];
  /** Node options of the API server process. */
  serverFlags: string[];
  /** The 1-minute load average before and after this query's runs. */
  load: [number, number];
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round2 = (x: number) => Math.round(x * 100) / 100;

// ===== The chain =====

interface BenchChain {
  url: string;
  provider: Eip1193Provider;
  /** What the indexer reads through: the same node, with JSON-RPC batching. */
  indexerSource: Eip1193Provider;
  clients: ChainClients;
  accounts: Address[];
  close(): Promise<void>;
}

/**
 * A separate JSON-RPC node (anvil, installed as a dev dependency) with a large block gas limit, so that
 * generating 100,000 events takes few blocks, and the indexer reads it over HTTP as it would a real node.
 */
async function connectBenchChain(loadState?: string): Promise<BenchChain> {
  const { createPublicClient, createWalletClient, http, defineChain } = await import("viem");
  const port = await freePort();
  const anvil = spawn(
    join(root, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil"),
    [
      "--port",
      String(port),
      "--gas-limit",
      "2000000000",
      "--silent",
      "--hardfork",
      "cancun",
      ...(loadState ? ["--load-state", loadState] : []),
    ],
    {
      stdio: "ignore",
    },
  );
  // Never outlive the benchmark, even when it fails.
  process.once("exit", () => anvil.kill());
  const url = `http://127.0.0.1:${port}`;
  const chain = defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  // Large transactions go one per HTTP request; the indexer reads as `keepledger index --rpc` does.
  const transport = http(url, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 10 });
  for (let i = 0; ; i++) {
    try {
      await publicClient.getChainId();
      break;
    } catch (error) {
      if (i > 600) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const provider: Eip1193Provider = { request: (args) => publicClient.request(args as never) };
  const indexerSource: Eip1193Provider = httpChainSource(url);
  const accounts = (await provider.request({ method: "eth_accounts" })) as Address[];
  return {
    url,
    provider,
    indexerSource,
    accounts,
    clients: { publicClient, walletClient: createWalletClient({ chain, transport, account: accounts[0]! }) },
    close: async () => {
      anvil.kill("SIGKILL");
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

interface Generated {
  deployment: Deployment;
  blocks: number;
  verdicts: number;
  workloads: Hex[];
  /** A verdict id and a (subject, workload) pair that exist, for the latency queries. */
  sample: { verdictId: Hex; subject: Address; workload: Hex };
}

/** Transactions per block: about 5,000 events per block for the batches. */
const PER_BLOCK = 50;

/** Sends transactions with automine off and mines them in large blocks. */
async function sendAll(provider: Eip1193Provider, from: Address, to: Address, calls: Hex[], gas: bigint): Promise<void> {
  let nonce = Number(BigInt((await provider.request({ method: "eth_getTransactionCount", params: [from, "pending"] })) as string));
  await provider.request({ method: "evm_setAutomine", params: [false] });
  for (let i = 0; i < calls.length; i += PER_BLOCK) {
    const chunk = calls.slice(i, i + PER_BLOCK);
    for (let j = 0; j < chunk.length; j += 20) {
      await Promise.all(
        chunk.slice(j, j + 20).map((data, k) =>
          provider.request({
            method: "eth_sendTransaction",
            params: [{ from, to, data, gas: `0x${gas.toString(16)}`, nonce: `0x${(nonce + i + j + k).toString(16)}` }],
          }),
        ),
      );
    }
    await provider.request({ method: "evm_mine" });
  }
  nonce += calls.length;
  // Whatever did not fit the last blocks.
  for (let n = 0; n < 100; n++) {
    const pending = (await provider.request({ method: "eth_getBlockByNumber", params: ["pending", false] })) as { transactions: unknown[] };
    if (pending.transactions.length === 0) break;
    await provider.request({ method: "evm_mine" });
  }
  await provider.request({ method: "evm_setAutomine", params: [true] });
}

async function generate(chain: BenchChain, targetEvents: number): Promise<Generated> {
  const started = performance.now();
  const { clients, provider } = chain;
  const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
  const client = keepledgerClient(clients, deployment);
  const registry = deployment.contracts.attestationRegistry;
  const from = getAddress(chain.accounts[0]!);
  const validators = devAccounts("keepledger.bench.registry.validator", 3);
  for (const v of validators)
    await bootstrapValidator(clients, deployment, {
      address: v.address,
      endpoint: "https://validator.example",
      loggingProfile: "production",
    });
  await setThreshold(clients, deployment, 2);
  const quorum = validators.slice(0, 2);

  const workloads: { id: Hex; measurement: Hex }[] = [];
  for (let w = 0; w < 20; w++) {
    const { workloadId } = await registerWorkload(clients, deployment, `bench-${w}`, `ipfs://bench-${w}`);
    const { measurementHash } = await addMeasurement(clients, deployment, workloadId, 1, {
      tee: "debug",
      measurement: keccak256(stringToBytes(`bench ${w}`)),
    });
    await schedulePolicy(clients, deployment, workloadId, {
      ...defaultPolicy(),
      allowedTees: ["sgx", "tdx", "debug"],
      acceptedTcbStatuses: ["NotApplicable", "UpToDate"],
      dev: true,
      verdictLifetime: 30 * 86_400,
    });
    workloads.push({ id: workloadId, measurement: measurementHash });
  }
  const head = await clients.publicClient.getBlock();
  const now = head.timestamp;
  const subject = (i: number): Address => getAddress(`0x${keccak256(stringToBytes(`bench subject ${i}`)).slice(-40)}`);
  const evidence = (i: number): Hex => keccak256(stringToBytes(`bench evidence ${i}`));
  let serial = 0;

  // Batches: 100 groups of 2 verdicts each, one group per workload in turn: 101 events per transaction.
  const singles = Math.round(targetEvents * 0.05);
  const materializations = Math.round(targetEvents * 0.05);
  const revocations = Math.round(targetEvents * 0.005);
  const batchEvents = targetEvents - singles - materializations - revocations;
  const batchTxs = Math.ceil(batchEvents / 101);
  const batchCalls: Hex[] = [];
  const toMaterialize: { v: Verdict; batchId: Hex; proof: Hex[] }[] = [];
  const batchedIds: Hex[] = [];
  for (let t = 0; t < batchTxs; t++) {
    const groups: VerdictGroup[] = Array.from({ length: 100 }, (_, g) => {
      const w = workloads[(t * 100 + g) % workloads.length]!;
      return {
        workloadId: w.id,
        measurementHash: w.measurement,
        tee: TEE_KIND_CODES.debug,
        tcbStatus: TCB_STATUS_CODES.NotApplicable,
        collateralHash: keccak256(stringToBytes(`bench collateral ${t}`)),
        issuedAt: now - BigInt(batchTxs - t),
        expiresAt: now + 20n * 86_400n,
        items: [0, 1].map(() => ({ subject: subject(serial), evidenceHash: evidence(serial++), freshnessBlock: head.number })),
      };
    });
    const batch = buildBatch(groups);
    const signatures = await quorumSignBatch(quorum, batch.root, batch.count, client.domain);
    batchCalls.push(
      encodeFunctionData({
        abi: attestationRegistryAbi,
        functionName: "finalizeBatch",
        args: [groups, BigInt(deployment.chainId), registry, signatures],
      }),
    );
    for (
      let leaf = 0;
      leaf < batch.count && toMaterialize.length < materializations && leaf < 2 * Math.ceil(materializations / batchTxs);
      leaf += 2
    ) {
      toMaterialize.push({ v: batch.verdicts[leaf]!, batchId: batch.root, proof: batch.proof(leaf) });
    }
    batchedIds.push(batch.leaves[1]!);
  }
  log(`  signed ${batchTxs} batches (${batchTxs * 200} verdicts) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await sendAll(provider, from, registry, batchCalls, 16_000_000n);
  log(`  mined the batches at ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const singleCalls: Hex[] = [];
  for (let i = 0; i < singles; i++) {
    const w = workloads[i % workloads.length]!;
    const v: Verdict = {
      workloadId: w.id,
      measurementHash: w.measurement,
      tee: TEE_KIND_CODES.debug,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      subject: subject(serial),
      evidenceHash: evidence(serial++),
      collateralHash: keccak256(stringToBytes("bench single collateral")),
      issuedAt: now,
      expiresAt: now + 20n * 86_400n,
      freshnessBlock: head.number,
    };
    singleCalls.push(
      encodeFunctionData({
        abi: attestationRegistryAbi,
        functionName: "finalizeVerdict",
        args: [normalizeVerdict(v), BigInt(deployment.chainId), registry, await quorumSignVerdict(quorum, v, client.domain)],
      }),
    );
  }
  log(`  signed ${singles} single verdicts at ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await sendAll(provider, from, registry, singleCalls, 500_000n);
  const materializeCalls = toMaterialize.map((m) =>
    encodeFunctionData({
      abi: attestationRegistryAbi,
      functionName: "materializeVerdict",
      args: [normalizeVerdict(m.v), m.batchId, m.proof],
    }),
  );
  const revokeCalls = batchedIds
    .slice(0, revocations)
    .map((id) => encodeFunctionData({ abi: attestationRegistryAbi, functionName: "revokeVerdict", args: [id, "bench"] }));
  await sendAll(provider, from, registry, [...materializeCalls, ...revokeCalls], 500_000n);
  log(`  mined singles, materializations and revocations at ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const last = Number(await clients.publicClient.getBlockNumber());
  const sampleWorkload = workloads[0]!.id;
  const sampleSubject = subject(0);
  // The first verdict of the first batch: its id, for the by-id query.
  const first = buildBatch([
    {
      workloadId: workloads[0]!.id,
      measurementHash: workloads[0]!.measurement,
      tee: TEE_KIND_CODES.debug,
      tcbStatus: TCB_STATUS_CODES.NotApplicable,
      collateralHash: keccak256(stringToBytes("bench collateral 0")),
      issuedAt: now - BigInt(batchTxs),
      expiresAt: now + 20n * 86_400n,
      items: [{ subject: sampleSubject, evidenceHash: evidence(0), freshnessBlock: head.number }],
    },
  ]);
  return {
    deployment,
    blocks: last - Number(deployment.deployBlock) + 1,
    verdicts: batchTxs * 200 + singles,
    workloads: workloads.map((w) => w.id),
    sample: { verdictId: first.leaves[0]!, subject: sampleSubject, workload: sampleWorkload },
  };
}

/**
 * The generated chain, from `dir` when an earlier run saved it there (anvil_dumpState: blocks, receipts
 * and state), else generated and saved. Generating takes about a minute; a saved chain loads in seconds,
 * so profiling runs can repeat the catch-up on the very same chain.
 */
async function generateOrLoad(targetEvents: number, dir: string | undefined): Promise<{ chain: BenchChain; g: Generated }> {
  const stateFile = dir && join(dir, `chain-${targetEvents}.state.json`);
  const metaFile = dir && join(dir, `chain-${targetEvents}.json`);
  if (stateFile && metaFile && existsSync(stateFile) && existsSync(metaFile)) {
    const chain = await connectBenchChain(stateFile);
    const meta = JSON.parse(await readFile(metaFile, "utf8")) as Omit<Generated, "deployment"> & { deployment: string };
    log(`  loaded the chain saved in ${stateFile}`);
    return { chain, g: { ...meta, deployment: parseDeployment(meta.deployment) } };
  }
  const chain = await connectBenchChain();
  const g = await generate(chain, targetEvents);
  if (stateFile && metaFile) {
    await mkdir(dirname(stateFile), { recursive: true });
    // anvil_dumpState answers gzipped JSON as hex; --load-state takes the JSON.
    const hex = String(await rawRpc(chain.url, "anvil_dumpState", []));
    await writeFile(stateFile, gunzipSync(Buffer.from(hex.slice(2), "hex")));
    await writeFile(metaFile, JSON.stringify({ ...g, deployment: serializeDeployment(g.deployment) }));
  }
  return { chain, g };
}

/** One JSON-RPC call without a client's timeout (dumping or loading 100,000 events' blocks takes a while). */
async function rawRpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

// ===== Catch-up =====

/**
 * The store, timing its writes: transactions, page commits and scripts (the index build at the end of a
 * catch-up). A page commit runs while the next page is handled, so this is the time the writes took,
 * not time the catch-up waited for them.
 */
function timedWrites(db: Database): { db: Database; seconds: () => number } {
  let ms = 0;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      ms += performance.now() - t0;
    }
  };
  const wrapped: Database = {
    dialect: db.dialect,
    description: db.description,
    query: (sql, params) => db.query(sql, params),
    queryArrays: (sql, params) => db.queryArrays(sql, params),
    execute: (sql, params) => db.execute(sql, params),
    executeMany: (sql, rows) => db.executeMany(sql, rows),
    exec: (script) => timed(() => db.exec(script)),
    commitWrites: (statements) => timed(() => db.commitWrites(statements)),
    transaction: (fn) => timed(() => db.transaction(fn)),
    close: () => db.close(),
  };
  return { db: wrapped, seconds: () => ms / 1000 };
}

/**
 * Reads what a catch-up reads and does nothing with it: the logs of the contracts in pages sized like the
 * indexer's (about 5,000 logs, from a 10-block start, at most twice the last range), each page's
 * headers (its first and last block's and its logs' blocks), the next page's logs asked for as soon as
 * this page's arrived. On this machine the node (anvil) and the reader share the two cores with nothing
 * else, so this is as fast as any indexer could read the chain here.
 */
async function readChainOnly(chain: BenchChain, g: Generated): Promise<{ eventsPerSecond: number; seconds: number; arrivals: Arrival[] }> {
  const addresses = createLogDecoder(g.deployment).addresses;
  const head = await headBlockNumber(chain.indexerSource);
  const t0 = performance.now();
  let events = 0;
  const arrivals: Arrival[] = [];
  let size: number = PAGE_DEFAULTS.firstPageSize;
  interface Range {
    from: number;
    to: number;
    logs: Promise<RawLog[]>;
  }
  const fetchFrom = (from: number): Range => {
    const to = Math.min(head, from + size - 1);
    const logs = getLogs(chain.indexerSource, addresses, from, to);
    logs.catch(() => undefined);
    return { from, to, logs };
  };
  let next: Range | undefined = fetchFrom(Number(g.deployment.deployBlock));
  while (next) {
    const range: Range = next;
    const from = range.from;
    const to = range.to;
    let logs: RawLog[];
    try {
      logs = await range.logs;
    } catch (error) {
      // As the indexer does: a range the node refuses as too large is cut to an eighth.
      if (!(error instanceof RangeTooLargeError)) throw error;
      size = shrunkRangeEnd(from, to) - from + 1;
      next = fetchFrom(from);
      continue;
    }
    const blocks = to - from + 1;
    size = nextRangeSize(blocks, logs.length, PAGE_DEFAULTS.targetLogsPerPage, PAGE_DEFAULTS.maxPageSize);
    next = to < head ? fetchFrom(to + 1) : undefined;
    const numbers = new Set<number>([from, to]);
    for (const l of logs) numbers.add(Number(BigInt(l.blockNumber)));
    await getHeaders(
      chain.indexerSource,
      [...numbers].sort((a, b) => a - b),
    );
    events += logs.length;
    arrivals.push({ to, seconds: (performance.now() - t0) / 1000 });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { eventsPerSecond: Math.round(events / seconds), seconds: Number(seconds.toFixed(2)), arrivals };
}

/**
 * The store alone: every entity version and block the catch-up stored in `index`, written again into the
 * empty store `fresh` (prepared as the indexer prepares its store; PostgreSQL without its query indexes,
 * built at the end, as its catch-up does) through the same commit path, one transaction per range the
 * chain-read pass fetched, each timed. Returns the store's total and the pipeline bound (see CatchupRow).
 */
async function storeBound(
  index: Database,
  fresh: Database,
  arrivals: readonly Arrival[],
): Promise<{ storeWriteSeconds: number; pipelineBoundSeconds: number }> {
  const model = entityModel();
  await prepareRegistryStore(fresh, model);
  if (fresh.dialect === "postgres") await dropSecondaryIndexes(fresh, model);
  const tables = await Promise.all(
    model.entities.map(async (e) => ({
      e,
      rows: await index.queryArrays(
        `SELECT "_block_from", "_block_to", ${e.stored.map((f) => `"${f.name}"`).join(", ")} FROM ${e.table} ORDER BY "_block_from"`,
      ),
      next: 0,
    })),
  );
  const blocks = await index.queryArrays("SELECT number, hash, parent_hash, timestamp FROM reg_block ORDER BY number");
  let nextBlock = 0;
  const pageSeconds: number[] = [];
  for (const [k, a] of arrivals.entries()) {
    const last = k === arrivals.length - 1;
    const writes: WriteStatement[] = [];
    for (const t of tables) {
      const start = t.next;
      while (t.next < t.rows.length && (last || Number(t.rows[t.next]![0]) <= a.to)) t.next++;
      writes.push(...versionInserts(fresh.dialect, t.e, t.rows.slice(start, t.next)));
    }
    const start = nextBlock;
    while (nextBlock < blocks.length && (last || Number(blocks[nextBlock]![0]) <= a.to)) nextBlock++;
    const headers = blocks.slice(start, nextBlock).map(([number, hash, parentHash, timestamp]) => ({
      number: Number(number),
      hash: String(hash) as Hex,
      parentHash: String(parentHash) as Hex,
      timestamp: Number(timestamp),
    }));
    if (headers.length > 0) writes.push(blocksWrite(headers));
    const t0 = performance.now();
    await fresh.commitWrites(writes);
    pageSeconds.push((performance.now() - t0) / 1000);
  }
  let indexSeconds = 0;
  if (fresh.dialect === "postgres") {
    const t0 = performance.now();
    await createSecondaryIndexes(fresh, model);
    indexSeconds = (performance.now() - t0) / 1000;
  }
  let rest = indexSeconds;
  let bound = 0;
  for (let k = arrivals.length - 1; k >= 0; k--) {
    rest += pageSeconds[k]!;
    bound = Math.max(bound, arrivals[k]!.seconds + rest);
  }
  return { storeWriteSeconds: round2(rest), pipelineBoundSeconds: round2(bound) };
}

/** For the pipeline bound: the chain-read pass's arrivals, and a way to get an empty store of the same kind for the time it takes. */
interface BoundSetting {
  arrivals: readonly Arrival[];
  withFreshStore<T>(fn: (db: Database) => Promise<T>): Promise<T | undefined>;
}

async function catchUp(
  chain: BenchChain,
  g: Generated,
  store: "sqlite" | "postgres",
  setting: string,
  bound?: BoundSetting,
): Promise<CatchupRow> {
  const opened = openDatabase(setting);
  const { db, seconds: storeSeconds } = timedWrites(opened);
  try {
    let events = 0;
    const indexer = await createIndexer({
      db,
      chain: chain.indexerSource,
      deployment: g.deployment,
      progressIntervalMs: 5_000,
      log,
      onProgress: (p) => {
        events = p.events;
      },
    });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const load0 = loadavg()[0]!;
    const store0 = storeSeconds();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await indexer.catchUp();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const [row] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM reg_verdict WHERE "_block_to" IS NULL`);
    const pipeline = bound && (await bound.withFreshStore((fresh) => storeBound(opened, fresh, bound.arrivals)));
    if (pipeline) log(`  the store alone: ${JSON.stringify(pipeline)}`);
    return {
      name: "catchup",
      store,
      eventsPerSecond: Math.round(events / seconds),
      events,
      blocks: g.blocks,
      verdicts: Number(row?.n ?? 0),
      seconds: Number(seconds.toFixed(2)),
      storeSeconds: Number((storeSeconds() - store0).toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      load: [round2(load0), round2(loadavg()[0]!)],
      eventLoopDelayMs: { p99: round2(loop.percentile(99) / 1e6), max: round2(loop.max / 1e6) },
      ...(pipeline ? { ...pipeline, ratioToPipelineBound: round2(pipeline.pipelineBoundSeconds / seconds) } : {}),
    };
  } finally {
    await db.close();
  }
}

/** An empty SQLite file beside `path` for the time `fn` takes. */
async function withFreshSqlite<T>(path: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const file = `${path}.bound`;
  const db = openDatabase(file);
  try {
    return await fn(db);
  } finally {
    await db.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
}

async function withPostgresDatabase<T>(fn: (url: string) => Promise<T>): Promise<T | undefined> {
  const base =
    process.env.KEEPLEDGER_BENCH_POSTGRES_URL ??
    process.env.KEEPLEDGER_TEST_POSTGRES_URL ??
    "postgres://keepledger:keepledger@127.0.0.1:5432/keepledger_test";
  const name = `kl_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    log(`PostgreSQL unavailable at ${base.replace(/\/\/.*@/, "//***@")}: ${(error as Error).message}; skipping its row`);
    await admin.end().catch(() => undefined);
    return undefined;
  }
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  try {
    return await fn(u.toString());
  } finally {
    const a = new pg.Client({ connectionString: base });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  }
}

// ===== Latency =====

/** The API server alone, in this process (run as a child pinned to one core). */
async function serveOnly(database: string): Promise<void> {
  const db = openDatabase(database);
  const api = createRegistryApi({ db });
  const server = await startRegistryServer(api, { host: "127.0.0.1", port: 0 });
  process.stdout.write(`${server.graphqlUrl}\n`);
  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  await server.close();
  await db.close();
}

/** User + system CPU time of a process in ms (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

function pinned(core: number, command: string, args: string[]): [string, string[]] {
  const hasTaskset = spawnSync("taskset", ["-c", String(core), "true"]).status === 0;
  return hasTaskset ? ["taskset", ["-c", String(core), command, ...args]] : [command, args];
}

/**
 * Node options of the API server process (none by default). A larger young generation
 * (--max-semi-space-size=32 or 64) was measured against the default and did not change the CPU per
 * request or the number of full collections beyond this machine's noise (docs/registry.md, "Benchmark");
 * --server-flags tries others.
 */
export const API_SERVER_FLAGS: string[] = [];

async function latency(
  database: string,
  g: Pick<Generated, "sample">,
  options: { rate: number; duration: number; repeats: number; serverFlags: string[] },
): Promise<LatencyRow[]> {
  const { rate, duration, repeats, serverFlags } = options;
  const [cmd, args] = pinned(0, process.execPath, [...serverFlags, fileURLToPath(import.meta.url), "--serve-only", database]);
  const server = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve(line.trim());
    });
    server.once("exit", (code) => reject(new Error(`the API server exited (${code})`)));
  });
  const rows: LatencyRow[] = [];
  try {
    for (const q of BENCH_QUERIES(g)) {
      const body = JSON.stringify({ query: q.query, variables: q.variables });
      // Warm up (parse and validation caches, SQLite page cache, JIT), then measure.
      const ask = () => fetch(url, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body });
      for (let i = 0; i < 200; i++) await (await ask()).text();
      const check = (await (await ask()).json()) as { errors?: unknown };
      if (check.errors) throw new Error(`${q.name} fails: ${JSON.stringify(check.errors)}`);
      const load0 = loadavg()[0]!;
      const runs: LatencyRun[] = [];
      for (let r = 0; r < repeats; r++) {
        const [pcmd, pargs] = pinned(1, process.execPath, [join(here, "paced.ts"), url, body, String(rate), String(duration)]);
        const cpu0 = processCpuMs(server.pid);
        const t0 = performance.now();
        const p = spawnSync(pcmd, pargs, { encoding: "utf8" });
        const wall = performance.now() - t0;
        const cpu = processCpuMs(server.pid) - cpu0;
        if (p.status !== 0) throw new Error(`the paced load generator failed: ${p.stderr}`);
        const run = JSON.parse(p.stdout) as PacedResult;
        const sent = Math.round(rate * (duration + 2));
        runs.push({ ...run, serverCpuMsPerRequest: Math.round((cpu / sent) * 1000) / 1000, serverCpuShare: round2(cpu / wall) });
      }
      // The worst run decides: highest p99 (its p50 and rate kept with it).
      const worst = runs.reduce((w, x) => (x.p99Ms > w.p99Ms ? x : w));
      rows.push({
        name: q.name,
        rps: Math.min(...runs.map((x) => x.rps)),
        targetRps: rate,
        p50Ms: worst.p50Ms,
        p99Ms: worst.p99Ms,
        errors: runs.reduce((n, x) => n + x.errors, 0),
        requests: runs.reduce((n, x) => n + x.requests, 0),
        runs,
        serverFlags,
        load: [round2(load0), round2(loadavg()[0]!)],
      });
      log(
        `  ${q.name}: worst of ${repeats}: ${rows.at(-1)!.rps} req/s, p50 ${worst.p50Ms} ms, p99 ${worst.p99Ms} ms (p99 per run: ${runs.map((x) => x.p99Ms).join(", ")}), ${rows.at(-1)!.errors} errors; server CPU ${runs.map((x) => `${x.serverCpuMsPerRequest} ms/request at ${x.serverCpuShare} of a core`).join(", ")}`,
      );
    }
  } finally {
    server.kill("SIGTERM");
  }
  return rows;
}

// ===== Main =====

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const serveIndex = process.argv.indexOf("--serve-only");
  if (serveIndex >= 0) return serveOnly(process.argv[serveIndex + 1]!);
  // --short: the CI smoke (npm run bench -- --short): a small chain, one short run per query, nothing written.
  const short = process.argv.includes("--short");
  const targetEvents = arg("events", short ? 3_000 : 100_000);
  const rate = arg("rate", short ? 200 : 1_000);
  const duration = arg("duration", short ? 1 : 5);
  const repeats = arg("repeats", short ? 1 : 3);
  const flags = option("server-flags");
  const serverFlags = flags === undefined ? API_SERVER_FLAGS : flags === "none" ? [] : flags.split(/\s+/).filter(Boolean);
  const out = option("out") ?? (short ? undefined : join(here, "results", "registry.json"));
  const keep = option("keep-db");
  const chainState = option("chain-state");
  const dir = keep ?? mkdtempSync(join(tmpdir(), "keepledger-bench-registry-"));
  const sqlite = join(dir, "registry.db");
  const results: (CatchupRow | LatencyRow)[] = [];
  try {
    let sample: Pick<Generated, "sample">;
    if (process.argv.includes("--latency-only")) {
      // The index an earlier run kept (--keep-db) of the chain it saved (--chain-state).
      if (!keep || !chainState || !existsSync(sqlite))
        throw new Error("--latency-only needs --keep-db <dir> and --chain-state <dir> of an earlier run");
      sample = JSON.parse(await readFile(join(chainState, `chain-${targetEvents}.json`), "utf8")) as Pick<Generated, "sample">;
    } else {
      log(`generating a chain with about ${targetEvents.toLocaleString("en-US")} events…`);
      const { chain, g } = await generateOrLoad(targetEvents, chainState);
      sample = g;
      log(`${g.blocks} blocks with ${g.verdicts.toLocaleString("en-US")} verdicts`);
      rmSync(sqlite, { force: true });
      // --skip-chain-read: no bound (profiling runs that should hold the catch-up alone).
      const bound = process.argv.includes("--skip-chain-read") ? undefined : await readChainOnly(chain, g);
      if (bound)
        log(
          `read the chain only (the catch-up's bound): ${JSON.stringify({ eventsPerSecond: bound.eventsPerSecond, seconds: bound.seconds })}`,
        );
      const withBound = (row: CatchupRow): CatchupRow =>
        bound
          ? {
              ...row,
              chainReadEventsPerSecond: bound.eventsPerSecond,
              ratioToChainRead: Number((row.eventsPerSecond / bound.eventsPerSecond).toFixed(2)),
            }
          : row;
      log("catch-up into SQLite…");
      const sqliteBound = bound && {
        arrivals: bound.arrivals,
        withFreshStore: <T>(fn: (db: Database) => Promise<T>) => withFreshSqlite(sqlite, fn),
      };
      results.push(withBound(await catchUp(chain, g, "sqlite", sqlite, sqliteBound)));
      log(`  ${JSON.stringify(results.at(-1))}`);
      if (!process.argv.includes("--skip-postgres")) {
        log("catch-up into PostgreSQL…");
        const pgBound = bound && {
          arrivals: bound.arrivals,
          withFreshStore: <T>(fn: (db: Database) => Promise<T>) =>
            withPostgresDatabase(async (url) => {
              const db = openDatabase(url);
              try {
                return await fn(db);
              } finally {
                await db.close();
              }
            }),
        };
        const pgRow = await withPostgresDatabase((url) => catchUp(chain, g, "postgres", url, pgBound));
        if (pgRow) {
          results.push(withBound(pgRow));
          log(`  ${JSON.stringify(results.at(-1))}`);
        }
      }
      await chain.close();
    }
    if (!process.argv.includes("--skip-latency")) {
      log(
        `GraphQL latency at ${rate} req/s, ${repeats} × ${duration} s per query (API on core 0 with ${serverFlags.join(" ") || "no flags"}, load generator on core 1)…`,
      );
      results.push(...(await latency(sqlite, sample, { rate, duration, repeats, serverFlags })));
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  if (out) {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${out}`);
  } else {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  }
  for (const r of results) {
    if (r.name === "catchup") {
      const c = r as CatchupRow;
      log(`target catch-up ≥ 10,000 events/s into ${c.store}: ${c.eventsPerSecond >= 10_000 ? "met" : "missed"} (${c.eventsPerSecond})`);
    } else {
      const l = r as LatencyRow;
      const p99 = l.name === "verdictsByWorkload" ? 25 : 10;
      log(
        `target ${l.name} p99 ≤ ${p99} ms at ${rate} req/s: ${l.p99Ms <= p99 && l.rps >= rate * 0.95 ? "met" : "missed"} (p99 ${l.p99Ms} ms at ${l.rps} req/s)`,
      );
    }
  }
}

await main();
