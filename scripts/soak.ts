// `npm run soak`: the long run of the reliability campaign (docs/reliability.md). Three `keepledger node`
// processes (k = 2, batch mode, production logging) on anvil take debug-Keep submissions paced open-loop
// at --rate per second for --minutes (default 30). Without --rate it first measures the saturation of this
// same topology (a burst of --calibrate submissions, finalized per second from the first accepted to the
// last finalized) and paces at half of it: the batch figure in bench/results/node.json is for in-process
// nodes on EDR and overstates what three processes on anvil sustain. Every 10 s it samples each node's RSS,
// heap used, open file descriptors, event-loop delay (p99), quorum and finalization times from its
// /metrics, the size of its SQLite store with the WAL, and the queue (accepted − finalized). After the load
// it waits for the queue to drain (nothing accepted may be lost). It writes bench/results/soak.json and the
// plot docs/img/soak.svg, and reports the growth of each series after the warm-up (the first sixth) as its
// least-squares trend, which must stay within 10 % for memory and descriptors (the store grows with the
// data it keeps: reported per verdict).
//
//   node scripts/soak.ts [--minutes 30] [--rate <per s> | --calibrate 3000] [--sample-s 10]
import { statSync } from "node:fs";
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
import { trendGrowth } from "./soak/growth.ts";
import { renderSoakSvg, type SoakSample } from "./soak/plot.ts";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string" },
    calibrate: { type: "string", default: "3000" },
    "sample-s": { type: "string", default: "10" },
  },
});
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

/** The verdicts the three nodes have finalized so far, from their /metrics. */
const finalizedNow = async (): Promise<number> =>
  (
    await Promise.all(
      net.nodes.map(async (n) => sumOf(await (await fetch(`${n.url}/metrics`)).text(), "keepledger_node_verdicts_finalized_total")),
    )
  ).reduce((a, b) => a + b, 0);

// Calibration: a burst of submissions through 64 concurrent clients; the saturation is the rate at which the
// network finalizes them. The burst also warms the nodes (their verdicts stay in the stores).
let saturation = NaN;
let offset = 0;
if (!args.rate) {
  const burst = Number(args.calibrate);
  const before = await finalizedNow();
  const t0 = Date.now();
  let next = 0;
  let ok = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < burst; i = next++) {
        const r = await fetch(`${urls[i % urls.length]}/v1/evidence`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(1e9 + i),
        }).catch(() => undefined);
        if (r?.status === 202) ok++;
        await r?.body?.cancel();
      }
    }),
  );
  for (;;) {
    if ((await finalizedNow()) - before >= ok) break;
    if (Date.now() - t0 > 600_000) throw new Error(`calibration: ${ok} accepted were not finalized within 10 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
  saturation = Math.round((ok / ((Date.now() - t0) / 1000)) * 10) / 10;
  offset = ok;
  console.log(`calibration: ${ok} of ${burst} accepted and finalized at ${saturation}/s`);
}
const rate = args.rate ? Number(args.rate) : Math.max(1, Math.round(saturation / 2));
console.log(`soak: ${rate}/s for ${args.minutes} min (measured saturation: ${saturation}/s), sampling every ${sampleMs / 1000} s`);
const finalizedBefore = offset;

const started = Date.now();
// Open loop: submission i is due at started + i / rate, whatever the answers to the earlier ones.
const load = (async () => {
  for (let i = 0; Date.now() - started < durationMs; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
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
        quorumSeconds: sumOf(text, "keepledger_node_quorum_seconds_sum"),
        quorums: sumOf(text, "keepledger_node_quorum_seconds_count"),
        finalizeSeconds: sumOf(text, "keepledger_node_finalize_seconds_sum"),
        finalizations: sumOf(text, "keepledger_node_finalize_seconds_count"),
      };
    }),
  );
  const finalized = nodes.reduce((a, n) => a + n.finalized, 0) - finalizedBefore;
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
// Nothing accepted may be lost: wait for the queue to drain (at most 10 minutes) and report how long it took.
const loadEnded = Date.now();
let drainSeconds: number | null = null;
while (Date.now() - loadEnded < 600_000) {
  if ((await finalizedNow()) - finalizedBefore >= accepted) {
    drainSeconds = Math.round((Date.now() - loadEnded) / 100) / 10;
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
clearInterval(sampler);
await sample();
await net.stop();

// Samples are taken by overlapping async calls: under load one can finish after the next.
samples.sort((a, b) => a.t - b.t);

/** Growth of a series over the load after warm-up (the first sixth): its least-squares trend (scripts/soak/growth.ts). */
const growth = (pick: (s: SoakSample) => number): number =>
  trendGrowth(samples.filter((s) => s.t >= durationMs / 6000 && s.t <= durationMs / 1000).map((s) => ({ t: s.t, value: pick(s) })));
const per = (f: (n: SoakSample["nodes"][number]) => number) => (s: SoakSample) => s.nodes.reduce((a, n) => a + f(n), 0);
const last = samples.at(-1)!;
const summary = {
  date: new Date().toISOString(),
  minutes: Number(args.minutes),
  rate,
  calibration: args.rate ? null : { submissions: offset, saturation },
  posted,
  accepted,
  refused,
  refusals,
  finalQueue: last.queue,
  drainSeconds,
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
process.exit(within && drainSeconds !== null ? 0 : 1);
