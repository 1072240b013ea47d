/**
 * `keepledger key create|list|release|rotate|retire` as processes against a 3-validator network (anvil,
 * nodes in this process): the owner creates a key from a secret file, a debug Keep with a live verdict
 * releases it to a file, rotation records version 2, retirement stops releases of version 1.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Address, type Hex } from "viem";
import { deployKeyRegistry } from "../../src/chain/keyRegistry.ts";
import { ANVIL_DEPLOYER_KEY } from "./support/anvil.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

let net: NodeNetwork;
let keyRegistry: Address;
const dir = mkdtempSync(join(tmpdir(), "keepledger-key-cli-"));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin", "keepledger.mjs"), ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  net = await startNodeNetwork({ validatorWorkload: false });
  keyRegistry = (await deployKeyRegistry(net.clients, net.deployment)).address;
  for (const n of net.nodes) n.config.keyService = { registry: keyRegistry, receiptIntervalMs: 3_600_000, maxRequestAgeBlocks: 64 };
  for (let i = 0; i < 3; i++) await net.startNode(i);
}, 120_000);
afterAll(async () => net?.stop());

describe("keepledger key", () => {
  it("creates, lists, releases to a live Keep, rotates and retires", async () => {
    const chain = ["--rpc", net.anvil.url, "--deployment", join(net.dir, "deployment.json"), "--registry", keyRegistry];
    // The network's deployer registered (and owns) the app workload.
    const owner = { KEEPLEDGER_OWNER_KEY: ANVIL_DEPLOYER_KEY };
    const secretFile = join(dir, "secret.bin");
    writeFileSync(secretFile, Buffer.from("a 32-byte data key for the demo!"));
    const created = await cli(
      [
        "key",
        "create",
        net.workloadId,
        "cli key",
        "--threshold",
        "2",
        "--secret-file",
        secretFile,
        "--allow-debug",
        "--dangerously-allow-unattested-key-service",
        "--json",
        ...chain,
      ],
      owner,
    );
    expect(created.code, created.stderr + created.stdout).toBe(0);
    const { keyId } = JSON.parse(created.stdout) as { keyId: Hex };

    const listed = await cli(["key", "list", "--json", ...chain]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      keys: [
        {
          keyId,
          name: "cli key",
          versions: [{ version: 1, threshold: 2, liveShareholders: 3, retired: false, belowThreshold: false, atRisk: false }],
        },
      ],
    });

    const keep = await net.debugKeep(net.nodes[0]!.url);
    const posted = await net.post(net.nodes[0]!.url, keep.body);
    await net.waitSettled(net.nodes[0]!.url, posted.json.verdictId as Hex);
    const out = join(dir, "released.bin");
    const released = await cli(["key", "release", keyId, "--node", net.nodes[0]!.url, "--out", out, "--json", ...chain], {
      KEEPLEDGER_KEEP_KEY: keep.privateKey,
    });
    expect(released.code, released.stderr + released.stdout).toBe(0);
    expect(readFileSync(out).toString()).toBe("a 32-byte data key for the demo!");

    const retired = await cli(["key", "retire", keyId, "1", "--json", ...chain], owner);
    expect(retired.code, retired.stderr).toBe(0);
    const refused = await cli(["key", "release", keyId, "--node", net.nodes[0]!.url, "--out", join(dir, "no.bin"), "--json", ...chain], {
      KEEPLEDGER_KEEP_KEY: keep.privateKey,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain("KEY_TOO_FEW_SHARES");

    const rotated = await cli(
      [
        "key",
        "rotate",
        keyId,
        "--threshold",
        "2",
        "--secret-out",
        join(dir, "v2.bin"),

        "--dangerously-allow-unattested-key-service",
        "--json",
        ...chain,
      ],
      owner,
    );
    expect(rotated.code, rotated.stderr + rotated.stdout).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ keyId, version: 2 });
    const again = await cli(
      ["key", "release", keyId, "--node", net.nodes[0]!.url, "--out", join(dir, "v2-released.bin"), "--json", ...chain],
      {
        KEEPLEDGER_KEEP_KEY: keep.privateKey,
      },
    );
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(readFileSync(join(dir, "v2-released.bin"))).toEqual(readFileSync(join(dir, "v2.bin")));
  }, 120_000);
});
