import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ScenarioResult } from "../../scripts/chaos/campaign.ts";
import { SCENARIOS } from "../../scripts/chaos/scenarios.ts";
import { withChaosTable } from "../../scripts/chaos/table.ts";

const root = new URL("../../", import.meta.url);
const doc = readFileSync(new URL("docs/reliability.md", root), "utf8");
const committed = JSON.parse(readFileSync(new URL("bench/results/chaos.json", root), "utf8")) as { results: ScenarioResult[] };

describe("docs/reliability.md", () => {
  it("shows the committed campaign's table, as npm run chaos renders it", () => {
    expect(withChaosTable(doc, committed.results)).toBe(doc);
  });

  it("has a committed result for every scenario of the campaign, none of them failed", () => {
    expect(committed.results.map((r) => r.scenario)).toEqual(SCENARIOS.map((s) => s.name));
    expect(committed.results.filter((r) => !r.ok).map((r) => r.scenario)).toEqual([]);
  });
});
