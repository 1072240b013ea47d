/**
 * The subgraph and the indexer follow one event → entity table (docs/registry.md). graph-node cannot run
 * here, so what can be held without it is held: the subgraph reads the very ABIs the indexer decodes
 * with, and every event the indexer handles has a handler in subgraph.yaml that its mapping exports
 * (the mappings compile in `npm run subgraph:build`, part of `npm test`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENT_HANDLERS, IGNORED_EVENTS } from "../../src/indexer/handlers/index.ts";
import { CONTRACT_ABIS, type ContractName } from "../../src/indexer/decodeLogs.ts";
import { abiJson, SUBGRAPH_ABIS } from "../../subgraph/scripts/write-abis.ts";

const root = new URL("../../subgraph/", import.meta.url);
const manifest = readFileSync(new URL("subgraph.yaml", root), "utf8");

const DATA_SOURCES: Record<ContractName, { name: keyof typeof SUBGRAPH_ABIS; file: string }> = {
  workloadRegistry: { name: "WorkloadRegistry", file: "src/workloadRegistry.ts" },
  validatorSet: { name: "ValidatorSet", file: "src/validatorSet.ts" },
  attestationRegistry: { name: "AttestationRegistry", file: "src/attestationRegistry.ts" },
  cpakAllowList: { name: "CpakAllowList", file: "src/cpakAllowList.ts" },
  keyRegistry: { name: "KeyRegistry", file: "src/keyRegistry.ts" },
};

/** Event name → handler name of one data source of subgraph.yaml. */
function handlersOf(dataSource: string): Map<string, string> {
  const start = manifest.indexOf(`name: ${dataSource}\n`);
  const end = manifest.indexOf("- kind: ethereum/contract", start);
  const block = manifest.slice(start, end < 0 ? undefined : end);
  const out = new Map<string, string>();
  for (const m of block.matchAll(/- event: (\w+)\(.*\)\n\s+handler: (\w+)/g)) out.set(m[1]!, m[2]!);
  return out;
}

describe("the subgraph", () => {
  it.each(Object.entries(SUBGRAPH_ABIS))("reads the committed bindings' ABI for %s (node subgraph/scripts/write-abis.ts)", (name, abi) => {
    expect(readFileSync(new URL(`abis/${name}.json`, root), "utf8")).toBe(abiJson(abi));
  });

  it.each(Object.keys(DATA_SOURCES) as ContractName[])(
    "handles every %s event the indexer handles, with an exported mapping function",
    (contract) => {
      const { name, file } = DATA_SOURCES[contract];
      const handlers = handlersOf(name);
      const source = readFileSync(new URL(file, root), "utf8");
      const events = CONTRACT_ABIS[contract].filter((i) => i.type === "event").map((i) => (i as { name: string }).name);
      for (const event of events) {
        if (IGNORED_EVENTS.has(event) || event === "MeasurementSerialRevoked") continue;
        expect(EVENT_HANDLERS[contract][event], `${contract}.${event} in the indexer`).toBeDefined();
        const handler = handlers.get(event);
        expect(handler, `${name}.${event} in subgraph.yaml`).toBeDefined();
        expect(source, `${file} exports ${handler}`).toMatch(new RegExp(`export function ${handler}\\(event: ${event}\\)`));
      }
      expect([...handlers.keys()].every((e) => events.includes(e))).toBe(true);
    },
  );
});
