/**
 * A TEE kind's facts live in its folder (src/tee/<kind>/) and the two tables (packages/sdk/src/tee/kindFacts.ts,
 * src/tee/table.ts): no other source under src/ branches on a kind's name. This is the grep of issue 11,
 * run over the sources: `case "sgx"`, `tee === "…"`, `.tee !== "…"`, `kind === "sgx"` outside src/tee/ and
 * tests. Justified exceptions are listed in docs/architecture.md ("Adding a TEE kind"); there are none in src/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TEE_KINDS } from "@keepledger/sdk/internal/kinds/index";
import { TEE_KIND_CODES } from "@keepledger/sdk/internal/ids/enums";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BRANCH = /case "(sgx|tdx|sev-snp|nitro|debug)"|tee === "|\.tee !== "|kind === "(sgx|tdx|sev-snp|nitro|debug)"/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("no per-kind branch outside src/tee", () => {
  it("finds no switch or comparison on a TEE kind's name in src/ outside src/tee/", () => {
    const hits: string[] = [];
    for (const file of [...sources(join(ROOT, "src")), ...sources(join(ROOT, "packages/sdk/src"))]) {
      const rel = relative(ROOT, file);
      if (rel.startsWith("src/tee/") || rel.startsWith("packages/sdk/src/tee/")) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (BRANCH.test(line)) hits.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it("the pattern catches what it is meant to catch", () => {
    for (const line of ['case "sgx":', 'if (evidence.tee === "nitro")', 'verified.tee !== "tdx"', 'adapter.kind === "sev-snp"'])
      expect(BRANCH.test(line), line).toBe(true);
    expect(BRANCH.test("factsOf(evidence.tee).reportData")).toBe(false);
  });
});

describe("the subgraph's TeeKind names (AssemblyScript cannot import TypeScript)", () => {
  const helpers = readFileSync(join(ROOT, "subgraph/src/helpers.ts"), "utf8");
  const body = helpers.match(/export function teeName\(code: i32\): string \{([\s\S]*?)\n\}/)?.[1];

  it("teeName maps each kind's code to its name, in TEE_KINDS order, every kind and nothing else", () => {
    expect(body, "teeName in subgraph/src/helpers.ts").toBeDefined();
    const pairs = [...body!.matchAll(/if \(code == (\d+)\) return "([^"]+)";/g)].map((m) => [Number(m[1]), m[2]]);
    // TEE_KINDS is in enum order; codes 6 and 7 are assigned to kinds wired on other branches, so the
    // codes ascend with TEE_KINDS rather than being i + 1 until those merge.
    expect(pairs.map(([, k]) => k)).toEqual([...TEE_KINDS]);
    expect(pairs.map(([c]) => c)).toEqual([...pairs.map(([c]) => c)].sort((a, b) => Number(a) - Number(b)));
    expect(pairs).toEqual(Object.entries(TEE_KIND_CODES).map(([k, c]) => [c, k]));
    expect(body).toContain('return "unknown";');
  });
});
