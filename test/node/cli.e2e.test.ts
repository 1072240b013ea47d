/**
 * `keepledger submit` against a running network: bound debug-Keep evidence from a file finalizes and is
 * printed; a refusal prints its code and exits 1; `keepledger node` refuses a bad configuration with a
 * message per field and exit code 2.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSubmit } from "../../src/cli/commands/submit.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

/** Runs the CLI as a process; asynchronously, since the nodes it talks to run in this process. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin", "keepledger.mjs"), ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("keepledger submit and keepledger node", () => {
  let net: NodeNetwork;
  const dir = mkdtempSync(join(tmpdir(), "kl-cli-"));
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => net?.stop());

  it("posts bound evidence from a file, waits, and prints the finalized verdict", async () => {
    const keep = await net.debugKeep(net.nodes[0]!.url);
    const file = join(dir, "evidence.bin");
    writeFileSync(file, Buffer.from(keep.body.evidence, "base64"));
    const keyFile = join(dir, "key.hex");
    writeFileSync(keyFile, `${keep.body.publicKey}\n`);
    const r = await cli([
      "submit",
      file,
      "--workload",
      net.workloadId,
      "--node",
      net.nodes[0]!.url,
      "--key",
      keyFile,
      "--freshness-block",
      String(keep.body.freshnessBlock),
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as { status: string; verdict: { subject: string }; txHash: string };
    expect(view).toMatchObject({ status: "finalized", verdict: { subject: keep.subject }, txHash: expect.stringMatching(/^0x/) });
    expect((await net.client.isAttested(keep.subject, net.workloadId)).ok).toBe(true);
  });

  it("prints a refusal with its code and exits 1", async () => {
    const keep = await net.debugKeep(net.nodes[1]!.url);
    const file = join(dir, "evidence.b64");
    writeFileSync(file, keep.body.evidence); // base64 text is accepted as well
    const other = await net.debugKeep(net.nodes[1]!.url);
    const r = await cli([
      "submit",
      file,
      "--workload",
      net.workloadId,
      "--node",
      net.nodes[1]!.url,
      "--key",
      other.body.publicKey,
      "--freshness-block",
      String(keep.body.freshnessBlock),
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("rejected: request 0x");
    expect(r.stdout).toContain("error POLICY_BINDING_MISMATCH: the evidence does not bind this key, chain, registry and block");
  });

  it.each([
    {
      name: "a key without its freshness block",
      opts: { key: "0x04" + "11".repeat(64) },
      message: '--freshness-block must be the number of the block the evidence binds (from GET /v1/nonce), got ""',
    },
    {
      name: "neither a key nor --unbound",
      opts: {},
      message: "--key is required (or --unbound, for dev policies that accept unbound evidence)",
    },
    {
      name: "a malformed workload id",
      opts: { workload: "0x12", unbound: true },
      message: '--workload must be a workload id (0x + 64 hex digits), got "0x12"',
    },
  ])("refuses $name before sending anything", async ({ opts, message }) => {
    const file = join(dir, "any.bin");
    writeFileSync(file, Buffer.from([1, 2, 3]));
    await expect(runSubmit(file, { workload: net.workloadId, node: net.nodes[0]!.url, ...opts })).rejects.toMatchObject({
      code: "CLI_BAD_OPTION",
      shortMessage: message,
    });
  });

  it("`keepledger node` names every bad configuration field and exits 2", async () => {
    const config = join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ rpcUrl: "localhost", listen: 7101 }));
    const r = await cli(["node", "--config", config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error NODE_CONFIG_INVALID:");
    expect(r.stderr).toContain("rpcUrl: expected the chain's JSON-RPC URL (http:// or https://)");
    expect(r.stderr).toContain('listen: expected "host:port"');
    expect(r.stderr).toContain("signer: required:");
  });
});
