/**
 * One kind's fuzzing run, in a worker thread so the main thread can watch the
 * clock: before each input the worker writes its index and start time into
 * shared memory, and the main thread declares a hang when one input runs past
 * the limit (an input stuck in a loop never returns here).
 */
import { parentPort, workerData } from "node:worker_threads";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { classify, resultSummary } from "./classify.ts";
import { mutate } from "./mutate.ts";
import { Rng, kindNumber } from "./rng.ts";
import { loadFuzzTarget, verifyOptionsOf, type FuzzKind } from "./targets.ts";

export interface FuzzWorkerInput {
  kind: FuzzKind;
  seed: number;
  runs: number;
  /** Two BigInt64 slots: the index of the input being verified (-1 between inputs) and when it started (ms since the epoch). */
  state: SharedArrayBuffer;
  hangMs: number;
}

export type FuzzWorkerMessage =
  | { type: "progress"; kind: FuzzKind; done: number }
  | {
      type: "done";
      kind: FuzzKind;
      runs: number;
      ms: number;
      codes: Record<string, number>;
      ok: number;
      mutations: Record<string, number>;
      slowest: { index: number; ms: number };
      source: string;
    }
  | { type: "crash"; kind: FuzzKind; index: number; reason: string; ops: string[]; hex: string };

const input = workerData as FuzzWorkerInput;
const slots = new BigInt64Array(input.state);
const post = (m: FuzzWorkerMessage): void => parentPort!.postMessage(m);

const target = await loadFuzzTarget(input.kind);
const reference = resultSummary(await verifyEvidence(target.base, verifyOptionsOf(target)));
const codes = new Map<string, number>();
const mutations = new Map<string, number>();
let ok = 0;
let slowest = { index: -1, ms: 0 };
const started = performance.now();
let crashed = false;

for (let i = 0; i < input.runs; i++) {
  const m = mutate(target, new Rng(input.seed, kindNumber(input.kind), i));
  Atomics.store(slots, 1, BigInt(Date.now()));
  Atomics.store(slots, 0, BigInt(i));
  const t0 = performance.now();
  let outcome = await classify(target, reference, m.bytes);
  const ms = performance.now() - t0;
  Atomics.store(slots, 0, -1n);
  if (ms > input.hangMs && outcome.type !== "crash")
    outcome = { type: "crash", reason: `hang: one input took ${ms.toFixed(0)} ms (limit ${input.hangMs} ms)` };
  if (outcome.type === "crash") {
    post({ type: "crash", kind: input.kind, index: i, reason: outcome.reason, ops: m.ops, hex: Buffer.from(m.bytes).toString("hex") });
    crashed = true;
    break;
  }
  if (ms > slowest.ms) slowest = { index: i, ms };
  mutations.set(m.primary, (mutations.get(m.primary) ?? 0) + 1);
  if (outcome.type === "ok") ok++;
  else codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
  if ((i + 1) % 10_000 === 0) post({ type: "progress", kind: input.kind, done: i + 1 });
}

if (!crashed) {
  post({
    type: "done",
    kind: input.kind,
    runs: input.runs,
    ms: performance.now() - started,
    codes: Object.fromEntries(codes),
    ok,
    mutations: Object.fromEntries(mutations),
    slowest,
    source: target.source,
  });
}
