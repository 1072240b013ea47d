/**
 * The light SDK package as a dApp installs it, measured: `npm pack -w @keepledger/sdk` (prepack builds
 * dist/ and swaps in the published manifest, postpack restores the repository's), then the tarball
 * installed into a scratch project outside the repository with `npm install --legacy-peer-deps`: its
 * dependencies are installed, its peers (viem; ethers, optional) are not — they are the dApp's own.
 * Dependencies come from the npm registry through the local npm cache (--prefer-offline). Every byte of
 * every file under the scratch node_modules counts; the budget is 5 MB (issue 15, "A light SDK").
 * Then plain Node (no type stripping) imports the installed package with neither viem nor ethers
 * present (both optional peers) and asks a real chain (anvil, a fresh keepledger deployment) isAttested
 * through a JSON-RPC URL: the answer must be the contract's own; only "@keepledger/sdk/ethers" needs ethers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { attestationRegistryAbi, keepReportData } from "@keepledger/sdk";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import { ANVIL_DEPLOYER_KEY, startAnvil } from "../node/support/anvil.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const BUDGET_BYTES = 5_000_000;
/** What the light package exists to leave out (the keepledger package's runtime dependencies). */
const NEVER_INSTALLED = ["hardhat", "graphql-yoga", "graphql", "pg", "pino", "prom-client", "@peculiar/x509", "cbor-x", "zod", "commander"];

let scratch: string;
let packed: { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes of the regular files under `dir` (symlinks not followed: npm's .bin links are not content). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** The installed packages (name → bytes), scoped ones by their full name, nested ones included. */
function packagesUnder(nodeModules: string, out = new Map<string, number>()): Map<string, number> {
  for (const name of readdirSync(nodeModules)) {
    if (name.startsWith(".")) continue;
    const names = name.startsWith("@") ? readdirSync(join(nodeModules, name)).map((n) => `${name}/${n}`) : [name];
    for (const pkg of names) {
      const dir = join(nodeModules, pkg);
      out.set(pkg, (out.get(pkg) ?? 0) + bytesUnder(dir));
      if (existsSync(join(dir, "node_modules"))) packagesUnder(join(dir, "node_modules"), out);
    }
  }
  return out;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "kl-sdk-size-"));
  const out = run("npm", ["pack", "-w", "@keepledger/sdk", "--pack-destination", scratch, "--json"], ROOT);
  packed = (JSON.parse(out.slice(out.indexOf("["))) as (typeof packed)[])[0]!;
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "sdk-size-probe", private: true, type: "module" }));
  run(
    "npm",
    ["install", "--prefer-offline", "--legacy-peer-deps", "--no-audit", "--no-fund", "--no-package-lock", join(scratch, packed.filename)],
    scratch,
  );
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the @keepledger/sdk package", () => {
  it("packs the compiled SDK and restores the repository's manifest", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain("dist/sdk/index.js");
    expect(paths).toContain("dist/sdk/index.d.ts");
    expect(paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
    expect(existsSync(join(ROOT, "packages", "sdk", "package.json.repo"))).toBe(false);
    const repo = JSON.parse(readFileSync(join(ROOT, "packages", "sdk", "package.json"), "utf8")) as { exports: Record<string, string> };
    expect(repo.exports["."]).toBe("./src/sdk/index.ts");
  });

  it("installs in at most 5 MB with its non-peer dependencies", () => {
    const nodeModules = join(scratch, "node_modules");
    const packages = packagesUnder(nodeModules);
    const total =
      bytesUnder(nodeModules) -
      (existsSync(join(nodeModules, ".package-lock.json")) ? lstatSync(join(nodeModules, ".package-lock.json")).size : 0);
    console.info(
      `@keepledger/sdk installed: ${mb(total)} (${[...packages].map(([name, bytes]) => `${name} ${mb(bytes)}`).join(", ")}); ` +
        `tarball ${mb(packed.size)}, unpacked ${mb(packed.unpackedSize)}`,
    );
    expect(packages.has("@keepledger/sdk")).toBe(true);
    expect(NEVER_INSTALLED.filter((name) => packages.has(name))).toEqual([]);
    // Peers are the dApp's: not installed with the package.
    expect(packages.has("viem")).toBe(false);
    expect(packages.has("ethers")).toBe(false);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("works in plain Node with neither viem nor ethers: isAttested through a URL answers as the contract does", async () => {
    const anvil = await startAnvil();
    try {
      await plainNodeRun(anvil.url);
    } finally {
      await anvil.stop();
    }
  }, 120_000);
});

async function plainNodeRun(rpcUrl: string): Promise<void> {
  const publicClient = createPublicClient({ chain: foundry, transport: http(rpcUrl) });
  const walletClient = createWalletClient({ chain: foundry, transport: http(rpcUrl), account: privateKeyToAccount(ANVIL_DEPLOYER_KEY) });
  const { deployment } = await deployKeepledger({ publicClient, walletClient }, { devPoliciesAllowed: true });
  const registry = deployment.contracts.attestationRegistry;
  const subject = "0x000000000000000000000000000000000000dEaD";
  const workloadId = `0x${"ab".repeat(32)}` as const;
  const [ok, verdictId, expiresAt] = await publicClient.readContract({
    address: registry,
    abi: attestationRegistryAbi,
    functionName: "isAttested",
    args: [subject, workloadId],
  });
  const input = {
    tee: "sgx",
    chainId: 31337,
    registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    publicKey: `0x04${"11".repeat(32)}${"22".repeat(32)}`,
    blockHash: `0x${"33".repeat(32)}`,
  } as const;
  writeFileSync(
    join(scratch, "app.mjs"),
    `import { isAttested, requestAttestation, requestNonce, keepReportData, attestationRegistryAbi, KeepledgerError, UsageError } from "@keepledger/sdk";
const onChain = await isAttested(${JSON.stringify(rpcUrl)}, ${JSON.stringify(subject)}, ${JSON.stringify(workloadId)}, { registry: ${JSON.stringify(registry)} });
const wrongChain = await isAttested(${JSON.stringify(rpcUrl)}, ${JSON.stringify(subject)}, ${JSON.stringify(workloadId)}, {
  deployment: { chainId: 1, contracts: { attestationRegistry: ${JSON.stringify(registry)} } },
}).catch((e) => e.code);
const out = {
  isAttested: { ok: onChain.ok, verdictId: onChain.verdictId, expiresAt: onChain.expiresAt.getTime() },
  wrongChain,
  peers: await Promise.all(["viem", "ethers"].map((p) => import(p).then(() => "installed", (e) => e.code))),
  functions: [isAttested, requestAttestation, requestNonce, keepReportData].map((f) => typeof f),
  abiHasIsAttested: attestationRegistryAbi.some((i) => i.type === "function" && i.name === "isAttested"),
  binding: keepReportData(${JSON.stringify(input)}),
};
try {
  await requestAttestation("not a url", new Uint8Array([1]), "0x" + "00".repeat(32), { unbound: true });
} catch (e) {
  out.error = { usage: e instanceof UsageError, keepledger: e instanceof KeepledgerError, code: e.code };
}
out.ethers = await import("@keepledger/sdk/ethers").then(() => "loaded", (e) => e.code);
console.log(JSON.stringify(out));
`,
  );
  const r = spawnSync(process.execPath, ["--no-experimental-strip-types", "app.mjs"], { cwd: scratch, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    isAttested: { ok, verdictId, expiresAt: Number(expiresAt) * 1000 },
    wrongChain: "SDK_REGISTRY_UNKNOWN",
    peers: ["ERR_MODULE_NOT_FOUND", "ERR_MODULE_NOT_FOUND"],
    functions: Array(4).fill("function"),
    abiHasIsAttested: true,
    binding: keepReportData(input),
    error: { usage: true, keepledger: true, code: "SDK_REQUEST_INVALID" },
    // The ethers factories need the optional peer; the entry above never asked for it.
    ethers: "ERR_MODULE_NOT_FOUND",
  });
}
