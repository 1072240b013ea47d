// Warm verification of one kind's benchmark vector in a loop, for a CPU profile of where the time goes
// (docs/benchmarks.md, "Where warm DCAP verification goes"):
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profileVerify.ts sgx 6
//   node bench/profileSummary.ts /tmp/prof/<file>.cpuprofile
//
// Prints the CPU time per verification (user + system over the loop), steadier than wall time on a
// shared machine.
import { keepledgerWarm } from "./verify/keepledger.ts";
import { BENCH_KINDS, loadBenchVector, type BenchKind } from "./verify/vectors.ts";

const kind = (process.argv[2] ?? "sgx") as BenchKind;
if (!BENCH_KINDS.includes(kind)) throw new Error(`unknown kind ${kind}; one of ${BENCH_KINDS.join(", ")}`);
const seconds = Number(process.argv[3] ?? 4);
const op = await keepledgerWarm(loadBenchVector(kind));
for (let i = 0; i < 3000; i++) await op(); // JIT warm-up
const end = Date.now() + seconds * 1000;
let n = 0;
const before = process.cpuUsage();
while (Date.now() < end) {
  await op();
  n++;
}
const cpu = process.cpuUsage(before);
console.log(`${kind}: ${n} warm verifications, ${((cpu.user + cpu.system) / n).toFixed(1)} µs of CPU each`);
