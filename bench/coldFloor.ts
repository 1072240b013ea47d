// The floor for cold verification from the files (bench/verify/floor.ts) against keepledger cold, measured by
// three clocks rather than bench:verify's wall-clock throughput alone: the bound with its key imports and the
// verdict's hashes, the floor's reading alone, the two together (the floor) and keepledger cold, in one process:
//
//   node bench/coldFloor.ts [sgx|tdx|sev-snp|azure-cvm] [rounds=30] [sliceMs=500]
//
// Operations alternate in slices as long as bench:verify's runs (0.5 s), each called as bench:verify calls it (a
// synchronous one directly, an asynchronous one awaited): with 150 ms slices keepledger cold read ~5 % slower
// against the floor (docs/benchmarks.md). Printed per call: wall time (bench:verify's clock), the main thread's CPU
// time and the process's (the garbage collector's helper threads count there), each one's median, and by each
// clock the median of the per-round ratios of cold keepledger to the bound and to the floor. A cross-check for the
// docs, not a results file: bench:verify reports the floor's ratio.
import "./support/withNodeFlags.ts"; // first: re-executes with the node's V8 flags before anything else loads
import { cryptoBound, hashAll, importAndCheck } from "./verify/bounds.ts";
import { FLOOR_KINDS, floorOperation, inputFloor } from "./verify/floor.ts";
import { keepledgerCold } from "./verify/keepledger.ts";
import { loadBenchVector, type BenchKind } from "./verify/vectors.ts";

const kind = (process.argv[2] ?? "sgx") as BenchKind;
if (!FLOOR_KINDS.includes(kind)) throw new Error(`kind: one of ${FLOOR_KINDS.join(", ")}`);
const rounds = Number(process.argv[3] ?? 30);
const sliceMs = Number(process.argv[4] ?? 500);
if (!(rounds >= 1) || !(sliceMs > 0)) throw new Error("rounds must be at least 1 and sliceMs positive");

const vector = loadBenchVector(kind);
const bound = cryptoBound(vector);
const floor = inputFloor(vector)!;
const operations: Record<string, () => unknown> = {
  "inputs decoded": floor.read,
  "bound (keys, hashes)": (): void => {
    importAndCheck(bound);
    hashAll(bound.hashed);
  },
  floor: floorOperation(bound, floor),
  "keepledger cold": await keepledgerCold(vector, { collateralPreloaded: false }),
};

/** Per call, in µs: wall time, the main thread's CPU time, and the process's (the GC's helper threads too). */
interface Cost {
  wall: number;
  thread: number;
  process: number;
}
const CLOCKS = ["wall", "thread", "process"] as const;

async function costPerCall(op: () => unknown, ms: number): Promise<Cost> {
  const processBefore = process.cpuUsage();
  const threadBefore = process.threadCpuUsage();
  const start = performance.now();
  let calls = 1;
  const first = op();
  const isAsync = first instanceof Promise;
  if (isAsync) await first;
  let now = performance.now();
  while (now - start < ms) {
    if (isAsync) await op();
    else op();
    calls++;
    now = performance.now();
  }
  const p = process.cpuUsage(processBefore);
  const t = process.threadCpuUsage(threadBefore);
  return { wall: ((now - start) * 1000) / calls, thread: (t.user + t.system) / calls, process: (p.user + p.system) / calls };
}

console.log(`${kind}: ${floor.description}`);
// Two seconds each first: V8 is still compiling (on its helper threads) a cold verification's functions for
// thousands of calls, which the process clock would otherwise charge to the first rounds.
for (const op of Object.values(operations)) await costPerCall(op, 2000);
const costs = Object.fromEntries(Object.keys(operations).map((name) => [name, [] as Cost[]]));
for (let r = 0; r < rounds; r++) for (const [name, op] of Object.entries(operations)) costs[name]!.push(await costPerCall(op, sliceMs));
const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
console.log(`${"µs per call (medians)".padEnd(22)} ${CLOCKS.map((c) => c.padStart(8)).join(" ")}`);
for (const [name, values] of Object.entries(costs))
  console.log(
    `${name.padEnd(22)} ${CLOCKS.map((c) =>
      median(values.map((v) => v[c]))
        .toFixed(1)
        .padStart(8),
    ).join(" ")}`,
  );
const cold = costs["keepledger cold"]!;
const ratio = (to: string, clock: (typeof CLOCKS)[number]): string =>
  median(cold.map((c, i) => costs[to]![i]![clock] / c[clock])).toFixed(2);
for (const clock of CLOCKS)
  console.log(
    `by ${clock.padEnd(7)} keepledger cold × the bound: ${ratio("bound (keys, hashes)", clock)}; × the floor: ${ratio("floor", clock)} (medians of the per-round ratios)`,
  );
