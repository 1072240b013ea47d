/**
 * `npx keepledger dev` from the published package, as a user gets it: `npm pack` (prepack builds dist/),
 * the tarball installed with `npm install <tgz>` into a scratch project outside the repository (with the
 * tarball of its dependency @keepledger/sdk, packed from packages/sdk the same way), and the
 * installed command started there (cwd = the scratch project, so neither test/fixtures nor src/ is
 * reachable) on free ports. It must seed the real SGX, TDX and SEV-SNP vectors from the copies shipped in
 * data/dev-vectors, answer GraphQL with their verdicts, and stop on SIGINT.
 *
 * Dependencies come from the npm registry through the local npm cache (--prefer-offline: after the first
 * run nothing is downloaded). Two things the package does not carry are supplied as the repository gets
 * them: EDR's native binary for this platform (this registry lacks EDR's other-platform packages and npm
 * then installs none of them, so the repository lists its own as a devDependency; the scratch install
 * names the same one), and Node >= 22.13 (the bin needs it; on an older Node the test runs it with the
 * repository's npm `node` package, which is a devDependency of keepledger, not installed with it).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_VECTOR_SETS } from "../../src/dev/demoVectors.ts";
import { devPortArgs, freeDevPorts } from "./support/devPorts.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
let scratch: string;
let app: string;
let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
let child: ChildProcess | undefined;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The EDR native packages the repository itself installed (its own platform's, @nomicfoundation/edr-<platform>). */
function edrNativePackages(): string[] {
  const dir = join(ROOT, "node_modules", "@nomicfoundation");
  return readdirSync(dir)
    .filter((d) => /^edr-.+/.test(d))
    .map((d) => `@nomicfoundation/${d}@${(JSON.parse(readFileSync(join(dir, d, "package.json"), "utf8")) as { version: string }).version}`);
}

/** A Node that runs keepledger (>= 22.13): this one, or the repository's npm `node` package. */
function modernNode(): string {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 13) ? process.execPath : join(ROOT, "node_modules", "node", "bin", "node");
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "kl-packed-dev-"));
  let t = Date.now();
  packed = (JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT)) as (typeof packed)[])[0]!;
  // keepledger depends on @keepledger/sdk, this repository's other package: packed and installed beside it.
  const sdkOut = run("npm", ["pack", "-w", "@keepledger/sdk", "--json", "--pack-destination", scratch], ROOT);
  const sdk = (JSON.parse(sdkOut.slice(sdkOut.indexOf("["))) as (typeof packed)[])[0]!;
  const packMs = Date.now() - t;
  app = join(scratch, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true }));
  t = Date.now();
  run(
    "npm",
    [
      "install",
      join(scratch, sdk.filename),
      join(scratch, packed.filename),
      ...edrNativePackages(),
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel",
      "error",
    ],
    app,
  );
  console.info(
    `npm pack ${packMs} ms (${packed.size} B packed, ${packed.unpackedSize} B unpacked, ${packed.entryCount} files); npm install ${Date.now() - t} ms`,
  );
}, 420_000); // two packages packed (each prepack compiles the SDK), then installed from the npm cache

// Removing the scratch install (a whole node_modules) took over vitest's default 10 s on a loaded machine.
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe("keepledger dev from the packed package", () => {
  it("ships the dev vectors and no tests or sources, at a reasonable size", () => {
    const paths = packed.files.map((f) => f.path);
    for (const set of DEV_VECTOR_SETS) {
      const shipped = paths.filter((p) => p.startsWith(`data/dev-vectors/${set}/`)).map((p) => p.slice(`data/dev-vectors/${set}/`.length));
      expect(shipped.sort(), set).toEqual(readdirSync(join(ROOT, "data", "dev-vectors", set)).sort());
    }
    expect(paths.filter((p) => /^(test|src)\//.test(p))).toEqual([]);
    expect(packed.size).toBeLessThan(1_000_000);
    const installed = join(app, "node_modules", "keepledger");
    expect(existsSync(join(installed, "data", "dev-vectors", "README.md"))).toBe(true);
    expect(existsSync(join(installed, "test"))).toBe(false);
    // The explorer ships built (prepack), its sources do not.
    expect(paths.filter((p) => p.startsWith("dist/explorer/")).sort()).toEqual([
      "dist/explorer/app.js",
      "dist/explorer/index.html",
      "dist/explorer/style.css",
    ]);
    expect(paths.filter((p) => p.startsWith("explorer/"))).toEqual([]);
  });

  it("runs the installed keepledger dev from a scratch project: seeded from data/dev-vectors, answers GraphQL, stops on SIGINT", async () => {
    const ports = await freeDevPorts();
    const t0 = Date.now();
    child = spawn(modernNode(), [join(app, "node_modules", ".bin", "keepledger"), "dev", "--json", ...devPortArgs(ports)], {
      cwd: app,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    const jsonLine = () => out.split("\n").find((l) => l.startsWith("{"));
    while (jsonLine() === undefined) {
      if (child.exitCode !== null) throw new Error(`keepledger dev exited with ${child.exitCode}:\n${out}\n${err}`);
      if (Date.now() - t0 > 40_000) throw new Error(`keepledger dev not ready in 40 s:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = JSON.parse(jsonLine()!) as {
      startupMs: number;
      dataDir: string;
      graphqlUrl: string;
      seeded: { workload: string; tee: string; tcbStatus: string; verdictId: string; source: string }[];
      queries: { query: string }[];
    };
    console.info(`installed keepledger dev ready ${Date.now() - t0} ms after spawn (${ready.startupMs} ms inside the command)`);
    expect(ready.dataDir).toBe(join(app, ".keepledger", "dev"));
    expect(ready.graphqlUrl).toBe(`http://127.0.0.1:${ports.graphql}/graphql`);
    expect(ready.seeded.filter((s) => s.tee !== "debug").map((s) => [s.workload, s.tcbStatus, s.source])).toEqual([
      ["demo-sgx-enclave", "ConfigurationAndSWHardeningNeeded", "data/dev-vectors/sgx/dcapqvl-sgx"],
      ["demo-tdx-vm", "UpToDate", "data/dev-vectors/tdx/dcapqvl-tdx"],
      ["demo-snp-vm", "NotApplicable", "data/dev-vectors/sev-snp/go-sev-guest-milan-debug"],
      ["demo-cca-realm", "NotApplicable", "data/dev-vectors/arm-cca/tfm-tools-example-ffm00-tag399"],
      ["demo-gpu", "NotApplicable", "data/dev-vectors/cpu-gpu/keepledger-test-tdx-gh100"],
      ["demo-cpu-gpu-vm", "UpToDate", "data/dev-vectors/cpu-gpu/keepledger-test-tdx-gh100"],
    ]);

    // The printed auditor query finds the seeded verdicts, finalized, with their evidence.
    const r = await fetch(ready.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: ready.queries[0]!.query }),
    });
    const body = (await r.json()) as {
      data?: {
        workloads: {
          name: string;
          verdicts: { id: string; tee: string; tcbStatus: string; status: string; evidence: { available: boolean } }[];
        }[];
      };
      errors?: unknown;
    };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const byName = Object.fromEntries(body.data!.workloads.map((w) => [w.name, w.verdicts]));
    for (const s of ready.seeded) {
      // demo-debug-keep also holds the verdict of the Keep the demo key was released to.
      expect(byName[s.workload], s.workload).toHaveLength(s.workload === "demo-debug-keep" ? 2 : 1);
      expect(byName[s.workload], s.workload).toContainEqual(
        expect.objectContaining({ id: s.verdictId.toLowerCase(), tee: s.tee, tcbStatus: s.tcbStatus, status: "FINALIZED" }),
      );
    }
    for (const w of ["demo-sgx-enclave", "demo-tdx-vm", "demo-snp-vm", "demo-cca-realm", "demo-gpu", "demo-cpu-gpu-vm"])
      expect(byName[w]![0]!.evidence.available, w).toBe(true);

    // The registry explorer, from the installed package's dist/explorer.
    const explorer = await fetch(ready.graphqlUrl.replace(/graphql$/, "explorer/"));
    expect(explorer.status).toBe(200);
    expect(await explorer.text()).toContain('<script type="module" src="app.js">');
    expect((await fetch(ready.graphqlUrl.replace(/graphql$/, "explorer/app.js"))).headers.get("content-type")).toContain("javascript");

    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000))]);
    expect(code, `did not stop within 15 s after SIGINT:\n${err}`).toBe(0);
    expect(err).toMatch(/^stopped$/m);
  }, 60_000);
});
