// The registry benchmark's GraphQL queries (bench/support/registryQueries.ts) run in process over a kept
// index, in a loop, for the CPU each costs without HTTP and a CPU profile of where it goes
// (docs/registry.md, "What bounds these figures"):
//
//   node bench/registry.ts --chain-state <dir> --keep-db <db-dir> --skip-latency --skip-postgres   # once
//   node bench/profileRegistry.ts <db-dir> <chain-state dir> [query|all] [seconds] [--answers <file>]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profileRegistry.ts <db-dir> <chain-state dir> verdictsByWorkload 6
//   node bench/profileSummary.ts /tmp/prof/<file>.cpuprofile
//
// Each request takes the server's path for one query POSTed as JSON (RegistryApi.direct: parse, limits,
// execution, the JSON answer), one after another. Prints the CPU time per request (user + system over the
// loop: steadier than wall time on a shared machine) and a hash of each answer; --answers writes the
// answers, to compare them byte for byte across a change.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRegistryApi } from "../src/api/createRegistryApi.ts";
import { openDatabase } from "../src/store/openDatabase.ts";
import { cpuPerCall } from "./support/cpuPerCall.ts";
import { BENCH_QUERIES, type RegistrySample } from "./support/registryQueries.ts";

const [dbDir, chainState, which = "all", secondsArg = "3"] = process.argv.slice(2);
if (!dbDir || !chainState) throw new Error("usage: profileRegistry.ts <db-dir> <chain-state dir> [query|all] [seconds] [--answers <file>]");
const answersAt = process.argv.indexOf("--answers");
const answersFile = answersAt >= 0 ? process.argv[answersAt + 1] : undefined;
const seconds = Number(secondsArg);
const sample = JSON.parse(readFileSync(join(chainState, "chain-100000.json"), "utf8")) as RegistrySample;
const queries = BENCH_QUERIES(sample).filter((q) => which === "all" || q.name === which);
if (queries.length === 0) throw new Error(`unknown query ${which}`);

const db = openDatabase(join(dbDir, "registry.db"));
const api = createRegistryApi({ db });
const headers = { "content-type": "application/json", accept: "application/json" };
const answers: Record<string, string> = {};
for (const q of queries) {
  const body = Buffer.from(JSON.stringify({ query: q.query, variables: q.variables }));
  const ask = async () => {
    const answer = await api.direct(body, headers);
    if (answer === null) throw new Error(`${q.name}: the direct path declined the request`);
    return answer;
  };
  const first = await ask();
  if ((JSON.parse(first) as { errors?: unknown }).errors) throw new Error(`${q.name} fails: ${first}`);
  answers[q.name] = first;
  const { calls, cpuMicros } = await cpuPerCall(ask, seconds, 1000); // warm-up: JIT, SQLite page cache
  const hash = createHash("sha256").update(first).digest("hex").slice(0, 16);
  console.log(`${q.name}: ${calls} requests, ${cpuMicros.toFixed(1)} µs of CPU each; answer ${first.length} bytes, sha256 ${hash}…`);
}
if (answersFile) writeFileSync(answersFile, `${JSON.stringify(answers, null, 2)}\n`);
await db.close();
