// `npm run bench:verify`: evidence verified per second, on one core (this process, no worker
// threads), side by side in one run for each kind (sgx, tdx, sev-snp, nitro; one real vector each,
// verified as of its verify_at): the crypto bound (bare node:crypto signature checks), keepledger
// warm and cold, and the peer libraries on the same evidence and collateral. Writes
// bench/results/verify.json and prints a Markdown table; method and figures in docs/benchmarks.md.
//
//   node bench/verify.ts [--runs 20] [--seconds 0.5] [--kind sgx,tdx,...] [--out path] [--no-write]
//
// Each measurement runs --runs times for --seconds each, interleaved round-robin with the other
// measurements of its kind (so a noisy neighbour slows all of them alike), after a warm-up; the
// figure is the median run. Many short runs rather than a few long ones: this machine's speed swings
// by up to 1.5× over tens of seconds, and a round of a kind's measurements must fit inside one swing
// for them to be slowed alike.
import "./support/withNodeFlags.ts"; // first: re-executes with the node's V8 flags before anything else loads
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PEERS } from "./peers/index.ts";
import { cryptoBound, hashAll, importAndCheck, runChecks } from "./verify/bounds.ts";
import { floorOperation, inputFloor } from "./verify/floor.ts";
import { keepledgerCold, keepledgerWarm } from "./verify/keepledger.ts";
import { measureThroughput, median, type Operation } from "./verify/measure.ts";
import {
  checkTargets,
  formatResults,
  formatTargets,
  markdownTable,
  perSecondFigure,
  withRatios,
  type VerifyBenchRow,
} from "./verify/report.ts";
import { evidenceKeccak, nativeKeccakLoaded } from "../src/util/evidenceKeccak.ts";
import { evidenceBytesOf } from "../src/verify/verifyEvidence.ts";
import { BENCH_KINDS, loadBenchVector, type BenchKind, type BenchVector } from "./verify/vectors.ts";

interface Task {
  row: Omit<
    VerifyBenchRow,
    "perSecond" | "ratioToBound" | "ratioToPerEvidenceBound" | "ratioToEvidenceHashBound" | "ratioToColdVerdictBound" | "ratioToFloor"
  >;
  op: Operation;
}

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    seconds: { type: "string", default: "0.5" },
    kind: { type: "string" },
    out: { type: "string", default: fileURLToPath(new URL("./results/verify.json", import.meta.url)) },
    "no-write": { type: "boolean", default: false },
  },
});
const runs = Number(args.runs);
const seconds = Number(args.seconds);
if (!Number.isInteger(runs) || runs < 1 || !(seconds > 0))
  throw new Error("--runs must be a positive integer and --seconds a positive number");
const kinds = (args.kind?.split(",") ?? [...BENCH_KINDS]) as BenchKind[];
for (const k of kinds) if (!BENCH_KINDS.includes(k)) throw new Error(`unknown kind ${k}; one of ${BENCH_KINDS.join(", ")}`);

async function tasksFor(vector: BenchVector): Promise<{ tasks: Task[]; absent: VerifyBenchRow[] }> {
  const { kind } = vector;
  const bound = cryptoBound(vector);
  const evidenceBytes = evidenceBytesOf(vector.evidence);
  const tasks: Task[] = [
    { row: { kind, impl: "bound", mode: "cold", signatures: bound.full.length }, op: () => runChecks(bound.full) },
    {
      // What a verifier with nothing remembered cannot skip besides the signatures: importing every key they use
      // (but the pinned roots') into OpenSSL, from its SubjectPublicKeyInfo DER, and checking with the keys so made.
      row: { kind, impl: "bound", mode: "cold", variant: "with-key-import", signatures: bound.full.length, keys: bound.keyImports.length },
      op: () => importAndCheck(bound),
    },
    {
      // And the keccak256 hashes a cold verdict records (its evidence hash and collateral hash): with the key
      // imports, all the cryptography a verdict from nothing remembered needs.
      row: {
        kind,
        impl: "bound",
        mode: "cold",
        variant: "with-key-import-and-hashes",
        signatures: bound.full.length,
        keys: bound.keyImports.length,
        hashes: bound.hashed.length,
      },
      op: () => {
        importAndCheck(bound);
        hashAll(bound.hashed);
      },
    },
  ];
  const floor = inputFloor(vector);
  if (floor) {
    tasks.push({
      // And the least reading of the files any verifier starting from them must do, at native speed (floor.ts):
      // what bounds cold verification from the files on this machine, beyond its cryptography.
      row: {
        kind,
        impl: "bound",
        mode: "cold",
        variant: "floor",
        signatures: bound.full.length,
        keys: bound.keyImports.length,
        hashes: bound.hashed.length,
        note: `the bound with its key imports and hashes, and the files read: ${floor.description}`,
      },
      op: floorOperation(bound, floor),
    });
  }
  tasks.push(
    { row: { kind, impl: "bound", mode: "warm", signatures: bound.perEvidence.length }, op: () => runChecks(bound.perEvidence) },
    {
      // What a verdict cannot do without: the per-evidence signatures and the evidence hash it records on-chain,
      // with the fastest Keccak on this machine (the native one when it loads; see evidenceKeccak.ts).
      row: { kind, impl: "bound", mode: "warm", variant: "with-evidence-hash", signatures: bound.perEvidence.length },
      op: () => {
        runChecks(bound.perEvidence);
        evidenceKeccak(evidenceBytes);
      },
    },
    { row: { kind, impl: "keepledger", mode: "warm" }, op: await keepledgerWarm(vector) },
    { row: { kind, impl: "keepledger", mode: "cold" }, op: await keepledgerCold(vector, { collateralPreloaded: false }) },
  );
  if (vector.collateral.length > 0) {
    tasks.push({
      row: {
        kind,
        impl: "keepledger",
        mode: "cold",
        variant: "collateral-preloaded",
        note: "caches cleared, but the provider keeps its collateral parsed between calls, as a running validator's does",
      },
      op: await keepledgerCold(vector, { collateralPreloaded: true }),
    });
  }
  const absent: VerifyBenchRow[] = [];
  for (const peer of PEERS.filter((p) => p.kinds.includes(kind))) {
    const setup = await peer.setup(vector);
    const row = { kind, impl: peer.name, mode: "cold" as const, singleMode: true };
    if ("absent" in setup)
      absent.push({
        ...row,
        perSecond: null,
        ratioToBound: null,
        ratioToPerEvidenceBound: null,
        ratioToEvidenceHashBound: null,
        ratioToKeyImportBound: null,
        ratioToColdVerdictBound: null,
        ratioToFloor: null,
        absent: setup.absent,
      });
    else tasks.push({ row: { ...row, note: setup.note }, op: setup.run });
  }
  return { tasks, absent };
}

async function benchKind(kind: BenchKind): Promise<VerifyBenchRow[]> {
  const vector = loadBenchVector(kind);
  const { tasks, absent } = await tasksFor(vector);
  for (const t of tasks) await measureThroughput(t.op, { seconds: Math.min(0.5, seconds) }); // JIT warm-up
  const figures = tasks.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, t] of tasks.entries()) figures[i]!.push(await measureThroughput(t.op, { seconds }));
  }
  const rows: VerifyBenchRow[] = tasks.map((t, i) => ({
    ...t.row,
    perSecond: perSecondFigure(median(figures[i]!)),
    ratioToBound: null,
    ratioToPerEvidenceBound: null,
    ratioToEvidenceHashBound: null,
    ratioToKeyImportBound: null,
    ratioToColdVerdictBound: null,
    ratioToFloor: null,
    runs: figures[i]!.map(perSecondFigure),
  }));
  return withRatios([...rows, ...absent]);
}

const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? "unknown CPU"} (${cpu.length} logical CPUs), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}; ` +
    `node ${process.version} ${process.execArgv.filter((a) => a.startsWith("--max-semi")).join(" ") || "(V8 defaults)"}, OpenSSL ${process.versions.openssl}; Keccak ${nativeKeccakLoaded ? "native" : "JavaScript"}; ${runs} runs × ${seconds} s per figure, median\n`,
);
const all: VerifyBenchRow[] = [];
for (const kind of kinds) {
  const started = performance.now();
  const rows = await benchKind(kind);
  all.push(...rows);
  console.log(`${kind}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
console.log(`\n${markdownTable(all)}\n`);
for (const r of all.filter((row) => row.absent)) console.log(`${r.kind} ${r.impl}: absent — ${r.absent}\n`);
console.log(`targets (benchmark, not test):\n${formatTargets(checkTargets(all))}`);
if (!args["no-write"]) {
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, formatResults(all));
  console.log(`\nwrote ${args.out}`);
}
