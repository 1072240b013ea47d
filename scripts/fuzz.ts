// `npm run fuzz`: mutation fuzzing of the whole verifyEvidence path (decode → detect → parse →
// collateral → verify) for every kind — sgx, tdx, sev-snp, nitro (real vectors, real collateral,
// as of their verify_at) and debug (createDebugEvidence). Each kind gets --runs mutated inputs
// (bit flips, byte sets, truncations, extensions, splices, chunk copies, length-field lies, random
// bytes; see scripts/fuzz/mutate.ts). Every outcome must be a typed KeepledgerError, or ok for an
// input equivalent to the valid one with the valid one's result. Anything else — an untyped throw,
// INTERNAL_VERIFIER_ERROR, an input running over --hang-ms, an ok for another input — is a crash:
// the seed, index, mutations and input (hex) are printed and the exit code is 1.
//
//   node scripts/fuzz.ts [--runs 100000] [--seed N] [--kind sgx,tdx,...] [--jobs N] [--hang-ms 1000]
//   node scripts/fuzz.ts --kind sgx --seed N --index I      re-runs one input and prints it
//
// Kinds run in worker threads, --jobs at a time (default: one per CPU); input i of a kind depends
// only on (seed, kind, i), so a report reproduces with --seed and --index.
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { verifyEvidence } from "../src/verify/verifyEvidence.ts";
import { classify, resultSummary } from "./fuzz/classify.ts";
import { mutate } from "./fuzz/mutate.ts";
import { Rng, kindNumber } from "./fuzz/rng.ts";
import { FUZZ_KINDS, loadFuzzTarget, verifyOptionsOf, type FuzzKind } from "./fuzz/targets.ts";
import type { FuzzWorkerInput, FuzzWorkerMessage } from "./fuzz/worker.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "100000" },
    seed: { type: "string" },
    kind: { type: "string" },
    jobs: { type: "string" },
    "hang-ms": { type: "string", default: "1000" },
    index: { type: "string" },
  },
});
const runs = Number(args.runs);
const seed = args.seed === undefined ? randomInt(2 ** 32) : Number(args.seed);
const hangMs = Number(args["hang-ms"]);
const kinds = (args.kind?.split(",") ?? [...FUZZ_KINDS]) as FuzzKind[];
for (const k of kinds) if (!FUZZ_KINDS.includes(k)) throw new Error(`unknown kind ${k}; one of ${FUZZ_KINDS.join(", ")}`);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32 || !(hangMs > 0)) {
  throw new Error("--runs must be a positive integer, --seed an integer in [0, 2^32), --hang-ms positive");
}
const jobs = Math.max(1, Math.min(kinds.length, args.jobs === undefined ? availableParallelism() : Number(args.jobs)));

/** --index: regenerates one input in this thread, runs it and prints everything about it. */
async function replay(kind: FuzzKind, index: number): Promise<void> {
  const target = await loadFuzzTarget(kind);
  const reference = resultSummary(await verifyEvidence(target.base, verifyOptionsOf(target)));
  const m = mutate(target, new Rng(seed, kindNumber(kind), index));
  const t0 = performance.now();
  const outcome = await classify(target, reference, m.bytes);
  console.log(`${kind} seed ${seed} index ${index}: ${m.ops.join(" → ")}`);
  console.log(`outcome: ${JSON.stringify(outcome)} (${(performance.now() - t0).toFixed(1)} ms)`);
  console.log(`input (${m.bytes.length} bytes): ${Buffer.from(m.bytes).toString("hex")}`);
  if (outcome.type === "crash") process.exitCode = 1;
}

type Done = Extract<FuzzWorkerMessage, { type: "done" }>;
type Crash = Extract<FuzzWorkerMessage, { type: "crash" }>;

/** Runs one kind in a worker, watching each input's clock; resolves with its counts or its crash. */
function runKind(kind: FuzzKind): Promise<Done | Crash> {
  const state = new SharedArrayBuffer(16);
  const slots = new BigInt64Array(state);
  Atomics.store(slots, 0, -1n);
  const data: FuzzWorkerInput = { kind, seed, runs, state, hangMs };
  const worker = new Worker(new URL("./fuzz/worker.ts", import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (r: Done | Crash): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(r);
    };
    const watchdog = setInterval(() => {
      const index = Number(Atomics.load(slots, 0));
      const since = Date.now() - Number(Atomics.load(slots, 1));
      if (index < 0 || since <= hangMs) return;
      // The worker is stuck inside one input: regenerate it here (it depends only on seed, kind, index).
      void loadFuzzTarget(kind).then((target) => {
        const m = mutate(target, new Rng(seed, kindNumber(kind), index));
        settle({
          type: "crash",
          kind,
          index,
          reason: `hang: no answer after ${since} ms (limit ${hangMs} ms)`,
          ops: m.ops,
          hex: Buffer.from(m.bytes).toString("hex"),
        });
      });
    }, 100);
    worker.on("message", (m: FuzzWorkerMessage) => {
      if (m.type === "progress") console.log(`  ${kind}: ${m.done.toLocaleString("en-US")} / ${runs.toLocaleString("en-US")}`);
      else settle(m);
    });
    worker.on("error", (e) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      reject(e);
    });
    worker.on("exit", (code) => {
      if (!settled) {
        settled = true;
        clearInterval(watchdog);
        reject(new Error(`the ${kind} worker exited (code ${code}) without a result`));
      }
    });
  });
}

function report(r: Done): void {
  const total = Object.values(r.codes).reduce((a, b) => a + b, 0) + r.ok;
  console.log(`\n${r.kind}: ${total.toLocaleString("en-US")} inputs from ${r.source} in ${(r.ms / 1000).toFixed(1)} s; crashes: 0`);
  const rows = Object.entries(r.codes).sort((a, b) => b[1] - a[1]);
  if (r.ok > 0) rows.push(["ok (equivalent to the valid input, same result)", r.ok]);
  for (const [code, n] of rows) console.log(`  ${String(n).padStart(8)}  ${code}`);
  const mutations = Object.entries(r.mutations).sort((a, b) => b[1] - a[1]);
  console.log(`  by first mutation: ${mutations.map(([m, n]) => `${m} ${n}`).join(", ")}`);
  console.log(`  slowest input: #${r.slowest.index}, ${r.slowest.ms.toFixed(1)} ms`);
}

function reportCrash(c: Crash): void {
  console.error(`\nCRASH in ${c.kind}: ${c.reason}`);
  console.error(`  reproduce: node scripts/fuzz.ts --kind ${c.kind} --seed ${seed} --index ${c.index}`);
  console.error(`  mutations: ${c.ops.join(" → ")}`);
  console.error(`  input (${c.hex.length / 2} bytes, hex): ${c.hex}`);
}

if (args.index !== undefined) {
  if (kinds.length !== 1) throw new Error("--index needs exactly one --kind");
  await replay(kinds[0]!, Number(args.index));
} else {
  console.log(
    `fuzzing ${kinds.join(", ")}: ${runs.toLocaleString("en-US")} inputs each, seed ${seed}, ${jobs} at a time, hang limit ${hangMs} ms`,
  );
  const started = performance.now();
  const queue = [...kinds];
  const results: Array<Done | Crash> = [];
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let kind = queue.shift(); kind !== undefined; kind = queue.shift()) {
        const r = await runKind(kind);
        results.push(r);
        if (r.type === "crash") queue.length = 0;
      }
    }),
  );
  const crashes = results.filter((r): r is Crash => r.type === "crash");
  for (const kind of kinds) {
    const r = results.find((x): x is Done => x.kind === kind && x.type === "done");
    if (r) report(r);
  }
  const inputs = results.filter((r): r is Done => r.type === "done").reduce((a, r) => a + r.runs, 0);
  console.log(
    `\ntotal: ${inputs.toLocaleString("en-US")} inputs in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${seed}); crashes: ${crashes.length}`,
  );
  for (const c of crashes) reportCrash(c);
  if (crashes.length > 0) process.exitCode = 1;
}
