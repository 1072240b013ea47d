/**
 * The registry commands as a user runs them, in child processes against a JSON-RPC endpoint:
 * `keepledger index --once`, `keepledger query --database`, `keepledger index --serve` with
 * `keepledger query --url`, and `keepledger audit`'s usage errors.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeDeployment } from "../../src/chain/deployment.ts";
import { startRpcBridge, type RpcBridge } from "../support/contracts-rpcBridge.ts";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;

let bed: Testbed;
let bridge: RpcBridge;
let dir: string;
let deploymentFile: string;

/** Runs the CLI without blocking this process, which serves the JSON-RPC endpoint the CLI talks to. */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  bed = await startTestbed();
  const v = await bed.verdict(bed.stranger);
  await bed.client.finalizeVerdict(v, await bed.sign(v));
  bridge = await startRpcBridge(bed.chain.provider);
  dir = mkdtempSync(join(tmpdir(), "keepledger-registry-cli-"));
  deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, serializeDeployment(bed.deployment));
});
afterAll(async () => {
  await bridge.close();
  await bed.close();
});

describe("keepledger index / query / serve / audit", () => {
  it("indexes once into a SQLite file and answers queries from it", async () => {
    const database = join(dir, "registry.db");
    const indexed = await cli("index", "--once", "--rpc", bridge.url, "--deployment", deploymentFile, "--database", database);
    expect(indexed.code, indexed.stderr).toBe(0);
    expect(indexed.stderr).toMatch(/indexed up to block \d+ into sqlite /);
    const q = await cli("query", "{ workloads { name } verdicts { subject status } }", "--database", database);
    expect(q.code, q.stdout).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual({
      data: { workloads: [{ name: "app" }], verdicts: [{ subject: bed.stranger.toLowerCase(), status: "FINALIZED" }] },
    });
    const bad = await cli("query", "{ verdicts(first: 5000) { id } }", "--database", database);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).errors[0].extensions.code).toBe("PAGE_TOO_LARGE");
  });

  it("follows the chain and serves the API with --serve; query --url asks it", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "index", "--rpc", bridge.url, "--deployment", deploymentFile, "--database", join(dir, "served.db"), "--serve", "127.0.0.1:0"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no API URL in: ${stderr}`)), 30_000);
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /GraphQL API at (\S+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      let answer: { data?: { workloads: unknown[] } } = {};
      for (let i = 0; i < 50 && !answer.data; i++) {
        const q = await cli("query", "--url", url, "query($n: Int!) { workloads(first: $n) { name } }", "--var", "n=5");
        answer = JSON.parse(q.stdout) as typeof answer;
        if (!answer.data) await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer.data?.workloads).toEqual([{ name: "app" }]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    expect(child.exitCode === 0 || child.signalCode === "SIGTERM").toBe(true);
  });

  it("answers audit usage errors with exit status 2", async () => {
    const malformed = await cli(
      "audit",
      "0x1234",
      "--rpc",
      bridge.url,
      "--deployment",
      deploymentFile,
      "--database",
      join(dir, "registry.db"),
      "--json",
    );
    expect(malformed.code).toBe(2);
    expect(JSON.parse(malformed.stdout)).toMatchObject({ ok: false, error: { code: "AUDIT_VERDICT_ID" } });
    const missing = await cli("audit", `0x${"ab".repeat(32)}`, "--rpc", bridge.url, "--deployment", join(dir, "none.json"));
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("CHAIN_DEPLOYMENT_FILE");
  });
});
