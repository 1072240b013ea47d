// `npm run chaos`: the reliability campaign (docs/reliability.md). Each scenario runs the real processes —
// anvil, three `keepledger node` processes, a `keepledger index` process — drives a known set of
// submissions, injects its fault and checks the end state against the chain and a fresh index
// (scripts/chaos/campaign.ts). Prints the table; a full run writes bench/results/chaos.json and the
// table in docs/reliability.md.
//
//   node scripts/chaos.ts [--short] [--only <substring>] [--json <file>]
//
// --short is the smoke `npm test` runs: the scenarios marked short, with fewer submissions and a
// shorter outage. The exit code is 1 when any scenario lost, duplicated or stranded a verdict, refused
// one wrongly, or left the registry different from a fresh index.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "./chaos/campaign.ts";
import { SCENARIOS } from "./chaos/scenarios.ts";
import { chaosTable, withChaosTable } from "./chaos/table.ts";

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
    console.log(
      `${r.skipped ? "skipped" : r.ok ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(0)} s)${r.notes ? ` — ${r.notes}` : ""}`,
    );
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

console.log(`\n${chaosTable(results)}`);

const outAt = process.argv.indexOf("--json");
if (outAt >= 0) await writeFile(process.argv[outAt + 1]!, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);

if (!short && only === undefined) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "bench", "results", "chaos.json");
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  const doc = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "reliability.md");
  await writeFile(doc, withChaosTable(await readFile(doc, "utf8"), results));
  console.log(`\nwrote ${out} and the table in ${doc}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
