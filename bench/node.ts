// `npm run bench:node`: the validator network under load. 3 validators (k = 2) run as `keepledger node`
// processes against anvil (a JSON-RPC node of its own, 1 s interval blocks with transactions mined at
// once); N submissions of debug-Keep evidence, each with its own key, bound to a recent block, are posted
// round-robin to the three nodes (each collects what it receives), in single and in batch mode. A
// verdict counts as finalized when its VerdictFinalized (single) or VerdictGroupFinalized (batch) event
// is on-chain; latency runs from the start of its POST /v1/evidence to that moment (events are polled
// every 25 ms). Throughput is N over the time from the first POST to the last finalization. Gas per
// verdict is the finalization transactions' gasUsed over N. Writes bench/results/node.json as
// [{ kind, mode, verdictsPerSecond, p50Ms, p99Ms, gasPerVerdict, cpuMsPerVerdict, boundPerSecond, load }].
// Evidence is made before the clock starts.
//
// CPU: the CPU time (user + system, from /proc) of each node process, anvil and this process over the
// run, divided by the verdicts finalized. `boundPerSecond` is what the machine's cores could finalize if
// they did nothing else: cores × 1000 / (total CPU ms per verdict) — the bound the figure is measured
// against (other helpers' load on the machine is not in it; `load` is the 1-minute load average).
//
// --kind tdx drives real-kind evidence instead: TDX quotes made by the DCAP test signer
// (test/support/dcapTestSigner.ts), each with its own report data (its own bound key), verified against
// the test signer's collateral (an offline collateral directory in each node's configuration) at a
// chain time inside its window. The test root CA is trusted only by bench/support/benchNode.ts, which
// this benchmark starts instead of `keepledger node`; no node configuration can name a root.
//
//   node bench/node.ts [--kind debug|tdx] [--single <n>] [--batch <n>] [--concurrency <c>] [--batch-size <items>] [--batch-wait <ms>] [--rate <per s>]
//
// By default submissions are closed-loop (c in flight), which measures the most the network sustains;
// there, latency is mostly queueing. --rate paces them open-loop instead (for latency below saturation).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile, mkdir } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hexToBytes, parseEventLogs, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { createDebugEvidence } from "../src/tee/debug/createDebugEvidence.ts";
import { batchLeaves, bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../src/chain/workloads.ts";
import { collateralSetToFiles } from "../src/node/appraisal/collateralFiles.ts";
import { defaultPolicy } from "../src/policy/types.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { buildQuote, buildScenario, type Scenario } from "../test/support/dcapTestSigner.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "../test/node/support/nodeNetwork.ts";

export type BenchKind = "debug" | "tdx";

export interface NodeBenchRow {
  kind: BenchKind;
  mode: "single" | "batch";
  verdictsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  gasPerVerdict: number;
  /** CPU ms per finalized verdict, by process (node0…2, anvil, bench) and in total. */
  cpuMsPerVerdict: Record<string, number>;
  /** cores × 1000 / total CPU ms per verdict: the most this machine could finalize. */
  boundPerSecond: number;
  /** 1-minute load average at the start and the end of the run. */
  load: [number, number];
  n: number;
  /** Submissions per second, open loop (0: closed loop). */
  rate: number;
}

interface ModeOptions {
  kind: BenchKind;
  mode: "single" | "batch";
  n: number;
  concurrency: number;
  /** Submissions per second, open loop (0: closed loop). */
  rate: number;
  batchSize: number;
  batchWaitMs: number;
}

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** CPU time (user + system) of a process so far, in ms, from /proc (Linux). */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const TDX_CHAIN_START = Date.UTC(2025, 5, 1, 0, 0, 0) / 1000 - 300; // inside the DCAP test scenario's collateral window

/** The TDX workload: the test signer's TD measurements, production-like policy (UpToDate only, bound evidence). */
async function registerTdxWorkload(net: NodeNetwork): Promise<Hex> {
  const { workloadId } = await registerWorkload(net.clients, net.deployment, "tdx-bench", "");
  await schedulePolicy(net.clients, net.deployment, workloadId, {
    ...defaultPolicy(),
    allowedTees: ["tdx"],
    acceptedTcbStatuses: ["UpToDate"],
  });
  const fill = (b: number) => toHex(new Uint8Array(48).fill(b));
  await addMeasurement(net.clients, net.deployment, workloadId, 1, {
    tee: "tdx",
    mrtd: fill(0x33),
    rtmr0: fill(0x40),
    rtmr1: fill(0x41),
    rtmr2: fill(0x42),
    rtmr3: fill(0x43),
  });
  return workloadId;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function runMode(o: ModeOptions): Promise<NodeBenchRow> {
  const scenario: Scenario | undefined = o.kind === "tdx" ? await buildScenario({ tee: "tdx" }) : undefined;
  const work = mkdtempSync(join(tmpdir(), "keepledger-bench-node-"));
  let collateralDir: string | undefined;
  let rootFile: string | undefined;
  if (scenario) {
    collateralDir = join(work, "collateral");
    mkdirSync(collateralDir);
    for (const f of collateralSetToFiles(scenario.collateral)) writeFileSync(join(collateralDir, f.name), f.bytes);
    rootFile = join(work, "test-root.der");
    writeFileSync(rootFile, scenario.roots[0]!.certificate.der);
  }
  const net: NodeNetwork = await startNodeNetwork({
    validatorWorkload: false,
    loggingProfile: "production",
    ...(scenario ? { chainTimestamp: TDX_CHAIN_START } : {}),
    batch: { enabled: o.mode === "batch", maxItems: o.batchSize, maxWaitMs: o.batchWaitMs },
    nodeConfig: () => ({
      peers: { timeoutMs: 30_000, hedgeAfterMs: 10_000, maxIssuedAtSkewSeconds: 300 },
      ...(collateralDir ? { collateral: { directory: collateralDir } } : {}),
    }),
  });
  try {
    const workloadId = scenario ? await registerTdxWorkload(net) : net.workloadId;
    const entry = rootFile ? [join(here, "support", "benchNode.ts"), "--unsafe-test-root", rootFile] : undefined;
    for (let i = 0; i < 3; i++) await net.startNodeProcess(i, entry);
    const urls = net.nodes.map((n) => n.url);

    // The evidence: one fresh key per submission, all bound to the nonce block, made before timing.
    const nonce = (await (await fetch(`${urls[0]}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex; blockTimestamp: number };
    const bodies: string[] = [];
    for (let i = 0; i < o.n; i++) {
      const privateKey = `0x${(BigInt(i) + 0x1000n + (o.mode === "batch" ? 1n << 200n : 0n)).toString(16).padStart(64, "0")}` as Hex;
      const keep = privateKeyToAccount(privateKey);
      const binding = bindingHash({
        chainId: net.deployment.chainId,
        attestationRegistry: net.deployment.contracts.attestationRegistry,
        subjectPublicKey: publicKey64(keep.publicKey),
        blockHash: nonce.blockHash,
      });
      const evidence = scenario
        ? (
            await buildQuote({
              tee: "tdx",
              pckLeaf: scenario.pckLeaf,
              pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
              tdBody: { reportData: hexToBytes(reportDataFor("tdx", binding)) },
            })
          ).bytes
        : createDebugEvidence({
            privateKey,
            measurement: APP_DEBUG_MEASUREMENT,
            reportData: reportDataFor("debug", binding),
            timestamp: nonce.blockTimestamp * 1000,
          });
      bodies.push(
        JSON.stringify({
          workloadId,
          evidence: Buffer.from(evidence).toString("base64"),
          publicKey: keep.publicKey,
          freshnessBlock: nonce.blockNumber,
        }),
      );
    }

    // Finalization, as the chain records it.
    const postedAt = new Map<Hex, number>();
    const finalizedAt = new Map<Hex, number>();
    const txs = new Set<Hex>();
    let cursor = await net.publicClient.getBlockNumber();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const head = await net.publicClient.getBlockNumber();
        if (head > cursor) {
          const logs = await net.publicClient.getLogs({
            address: net.deployment.contracts.attestationRegistry,
            fromBlock: cursor + 1n,
            toBlock: head,
          });
          const seen = Date.now();
          for (const e of parseEventLogs({ abi: attestationRegistryAbi, logs })) {
            if (e.eventName === "VerdictFinalized") {
              finalizedAt.set(e.args.verdictId, seen);
              txs.add(e.transactionHash);
            } else if (e.eventName === "VerdictGroupFinalized") {
              const g = e.args.group;
              for (const leaf of batchLeaves([{ ...g, items: [...g.items] }])) finalizedAt.set(toHex(leaf), seen);
              txs.add(e.transactionHash);
            }
          }
          cursor = head;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    const pids: Record<string, number | undefined> = {
      ...Object.fromEntries(net.nodes.map((n, i) => [`node${i}`, n.child?.pid])),
      anvil: net.anvil.process.pid,
    };
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMsOf(pid)]));
    const benchBefore = process.cpuUsage();
    const loadBefore = loadavg()[0]!;
    const started = Date.now();
    let next = 0;
    let refused = 0;
    const worker = async (w: number) => {
      for (;;) {
        const i = next++;
        if (i >= o.n) return;
        if (o.rate > 0) {
          const due = started + (i * 1000) / o.rate;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        }
        const t0 = Date.now();
        const r = await fetch(`${urls[(i + w) % urls.length]}/v1/evidence`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodies[i],
        });
        const json = (await r.json()) as { verdictId?: Hex; error?: { code: string } };
        if (r.status !== 202 || !json.verdictId) {
          refused++;
          if (refused <= 5) console.error(`submission ${i} answered ${r.status}: ${json.error?.code}`);
          continue;
        }
        postedAt.set(json.verdictId, t0);
      }
    };
    await Promise.all(Array.from({ length: o.rate > 0 ? Math.max(o.concurrency, 256) : o.concurrency }, (_, w) => worker(w)));
    const deadline = Date.now() + 180_000;
    while ([...postedAt.keys()].some((id) => !finalizedAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const cpuMs: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMsOf(pid) - cpuBefore[k]!]));
    const benchCpu = process.cpuUsage(benchBefore);
    cpuMs.bench = (benchCpu.user + benchCpu.system) / 1000;
    const loadAfter = loadavg()[0]!;
    watching = false;
    await watcher;

    // Where the time goes, from the nodes' own histograms (mean seconds over the three nodes).
    const stages: Record<string, number[]> = {};
    for (const url of urls) {
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const name of ["verify", "appraise", "quorum", "finalize"]) {
        const sum = [...text.matchAll(new RegExp(`^keepledger_node_${name}_seconds_sum(?:\\{[^}]*\\})? (\\S+)`, "gm"))].reduce(
          (a, m) => a + Number(m[1]),
          0,
        );
        const count = [...text.matchAll(new RegExp(`^keepledger_node_${name}_seconds_count(?:\\{[^}]*\\})? (\\S+)`, "gm"))].reduce(
          (a, m) => a + Number(m[1]),
          0,
        );
        (stages[name] ??= []).push(count === 0 ? 0 : sum / count);
      }
    }
    console.error(
      `${o.mode}: mean per node — ${Object.entries(stages)
        .map(([k, v]) => `${k} ${((v.reduce((a, b) => a + b, 0) / v.length) * 1000).toFixed(1)} ms`)
        .join(", ")}`,
    );
    const latencies = [...postedAt]
      .filter(([id]) => finalizedAt.has(id))
      .map(([id, t]) => finalizedAt.get(id)! - t)
      .sort((a, b) => a - b);
    const finished = Math.max(...[...postedAt.keys()].map((id) => finalizedAt.get(id) ?? 0));
    const seconds = (finished - started) / 1000;
    let gas = 0n;
    for (const hash of txs) gas += (await net.publicClient.getTransactionReceipt({ hash })).gasUsed;
    const done = latencies.length;
    console.error(
      `${o.mode}: ${done}/${o.n} finalized (${refused} refused) in ${seconds.toFixed(2)} s over ${txs.size} transactions; ` +
        `p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
    );
    const cpuMsPerVerdict: Record<string, number> = {};
    for (const [k, v] of Object.entries(cpuMs)) cpuMsPerVerdict[k] = done === 0 ? NaN : Math.round((v / done) * 1000) / 1000;
    cpuMsPerVerdict.total = Math.round((Object.values(cpuMs).reduce((a, b) => a + b, 0) / Math.max(done, 1)) * 1000) / 1000;
    const boundPerSecond = Math.round((availableParallelism() * 1000) / cpuMsPerVerdict.total);
    console.error(
      `${o.kind} ${o.mode}: CPU ms per verdict ${JSON.stringify(cpuMsPerVerdict)}; bound ${boundPerSecond}/s on ${availableParallelism()} cores; ` +
        `load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
    );
    return {
      kind: o.kind,
      mode: o.mode,
      verdictsPerSecond: Math.round((done / seconds) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      gasPerVerdict: done === 0 ? 0 : Math.round(Number(gas) / done),
      cpuMsPerVerdict,
      boundPerSecond,
      load: [Math.round(loadBefore * 100) / 100, Math.round(loadAfter * 100) / 100],
      n: o.n,
      rate: o.rate,
    };
  } finally {
    await net.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.error(`node benchmark on ${availableParallelism()} CPUs`);
  const rows: NodeBenchRow[] = [];
  const rate = arg("rate", 0);
  const kindArg = process.argv.indexOf("--kind");
  const only = kindArg >= 0 ? (process.argv[kindArg + 1] as BenchKind) : undefined;
  if (only !== undefined && only !== "debug" && only !== "tdx") throw new Error(`--kind must be debug or tdx, not ${String(only)}`);
  const concurrency = arg("concurrency", 32);
  const batch = (kind: BenchKind, n: number, r: number) =>
    runMode({ kind, mode: "batch", n, concurrency, rate: r, batchSize: arg("batch-size", 256), batchWaitMs: arg("batch-wait", 250) });
  for (const kind of only ? [only] : (["debug", "tdx"] as const)) {
    const single = arg("single", kind === "debug" ? 400 : 0);
    if (single > 0) rows.push(await runMode({ kind, mode: "single", n: single, concurrency, rate, batchSize: 1, batchWaitMs: 1 }));
    const n = arg("batch", kind === "debug" ? 3_000 : 1_000);
    if (n <= 0) continue;
    const saturated = await batch(kind, n, rate);
    rows.push(saturated);
    // Latency below saturation: paced, open loop, at 80 % of the rate just measured (the debug kind only, unless asked).
    if (rate === 0 && !process.argv.includes("--no-paced") && (kind === "debug" || only === "tdx")) {
      const paced = Math.max(1, Math.round(saturated.verdictsPerSecond * 0.8));
      rows.push(await batch(kind, Math.min(n, Math.max(200, paced * 20)), paced));
    }
  }
  // Only a full run (both kinds, saturation and paced) writes the results file.
  const full = only === undefined && rate === 0 && !process.argv.includes("--no-paced");
  const out = process.argv.includes("--no-write") || !full ? undefined : join(here, "results", "node.json");
  console.log(JSON.stringify(rows, null, 2));
  if (!out) return;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(rows, null, 2) + "\n");
  console.error(`wrote ${out}`);
}

await main();
