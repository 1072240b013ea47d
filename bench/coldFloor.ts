// The floor for cold verification from the files (bench/verify/floor.ts) against keepledger cold, measured by
// process CPU time rather than bench:verify's wall-clock throughput: the bound with its key imports and the
// verdict's hashes, the floor's reading alone, the two together (the floor) and keepledger cold, in one process:
//
//   node bench/coldFloor.ts [sgx|tdx|sev-snp|azure-cvm] [rounds=30]
//
// Operations alternate in 150 ms slices, CPU time per call (the process's: the garbage collector's helper threads
// count); printed: each one's median and the median of the per-round ratios of cold keepledger to the bound and
// to the floor. A cross-check for the docs, not a results file: bench:verify reports the floor's ratio.
import "./support/withNodeFlags.ts"; // first: re-executes with the node's V8 flags before anything else loads
import { cryptoBound, hashAll, importAndCheck } from "./verify/bounds.ts";
import { FLOOR_KINDS, inputFloor } from "./verify/floor.ts";
import { keepledgerCold } from "./verify/keepledger.ts";
import { loadBenchVector, type BenchKind } from "./verify/vectors.ts";

const kind = (process.argv[2] ?? "sgx") as BenchKind;
if (!FLOOR_KINDS.includes(kind)) throw new Error(`kind: one of ${FLOOR_KINDS.join(", ")}`);
const rounds = Number(process.argv[3] ?? 30);

const vector = loadBenchVector(kind);
const bound = cryptoBound(vector);
const floor = inputFloor(vector)!;
const decodeInputs = floor.read;
const crypto = (): void => {
  importAndCheck(bound);
  hashAll(bound.hashed);
};
const operations: Record<string, () => unknown> = {
  "inputs decoded": decodeInputs,
  "bound (keys, hashes)": crypto,
  floor: () => {
    crypto();
    decodeInputs();
  },
  "keepledger cold": await keepledgerCold(vector, { collateralPreloaded: false }),
};

async function cpuPerCall(op: () => unknown, ms: number): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < ms) {
    await op();
    calls++;
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / calls;
}

console.log(`${kind}: ${floor.description}`);
for (const op of Object.values(operations)) await cpuPerCall(op, 300);
const micros = Object.fromEntries(Object.keys(operations).map((name) => [name, [] as number[]]));
for (let r = 0; r < rounds; r++) for (const [name, op] of Object.entries(operations)) micros[name]!.push(await cpuPerCall(op, 150));
const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const [name, values] of Object.entries(micros)) console.log(`${name.padEnd(22)} ${median(values).toFixed(1)} µs of CPU`);
const cold = micros["keepledger cold"]!;
const ratio = (to: string): string => median(cold.map((c, i) => micros[to]![i]! / c)).toFixed(2);
console.log(
  `keepledger cold × the bound: ${ratio("bound (keys, hashes)")}; × the floor: ${ratio("floor")} (medians of the per-round ratios)`,
);
