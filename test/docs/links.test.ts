/**
 * Keeps the documentation honest where that is cheap: every relative link in README.md and docs/**.md
 * leads to a file that exists (and a #anchor to a heading of it), and every `keepledger <command>` the
 * docs name in code is a command the CLI registers (buildProgram), subcommands included; the operator
 * guide's configuration table names exactly the fields of the node's configuration schema, the
 * example configurations parse, and the dApp guide's consumer contract compiles.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.ts";
import { parseNodeConfig } from "../../src/node/config/loadNodeConfig.ts";
import { nodeConfigSchema } from "../../src/node/config/nodeConfigSchema.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...markdownFiles(path));
    else if (name.endsWith(".md")) out.push(path);
  }
  return out;
}

const FILES = [join(ROOT, "README.md"), ...markdownFiles(join(ROOT, "docs"))];

/** The text outside fenced code blocks and inline code spans (links there are not links). */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Code: fenced blocks and inline spans, where commands are named. */
function codeOf(text: string): string[] {
  const blocks = [...text.matchAll(/^(```|~~~)[^\n]*\n([\s\S]*?)^\1[^\n]*$/gm)].map((m) => m[2]!);
  const spans = [...text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...blocks, ...spans];
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, -1, -2 … for repeats. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutCode = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

function linksOf(file: string): Link[] {
  const text = prose(readFileSync(file, "utf8"));
  const targets = [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!),
  ];
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t)).map((target) => ({ file, target }));
}

function brokenLink({ file, target }: Link): string | undefined {
  const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
  const path = pathPart === "" ? file : resolve(dirname(file), decodeURIComponent(pathPart));
  const where = `${relative(ROOT, file)}: ${target}`;
  if (!existsSync(path)) return `${where} (no such file)`;
  if (anchor !== undefined && anchor !== "") {
    if (!path.endsWith(".md")) return undefined;
    if (!anchorsOf(readFileSync(path, "utf8")).has(anchor.toLowerCase())) return `${where} (no heading #${anchor})`;
  }
  return undefined;
}

/** `keepledger <command> [<subcommand>]` as named in the docs' code. */
function commandsNamed(file: string): { file: string; words: [string, string | undefined] }[] {
  const out: { file: string; words: [string, string | undefined] }[] = [];
  for (const code of codeOf(readFileSync(file, "utf8"))) {
    for (const m of code.matchAll(/(?<![\w./-])keepledger ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)) {
      out.push({ file, words: [m[1]!, m[2]] });
    }
  }
  return out;
}

function missingCommand(program: Command, file: string, [name, sub]: [string, string | undefined]): string | undefined {
  const command = program.commands.find((c) => c.name() === name);
  const where = relative(ROOT, file);
  if (!command) return `${where}: keepledger ${name}`;
  if (command.commands.length > 0 && sub !== undefined && !command.commands.some((c) => c.name() === sub)) {
    return `${where}: keepledger ${name} ${sub}`;
  }
  return undefined;
}

/** Every field path of a zod schema ("batch.maxItems"), through optional, default and union wrappers. */
function schemaPaths(schema: unknown, prefix = "", out = new Map<string, boolean>()): Map<string, boolean> {
  const def = (schema as { def?: { type: string; innerType?: unknown; shape?: Record<string, unknown>; options?: unknown[] } }).def;
  if (!def) return out;
  if (def.type === "optional" || def.type === "default" || def.type === "nullable") return schemaPaths(def.innerType, prefix, out);
  if (def.type === "union") for (const o of def.options ?? []) schemaPaths(o, prefix, out);
  if (def.type === "object") {
    if (prefix) out.set(prefix, false);
    for (const [k, v] of Object.entries(def.shape ?? {})) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (!out.has(path)) out.set(path, true);
      schemaPaths(v, path, out);
    }
  }
  return out;
}

/** The first-column names of the table under the "| field |" header of a document. */
function configTableFields(text: string): string[] {
  const start = text.search(/^\| field +\|/m);
  const table = text.slice(start, text.indexOf("\n\n", start)).split("\n").slice(2);
  return table.map((row) => /^\|\s*`([^`]+)`/.exec(row)?.[1] ?? `unparsed row: ${row}`);
}

describe("documentation", () => {
  it("finds the documents it checks", () => {
    expect(FILES.map((f) => relative(ROOT, f))).toEqual(
      expect.arrayContaining(["README.md", "docs/node.md", "docs/registry.md", "docs/operator-guide.md"]),
    );
  });

  it("links only to files and headings that exist", () => {
    const links = FILES.flatMap(linksOf);
    expect(links.length).toBeGreaterThan(50);
    expect(links.map(brokenLink).filter((b) => b !== undefined)).toEqual([]);
  });

  it("names only keepledger commands the CLI registers", () => {
    const program = buildProgram();
    const named = FILES.flatMap(commandsNamed);
    expect(named.length).toBeGreaterThan(20);
    const missing = [...new Set(named.map((n) => missingCommand(program, n.file, n.words)).filter((m) => m !== undefined))];
    expect(missing).toEqual([]);
  });

  it("documents every node configuration field, and only those (operator guide)", () => {
    const paths = schemaPaths(nodeConfigSchema);
    const leaves = [...paths].filter(([, leaf]) => leaf).map(([p]) => p);
    expect(leaves).toContain("batch.maxItems");
    const rows = configTableFields(readFileSync(join(ROOT, "docs/operator-guide.md"), "utf8"));
    expect(rows.length).toBeGreaterThan(25);
    expect(rows.filter((r) => !paths.has(r))).toEqual([]);
    const documented = (p: string) => rows.includes(p) || rows.includes(p.split(".")[0]!);
    expect(leaves.filter((p) => !documented(p))).toEqual([]);
  });

  it("shows node configurations that the node accepts", () => {
    const examples = ["docs/operator-guide.md", "docs/node.md"].flatMap((f) =>
      [...readFileSync(join(ROOT, f), "utf8").matchAll(/```json\n(\{\n\s*"rpcUrl"[\s\S]*?)```/g)].map((m) => ({ f, json: m[1]! })),
    );
    expect(examples.map((e) => e.f)).toEqual(["docs/operator-guide.md", "docs/node.md"]);
    for (const { f, json } of examples) expect(() => parseNodeConfig(JSON.parse(json), { source: f, baseDir: ROOT }), f).not.toThrow();
  });

  it("shows a consumer contract that compiles (dApp guide)", () => {
    const text = readFileSync(join(ROOT, "docs/dapp-guide.md"), "utf8");
    const source = [...text.matchAll(/```solidity\n([\s\S]*?)```/g)].map((m) => m[1]!).find((s) => s.includes("contract "));
    expect(source).toContain("ATTESTATION.isAttested(keep, WORKLOAD_ID)");
    const solc = createRequire(import.meta.url)("solc") as {
      compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string;
    };
    const input = {
      language: "Solidity",
      sources: { "Consumer.sol": { content: source } },
      settings: { outputSelection: { "*": { "*": ["abi"] } } },
    };
    const findImport = (path: string) => {
      try {
        return { contents: readFileSync(join(ROOT, "node_modules", path), "utf8") };
      } catch {
        return { error: `not found: ${path}` };
      }
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as {
      errors?: { severity: string; formattedMessage: string }[];
      contracts?: Record<string, Record<string, unknown>>;
    };
    expect((output.errors ?? []).map((e) => e.formattedMessage)).toEqual([]);
    expect(Object.keys(output.contracts?.["Consumer.sol"] ?? {})).toContain("AttestedFeed");
  });

  it("checks what it claims to check", () => {
    // The checker itself, on a tiny document: a missing file, a missing heading, a good link, a link in code.
    const anchors = anchorsOf("# The `node` API\n## Run it: now!\n## Run it: now!\n```\n# not a heading\n```\n");
    expect([...anchors]).toEqual(["the-node-api", "run-it-now", "run-it-now-1"]);
    expect(prose("see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n")).toBe("see [a](a.md) and \n\n");
    const program = buildProgram();
    expect(missingCommand(program, join(ROOT, "README.md"), ["verify", "quote.bin"])).toBeUndefined();
    expect(missingCommand(program, join(ROOT, "README.md"), ["cert", "issue"])).toBeUndefined();
    expect(missingCommand(program, join(ROOT, "README.md"), ["cert", "sign"])).toBe("README.md: keepledger cert sign");
    expect(missingCommand(program, join(ROOT, "README.md"), ["frobnicate", undefined])).toBe("README.md: keepledger frobnicate");
  });
});
