// `npm run bench`: every benchmark, one after the other in a fixed order (gas, verify, node, registry,
// then keys when bench/keys.ts exists), each in its own process, then the summary table of
// docs/benchmarks.md regenerated from bench/results/*.json (bench/summary.ts).
//
// `npm run bench -- --short` is the smoke run for CI: every benchmark with a tiny workload, nothing
// written (results files and docs stay as committed). It checks that each still runs to the end —
// never a timing: figures from a smoke run on a shared machine mean nothing.
//
// Usage: node bench/all.ts [--short] [--only gas,registry]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export interface BenchStep {
  name: string;
  script: string;
  /** Arguments of a full run (results written to bench/results/<name>.json). */
  full: string[];
  /** Arguments of the smoke run: a tiny workload, nothing written. */
  short: string[];
}

/** The benchmarks in the order they run. */
export const BENCH_STEPS: BenchStep[] = [
  { name: "gas", script: "gas.ts", full: [], short: ["--no-write"] },
  { name: "verify", script: "verify.ts", full: [], short: ["--runs", "1", "--seconds", "0.2", "--no-write"] },
  { name: "node", script: "node.ts", full: [], short: ["--single", "8", "--batch", "32", "--no-write"] },
  { name: "registry", script: "registry.ts", full: [], short: ["--short"] },
  { name: "keys", script: "keys.ts", full: [], short: ["--short", "--no-write"] },
];

function main(): void {
  const short = process.argv.includes("--short");
  const onlyIndex = process.argv.indexOf("--only");
  const only = onlyIndex >= 0 ? new Set(process.argv[onlyIndex + 1]!.split(",")) : undefined;
  const failed: string[] = [];
  for (const step of BENCH_STEPS) {
    if (only && !only.has(step.name)) continue;
    const script = join(here, step.script);
    if (!existsSync(script)) {
      console.error(`\n▷ ${step.name}: no bench/${step.script} yet, skipped`);
      continue;
    }
    const args = short ? step.short : step.full;
    console.error(`\n▶ bench ${step.name}${short ? " (short)" : ""}: node bench/${step.script} ${args.join(" ")}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, [script, ...args], { stdio: ["ignore", short ? "ignore" : "inherit", "inherit"] });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (r.status === 0) console.error(`✓ ${step.name} (${seconds} s)`);
    else {
      console.error(`✗ ${step.name} failed (exit ${r.status ?? r.signal}) after ${seconds} s`);
      failed.push(step.name);
    }
  }
  if (!short) {
    const r = spawnSync(process.execPath, [join(here, "summary.ts")], { stdio: "inherit" });
    if (r.status !== 0) failed.push("summary");
  }
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(", ")}`);
    process.exit(1);
  }
}

// Only as a command: the summary test imports BENCH_STEPS.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
