// `npm run bench:node`: the validator network under load. 3 validators (k = 2) run as `keepledger node`
// processes against anvil (a JSON-RPC node of its own, 1 s interval blocks with transactions mined at
// once); N submissions of debug-Keep evidence, each with its own key, bound to a recent block, are posted
// round-robin to the three nodes (each collects what it receives), in single and in batch mode. A
// verdict counts as finalized when its VerdictFinalized (single) or VerdictGroupFinalized (batch) event
// is on-chain; latency runs from the start of its POST /v1/evidence to that moment (events are polled
// every 25 ms). Throughput is N over the time from the first POST to the last finalization. Gas per
// verdict is the finalization transactions' gasUsed over N. Writes bench/results/node.json as
// [{ mode, verdictsPerSecond, p50Ms, p99Ms, gasPerVerdict }]. Evidence is made before the clock starts.
//
//   node bench/node.ts [--single <n>] [--batch <n>] [--concurrency <c>] [--batch-size <items>] [--batch-wait <ms>] [--rate <per s>]
//
// By default submissions are closed-loop (c in flight), which measures the most the network sustains;
// there, latency is mostly queueing. --rate paces them open-loop instead (for latency below saturation).
import { writeFile, mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEventLogs, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi } from "../src/chain/generated/index.ts";
import { createDebugEvidence } from "../src/tee/debug/createDebugEvidence.ts";
import { batchLeaves, bindingHash, publicKey64 } from "../src/ids/index.ts";
import { reportDataFor } from "../src/tee/kindFacts.ts";
import { toHex } from "../src/util/bytes.ts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork, type NodeNetwork } from "../test/node/support/nodeNetwork.ts";

export interface NodeBenchRow {
  mode: "single" | "batch";
  verdictsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  gasPerVerdict: number;
}

interface ModeOptions {
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function runMode(o: ModeOptions): Promise<NodeBenchRow> {
  const net: NodeNetwork = await startNodeNetwork({
    validatorWorkload: false,
    loggingProfile: "production",
    batch: { enabled: o.mode === "batch", maxItems: o.batchSize, maxWaitMs: o.batchWaitMs },
    nodeConfig: () => ({ peers: { timeoutMs: 30_000, hedgeAfterMs: 10_000, maxIssuedAtSkewSeconds: 300 } }),
  });
  try {
    for (let i = 0; i < 3; i++) await net.startNodeProcess(i);
    const urls = net.nodes.map((n) => n.url);

    // The evidence: one fresh key per submission, all bound to the nonce block, made before timing.
    const nonce = (await (await fetch(`${urls[0]}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex; blockTimestamp: number };
    const bodies = Array.from({ length: o.n }, (_, i) => {
      const privateKey = `0x${(BigInt(i) + 0x1000n + (o.mode === "batch" ? 1n << 200n : 0n)).toString(16).padStart(64, "0")}` as Hex;
      const keep = privateKeyToAccount(privateKey);
      const binding = bindingHash({
        chainId: net.deployment.chainId,
        attestationRegistry: net.deployment.contracts.attestationRegistry,
        subjectPublicKey: publicKey64(keep.publicKey),
        blockHash: nonce.blockHash,
      });
      const evidence = createDebugEvidence({
        privateKey,
        measurement: APP_DEBUG_MEASUREMENT,
        reportData: reportDataFor("debug", binding),
        timestamp: nonce.blockTimestamp * 1000,
      });
      return JSON.stringify({
        workloadId: net.workloadId,
        evidence: Buffer.from(evidence).toString("base64"),
        publicKey: keep.publicKey,
        freshnessBlock: nonce.blockNumber,
      });
    });

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
    return {
      mode: o.mode,
      verdictsPerSecond: Math.round((done / seconds) * 10) / 10,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      gasPerVerdict: done === 0 ? 0 : Math.round(Number(gas) / done),
    };
  } finally {
    await net.stop();
  }
}

async function main(): Promise<void> {
  console.error(`node benchmark on ${availableParallelism()} CPUs`);
  const rows: NodeBenchRow[] = [];
  const rate = arg("rate", 0);
  if (arg("single", 400) > 0)
    rows.push(
      await runMode({ mode: "single", n: arg("single", 400), concurrency: arg("concurrency", 32), rate, batchSize: 1, batchWaitMs: 1 }),
    );
  if (arg("batch", 3_000) > 0) {
    rows.push(
      await runMode({
        mode: "batch",
        n: arg("batch", 3_000),
        concurrency: arg("concurrency", 32),
        rate,
        batchSize: arg("batch-size", 256),
        batchWaitMs: arg("batch-wait", 250),
      }),
    );
  }
  const out = process.argv.includes("--no-write") ? undefined : join(here, "results", "node.json");
  console.log(JSON.stringify(rows, null, 2));
  if (!out) return;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(rows, null, 2) + "\n");
  console.error(`wrote ${out}`);
}

await main();
