/**
 * The layer check bites: dependency-cruiser, run with the repository's .dependency-cruiser.mjs on a
 * scratch tree (a few files under a temporary src/), fails on a backward import between rooms (a
 * value import and an `import type`), on a cycle that leaves its room, on a unit test importing
 * test/ outside test/support/ and on the SDK package importing viem at runtime, naming the rule it
 * broke; a tree that only imports down passes.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEPCRUISE = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");
const CONFIG = join(ROOT, ".dependency-cruiser.mjs");

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path → contents) into a fresh directory with the repository's tsconfig settings. */
function scratchTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "keepledger-layers-"));
  scratch.push(dir);
  const tree: Record<string, string> = {
    "tsconfig.json": JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", allowImportingTsExtensions: true, noEmit: true },
      include: ["src", "test", "packages"],
    }),
    ...files,
  };
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** `npm run lint:layers`, in `cwd`: the exit status and what it printed. */
function checkLayers(cwd: string, roots: string[] = ["src"]): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, "--config", CONFIG, ...roots], { cwd, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("layer rules (dependency-cruiser)", () => {
  it("fail the build on backward imports, cycles through two rooms and unit tests reaching into test/", () => {
    const dir = scratchTree({
      "src/node/startValidatorNode.ts": "export const start = 1;\n",
      "src/node/NodeTypes.ts": "export interface NodeOptions { port: number }\n",
      // The deliberate backward import: evidence sits below node.
      "src/evidence/parseQuote.ts": 'import { start } from "../node/startValidatorNode.ts";\nexport const parse = start;\n',
      // `import type` counts too.
      "src/evidence/quoteTypes.ts": 'import type { NodeOptions } from "../node/NodeTypes.ts";\nexport type Q = NodeOptions;\n',
      // verify → evidence is allowed; evidence → verify closes a cycle through two rooms.
      "src/verify/verifyQuote.ts": 'import { cursor } from "../evidence/cursor.ts";\nexport const verify = cursor;\n',
      "src/evidence/cursor.ts":
        'import { verify } from "../verify/verifyQuote.ts";\nexport const cursor = 1;\nexport const again = () => verify;\n',
      // A unit test may import test/support/ but nothing else under test/.
      "src/evidence/cursor.test.ts": 'import { e2e } from "../../test/e2e/helpers.ts";\nexport const t = e2e;\n',
      "test/e2e/helpers.ts": "export const e2e = 1;\n",
    });
    const { status, output } = checkLayers(dir);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/error room-evidence: src\/evidence\/parseQuote\.ts → src\/node\/startValidatorNode\.ts/);
    expect(output).toMatch(/error room-evidence: src\/evidence\/quoteTypes\.ts → src\/node\/NodeTypes\.ts/);
    expect(output).toMatch(/error room-evidence: src\/evidence\/cursor\.ts → src\/verify\/verifyQuote\.ts/);
    expect(output).toMatch(
      /error no-cycle-between-rooms: src\/evidence\/cursor\.ts →\s+src\/verify\/verifyQuote\.ts →\s+src\/evidence\/cursor\.ts/,
    );
    expect(output).toMatch(/error unit-tests-only-test-support: src\/evidence\/cursor\.test\.ts → test\/e2e\/helpers\.ts/);
    expect(output).not.toMatch(/room-verify/);
    expect(output).toMatch(/5 dependency violations/);
  });

  it("fail the SDK package's runtime import of viem, but not its `import type`, its ethers factories or its tests", () => {
    const dir = scratchTree({
      "packages/sdk/src/sdk/reads.ts": 'import { keccak256 } from "viem";\nexport const k = keccak256;\n',
      "packages/sdk/src/sdk/types.ts": 'import type { Address } from "viem";\nexport type A = Address;\n',
      "packages/sdk/src/sdk/reads.test.ts": 'import { keccak256 } from "viem";\nexport const t = keccak256;\n',
      "packages/sdk/src/chain/generated-ethers/factory.ts": 'import { Contract } from "ethers";\nexport const C = Contract;\n',
    });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const { status, output } = checkLayers(dir, ["packages/sdk/src"]);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/error sdk-package-no-viem-ethers: packages\/sdk\/src\/sdk\/reads\.ts → \S*node_modules\/viem\//);
    expect(output).toMatch(/\b1 dependency violations/);
  });

  it("pass a tree that only imports down, with a cycle inside one room and a unit test using test/support/", () => {
    const dir = scratchTree({
      "src/errors/KeepledgerError.ts": "export class KeepledgerError extends Error {}\n",
      "src/evidence/parseQuote.ts":
        'import { KeepledgerError } from "../errors/KeepledgerError.ts";\nimport { b } from "./b.ts";\nexport const a = () => [b, KeepledgerError];\n',
      "src/evidence/b.ts": 'import { a } from "./parseQuote.ts";\nexport const b = () => a;\n',
      "src/evidence/parseQuote.test.ts":
        'import { fixture } from "../../test/support/fixtures.ts";\nimport { a } from "./parseQuote.ts";\nexport const t = [a, fixture];\n',
      "src/node/startValidatorNode.ts": 'import { a } from "../evidence/parseQuote.ts";\nexport const start = a;\n',
      "test/support/fixtures.ts": "export const fixture = 1;\n",
    });
    const { status, output } = checkLayers(dir);
    expect(output).toMatch(/no dependency violations found/);
    expect(status, output).toBe(0);
  });
});
