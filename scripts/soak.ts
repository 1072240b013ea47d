// `npm run soak`: the long run of the reliability campaign (docs/reliability.md). Three `keepledger node`
// processes (k = 2, batch mode, production logging) on anvil take debug-Keep submissions paced open-loop
// at --rate per second (default: half the batch saturation in bench/results/node.json) for --minutes
// (default 30). Every 10 s it samples each node's RSS, heap used, open file descriptors and event-loop
// delay (p99) from its /metrics, the size of its SQLite store with the WAL, and the queue (accepted −
// settled). It writes bench/results/soak.json and the plot docs/img/soak.svg, and reports the growth of
// each series from the end of the warm-up (the first sixth of the run) to the end, which must stay within
// 10 % for memory and descriptors (the store grows with the data it keeps: reported per verdict).
//
//   node scripts/soak.ts [--minutes 30] [--rate <per s>] [--sample-s 10]
import { readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { keccak256, toHex as viemToHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createDebugEvidence } from "../src/tee/debug/createDebugEvidence.ts";
import { bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { APP_DEBUG_MEASUREMENT, startNodeNetwork } from "../test/node/support/nodeNetwork.ts";
import { renderSoakSvg, type SoakSample } from "./soak/plot.ts";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: { minutes: { type: "string", default: "30" }, rate: { type: "string" }, "sample-s": { type: "string", default: "10" } },
});
const saturation = (
  JSON.parse(readFileSync(join(here, "..", "bench", "results", "node.json"), "utf8")) as Array<{
    mode: string;
    verdictsPerSecond: number;
  }>
).find((r) => r.mode === "batch")!.verdictsPerSecond;
const rate = args.rate ? Number(args.rate) : Math.max(1, Math.round(saturation / 2));
const durationMs = Number(args.minutes) * 60_000;
const sampleMs = Number(args["sample-s"]) * 1000;

const net = await startNodeNetwork({
  validatorWorkload: false,
  loggingProfile: "production",
  batch: { enabled: true, maxItems: 256, maxWaitMs: 250 },
  nodeConfig: () => ({ peers: { timeoutMs: 30_000, hedgeAfterMs: 10_000, maxIssuedAtSkewSeconds: 300 } }),
});
for (let i = 0; i < 3; i++) await net.startNodeProcess(i);
const urls = net.nodes.map((n) => n.url);
console.log(`soak: ${rate}/s for ${args.minutes} min (batch saturation on record: ${saturation}/s), sampling every ${sampleMs / 1000} s`);

// The freshness block every submission binds, refreshed every 5 s (evidence must be recent).
let nonce = (await (await fetch(`${urls[0]}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex; blockTimestamp: number };
const nonceTimer = setInterval(() => {
  fetch(`${urls[0]}/v1/nonce`)
    .then(async (r) => (nonce = (await r.json()) as typeof nonce))
    .catch(() => undefined);
}, 5_000);

let posted = 0;
let accepted = 0;
let refused = 0;
const refusals: Record<string, number> = {};
const body = (i: number): string => {
  const privateKey = keccak256(viemToHex(`soak ${i}`));
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
};

const started = Date.now();
// Open loop: submission i is due at started + i / rate, whatever the answers to the earlier ones.
const load = (async () => {
  for (let i = 0; Date.now() - started < durationMs; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    posted++;
    fetch(`${urls[i % urls.length]}/v1/evidence`, { method: "POST", headers: { "content-type": "application/json" }, body: body(i) })
      .then(async (r) => {
        const json = (await r.json()) as { error?: { code?: string } };
        if (r.status === 202) accepted++;
        else {
          refused++;
          const code = json.error?.code ?? `HTTP_${r.status}`;
          refusals[code] = (refusals[code] ?? 0) + 1;
        }
      })
      .catch(() => {
        refused++;
        refusals.UNREACHABLE = (refusals.UNREACHABLE ?? 0) + 1;
      });
  }
})();

/** The value of one metric (first series) in a Prometheus text exposition. */
const metric = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
};
const sumOf = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "gm"))].reduce((a, m) => a + Number(m[1]), 0);
const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const samples: SoakSample[] = [];
const sample = async () => {
  const t = (Date.now() - started) / 1000;
  const nodes = await Promise.all(
    net.nodes.map(async (n) => {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      const db = join(dirname(n.configPath), ".keepledger", "node", "node.db");
      return {
        rssBytes: metric(text, "keepledger_node_process_resident_memory_bytes"),
        heapUsedBytes: metric(text, "keepledger_node_nodejs_heap_size_used_bytes"),
        openFds: metric(text, "keepledger_node_process_open_fds"),
        eventLoopLagP99Ms: metric(text, "keepledger_node_nodejs_eventloop_lag_p99_seconds") * 1000,
        storeBytes: fileSize(db) + fileSize(`${db}-wal`),
        finalized: sumOf(text, "keepledger_node_verdicts_finalized_total"),
      };
    }),
  );
  const finalized = nodes.reduce((a, n) => a + n.finalized, 0);
  samples.push({ t, posted, accepted, refused, queue: accepted - finalized, nodes });
  console.log(
    `t=${t.toFixed(0)}s posted=${posted} accepted=${accepted} refused=${refused} queue=${accepted - finalized} ` +
      nodes
        .map((n, i) => `n${i}: rss=${(n.rssBytes / 2 ** 20).toFixed(0)}M heap=${(n.heapUsedBytes / 2 ** 20).toFixed(0)}M fds=${n.openFds}`)
        .join(" "),
  );
};
await sample();
const sampler = setInterval(() => void sample().catch(() => undefined), sampleMs);
await load;
clearInterval(nonceTimer);
// Let the last submissions settle, then take the final sample.
await new Promise((r) => setTimeout(r, 15_000));
clearInterval(sampler);
await sample();
await net.stop();

// Samples are taken by overlapping async calls: under load one can finish after the next.
samples.sort((a, b) => a.t - b.t);

/** Growth of a series from the end of the warm-up to the end: mean of the last tenth over mean of the tenth after warm-up. */
const growth = (pick: (s: SoakSample) => number): number => {
  const after = samples.filter((s) => s.t >= durationMs / 6000);
  const tenth = Math.max(1, Math.floor(after.length / 10));
  const mean = (xs: SoakSample[]) => xs.reduce((a, s) => a + pick(s), 0) / xs.length;
  return mean(after.slice(-tenth)) / mean(after.slice(0, tenth)) - 1;
};
const per = (f: (n: SoakSample["nodes"][number]) => number) => (s: SoakSample) => s.nodes.reduce((a, n) => a + f(n), 0);
const last = samples.at(-1)!;
const summary = {
  date: new Date().toISOString(),
  minutes: Number(args.minutes),
  rate,
  saturationOnRecord: saturation,
  posted,
  accepted,
  refused,
  refusals,
  finalQueue: last.queue,
  growth: {
    rss: growth(per((n) => n.rssBytes)),
    heapUsed: growth(per((n) => n.heapUsedBytes)),
    openFds: growth(per((n) => n.openFds)),
    eventLoopLagP99: growth(per((n) => n.eventLoopLagP99Ms)),
  },
  storeBytesPerVerdict: Math.round(per((n) => n.storeBytes)(last) / 3 / Math.max(1, accepted)),
};
const within = summary.growth.rss <= 0.1 && summary.growth.heapUsed <= 0.1 && summary.growth.openFds <= 0.1;
console.log(JSON.stringify(summary, null, 2));
const results = join(here, "..", "bench", "results", "soak.json");
await writeFile(results, `${JSON.stringify({ ...summary, within, samples }, null, 2)}\n`);
const svg = join(here, "..", "docs", "img", "soak.svg");
await mkdir(dirname(svg), { recursive: true });
await writeFile(svg, renderSoakSvg(samples, { rate, minutes: Number(args.minutes) }));
console.log(`wrote ${results} and ${svg}: ${within ? "no growth beyond 10 % after warm-up" : "GROWTH beyond 10 % after warm-up"}`);
process.exit(within && last.queue === 0 ? 0 : 1);
