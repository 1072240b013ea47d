/**
 * The published package entry, as a dApp on plain Node sees it: the build (`npm run build:sdk`: the SDK
 * package's build, then tsc with tsconfig.build.json) is run into a scratch project's
 * node_modules/keepledger/dist, beside the SDK package as it is published (its dist/ and its published
 * manifest, packages/sdk/scripts/packManifest.ts), and a plain JavaScript module there imports
 * "keepledger" and "keepledger/sdk" (Node strips no types inside node_modules, so this fails if anything
 * still points at .ts sources). A TypeScript consumer is type checked against the emitted declarations.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishedManifest } from "../../packages/sdk/scripts/packManifest.ts";
import { keepReportData } from "../../src/sdk/index.ts";
import { expectedOf, fixturePath } from "../support/fixtures.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  exports: Record<string, { types: string; default: string } | string>;
  files: string[];
};
let app: string;
let installed: string;
let installedSdk: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "kl-pkg-"));
  installed = join(app, "node_modules", "keepledger");
  mkdirSync(installed, { recursive: true });
  const sdkBuild = spawnSync(process.execPath, [join(ROOT, "packages", "sdk", "scripts", "build.ts")], { encoding: "utf8" });
  if (sdkBuild.status !== 0) throw new Error(`SDK build failed:\n${sdkBuild.stdout}${sdkBuild.stderr}`);
  const tsc = spawnSync(
    join(ROOT, "node_modules", ".bin", "tsc"),
    ["-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(installed, "dist")],
    { encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
  copyFileSync(join(ROOT, "package.json"), join(installed, "package.json"));
  cpSync(join(ROOT, "bin"), join(installed, "bin"), { recursive: true });
  // The package's own dependencies, as npm would have installed them: the repository's, but the SDK
  // package as published (the repository's link points at its TypeScript sources).
  const deps = join(installed, "node_modules");
  mkdirSync(deps);
  for (const name of readdirSync(join(ROOT, "node_modules")))
    if (name !== "@keepledger") symlinkSync(join(ROOT, "node_modules", name), join(deps, name), "dir");
  installedSdk = join(deps, "@keepledger", "sdk");
  cpSync(join(ROOT, "packages", "sdk", "dist"), join(installedSdk, "dist"), { recursive: true });
  const sdkManifest = JSON.parse(readFileSync(join(ROOT, "packages", "sdk", "package.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(installedSdk, "package.json"), JSON.stringify(publishedManifest(sdkManifest), null, 2));
}, 180_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

function runNode(file: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["--no-experimental-strip-types", file], { cwd: app, encoding: "utf8" });
}

describe("the keepledger package entry", () => {
  it("is what npm run build:sdk builds, and the package ships it", () => {
    expect(pkg.scripts["build:sdk"]).toContain("tsc -p tsconfig.build.json");
    expect(pkg.scripts.prepack).toBe("npm run build:sdk && npm run build:explorer");
    expect(pkg.files).toContain("dist");
    for (const target of Object.values(pkg.exports)) {
      for (const path of typeof target === "string" ? [target] : [target.types, target.default])
        expect(existsSync(join(installed, path)), path).toBe(true);
    }
  });

  it('imports from "keepledger" and "keepledger/sdk" in plain JavaScript and works', () => {
    const input = {
      tee: "sgx",
      chainId: 31337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      publicKey: `0x04${"11".repeat(32)}${"22".repeat(32)}`,
      blockHash: `0x${"33".repeat(32)}`,
    } as const;
    writeFileSync(
      join(app, "app.mjs"),
      `import { isAttested, requestAttestation, requestNonce, verifyOffline, keepReportData, attestationRegistryAbi, KeepledgerError, UsageError, AttestationRefusedError } from "keepledger";
import * as sdk from "keepledger/sdk";
const out = {
  functions: [isAttested, requestAttestation, requestNonce, verifyOffline, keepReportData, sdk.isAttested, sdk.requestAttestation].map((f) => typeof f),
  abiHasIsAttested: attestationRegistryAbi.some((i) => i.type === "function" && i.name === "isAttested"),
  refusalIsKeepledgerError: AttestationRefusedError.prototype instanceof KeepledgerError,
  sameSdk: sdk.keepReportData === keepReportData,
  binding: keepReportData(${JSON.stringify(input)}),
};
try {
  await requestAttestation("not a url", new Uint8Array([1]), "0x" + "00".repeat(32), { unbound: true });
} catch (e) {
  out.error = { usage: e instanceof UsageError, keepledger: e instanceof KeepledgerError, code: e.code };
}
console.log(JSON.stringify(out));
`,
    );
    const r = runNode("app.mjs");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      functions: Array(7).fill("function"),
      abiHasIsAttested: true,
      refusalIsKeepledgerError: true,
      sameSdk: true,
      binding: keepReportData(input),
      error: { usage: true, keepledger: true, code: "SDK_REQUEST_INVALID" },
    });
  });

  it('does not import ethers from "keepledger" or "keepledger/sdk" (an optional peer: only "keepledger/ethers" needs it), nor @keepledger/sdk viem', () => {
    /** A specifier of the SDK package → its built file (the published exports), or undefined. */
    const sdkFile = (spec: string): string | undefined => {
      if (spec === "@keepledger/sdk") return join(installedSdk, "dist", "sdk", "index.js");
      if (spec === "@keepledger/sdk/ethers") return join(installedSdk, "dist", "chain", "generated-ethers", "index.js");
      if (spec.startsWith("@keepledger/sdk/internal/"))
        return join(installedSdk, "dist", `${spec.slice("@keepledger/sdk/internal/".length)}.js`);
      return undefined;
    };
    /** The bare specifiers a built module reaches through its relative imports and the SDK package, transitively. */
    const packagesReached = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm)) {
          const spec = (m[1] ?? m[2])!;
          const inSdk = sdkFile(spec);
          if (spec.startsWith(".")) visit(join(file, "..", spec));
          else if (inSdk !== undefined) visit(inSdk);
          else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
        }
      };
      visit(join(installed, entry));
      return packages;
    };
    for (const entry of ["dist/index.js", "dist/sdk/index.js"]) {
      const reached = packagesReached(entry);
      expect(reached.has("viem"), entry).toBe(true);
      expect(reached.has("ethers"), entry).toBe(false);
    }
    expect(packagesReached("dist/sdk/ethers.js").has("ethers")).toBe(true);
    // The light SDK's own entry, built: neither optional peer (the keepledger package keeps viem as its own dependency).
    const light = packagesReached("node_modules/@keepledger/sdk/dist/sdk/index.js");
    expect([...light].filter((p) => p === "viem" || p === "ethers")).toEqual([]);
  });

  it("runs the installed keepledger command from dist/ (no TypeScript sources shipped)", () => {
    expect(existsSync(join(installed, "src"))).toBe(false);
    const bin = join(installed, "bin", "keepledger.mjs");
    const help = spawnSync(process.execPath, [bin, "--help"], { cwd: app, encoding: "utf8" });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^ {2}workload +add \| measure/m);
    const at = expectedOf("tdx", "dcapqvl-tdx").verify_at;
    const verified = spawnSync(
      process.execPath,
      [
        bin,
        "verify",
        fixturePath("tdx", "dcapqvl-tdx", "quote.bin"),
        "--collateral",
        fixturePath("tdx", "dcapqvl-tdx"),
        "--at",
        at,
        "--json",
      ],
      { cwd: app, encoding: "utf8" },
    );
    expect(verified.status, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, tee: "tdx" });
  });

  it("commits an SQLite store's planned writes on its writer thread from dist/ (the worker's entry is built .js)", () => {
    writeFileSync(
      join(app, "store.mjs"),
      `import { openDatabase } from "./node_modules/keepledger/dist/store/openDatabase.js";
const db = openDatabase(${JSON.stringify(join(app, "store.db"))});
await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
await db.commitWrites([{ sql: "INSERT INTO t (id, v) VALUES ($1, $2)", rows: [[1, "a"], [2, "b"]] }]);
console.log(JSON.stringify(await db.query("SELECT id, v FROM t ORDER BY id")));
await db.close();
`,
    );
    const r = runNode("store.mjs");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: 1, v: "a" },
      { id: 2, v: "b" },
    ]);
  });

  it("type checks a TypeScript consumer against the emitted declarations", () => {
    writeFileSync(
      join(app, "consumer.ts"),
      `import { isAttested, requestAttestation, type AttestationResult, type IsAttestedResult } from "keepledger";
import { requestNonce } from "keepledger/sdk";
export async function check(node: string, evidence: Uint8Array): Promise<[IsAttestedResult, AttestationResult]> {
  const nonce = await requestNonce(node);
  const r = await requestAttestation(node, evidence, "0x00", { publicKey: "0x04", freshnessBlock: nonce.blockNumber });
  const tee: "sgx" | "tdx" | "sev-snp" | "nitro" | "debug" | "nvidia-gpu" | "azure-cvm" | "arm-cca" | "cpu-gpu" | undefined = r.verdict?.tee;
  void tee;
  return [await isAttested("http://127.0.0.1:8545", r.verdict!.subject, r.verdict!.workloadId, { registry: "0x0000000000000000000000000000000000000001" }), r];
}
`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", join(app, "tsconfig.json")], { encoding: "utf8" });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
