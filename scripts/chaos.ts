// `npm run chaos`: the reliability campaign (docs/reliability.md). Each scenario runs the real processes —
// anvil, three `keepledger node` processes, a `keepledger index` process — drives a known set of
// submissions, injects its fault and checks the end state against the chain and a fresh index
// (scripts/chaos/campaign.ts). Prints the table; a full run writes bench/results/chaos.json.
//
//   node scripts/chaos.ts [--short] [--only <substring>]
//
// --short is the smoke `npm test` runs: the scenarios marked short, with fewer submissions and a
// shorter outage. The exit code is 1 when any scenario lost, duplicated or stranded a verdict, refused
// one wrongly, or left the registry different from a fresh index.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "./chaos/campaign.ts";
import { SCENARIOS } from "./chaos/scenarios.ts";

const short = process.argv.includes("--short");
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const chosen = SCENARIOS.filter((s) => (!short || s.short) && (only === undefined || s.name.includes(only)));

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  const started = Date.now();
  process.stdout.write(`▶ ${scenario.name} … `);
  try {
    const r = await scenario.run({ short });
    results.push(r);
    console.log(`${r.ok ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } catch (error) {
    console.log(`ERROR: ${(error as Error).message}`);
    results.push({
      scenario: scenario.name,
      injected: scenario.injected,
      n: 0,
      accepted: 0,
      lost: 0,
      duplicated: 0,
      stuck: 0,
      rejected: 0,
      wrongRefusals: 0,
      registryDiverged: false,
      recoverySeconds: 0,
      ok: false,
      notes: (error as Error).message,
    });
  }
}

const row = (r: ScenarioResult) =>
  `| ${r.scenario} | ${r.n} | ${r.injected} | ${r.lost} | ${r.duplicated} | ${r.stuck} | ${r.rejected} | ${r.wrongRefusals} | ${r.registryDiverged ? "yes" : "no"} | ${r.recoverySeconds} | ${r.ok ? "ok" : "FAILED"} |`;
console.log(
  "\n| scenario | N | injected fault | lost | duplicated | stuck | rejected | wrong refusals | registry diverged | recovery (s) | result |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) console.log(row(r));

if (!short && only === undefined) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "bench", "results", "chaos.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
