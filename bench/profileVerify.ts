// Warm verification of one kind's benchmark vector in a loop, for a CPU profile of where the time goes
// (docs/benchmarks.md, "Where warm DCAP verification goes"):
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profileVerify.ts sgx 6 [cold]
//   node bench/profileSummary.ts /tmp/prof/<file>.cpuprofile
//
// A third argument `cold` profiles cold verification instead (a fresh context and the collateral recognized
// from its bytes on every call, as bench:verify's cold mode); `floor` profiles the floor for cold verification
// from the files (bench/verify/floor.ts: the cold bound with its key imports and hashes, and the files read).
//
// It restarts itself once with the node's V8 flags (bench/support/withNodeFlags.ts), after loading its modules,
// so --cpu-prof writes two files: the later one is the run (KEEPLEDGER_V8_FLAGS=off: one file, V8's defaults).
//
// Prints the CPU time per verification (user + system over the loop), steadier than wall time on a
// shared machine.
import "./support/withNodeFlags.ts"; // first: re-executes with the node's V8 flags before anything else loads
import { cpuPerCall } from "./support/cpuPerCall.ts";
import { cryptoBound } from "./verify/bounds.ts";
import { floorOperation, inputFloor } from "./verify/floor.ts";
import { keepledgerCold, keepledgerWarm } from "./verify/keepledger.ts";
import { BENCH_KINDS, loadBenchVector, type BenchKind } from "./verify/vectors.ts";

const kind = (process.argv[2] ?? "sgx") as BenchKind;
if (!BENCH_KINDS.includes(kind)) throw new Error(`unknown kind ${kind}; one of ${BENCH_KINDS.join(", ")}`);
const seconds = Number(process.argv[3] ?? 4);
const mode = process.argv[4] === "cold" || process.argv[4] === "floor" ? process.argv[4] : "warm";
const vector = loadBenchVector(kind);
const op =
  mode === "cold"
    ? await keepledgerCold(vector, { collateralPreloaded: false })
    : mode === "floor"
      ? floorOf()
      : await keepledgerWarm(vector);
const { calls, cpuMicros } = await cpuPerCall(op, seconds, mode === "warm" ? 3000 : 300);
console.log(`${kind}: ${calls} ${mode === "floor" ? "floor" : `${mode} verification`}s, ${cpuMicros.toFixed(1)} µs of CPU each`);

function floorOf(): () => void {
  const floor = inputFloor(vector);
  if (!floor) throw new Error(`no floor is defined for ${kind}`);
  return floorOperation(cryptoBound(vector), floor);
}
