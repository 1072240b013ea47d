/**
 * A chain for the governance CLI tests: the in-process EDR chain behind the HTTP JSON-RPC bridge,
 * keepledger deployed for development with a one-hour governance delay and a separate governor, funded
 * owner / governor / stranger keys, and a runner that calls the real CLI (main()) in this process and
 * captures what it prints and its exit code.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import { serializeDeployment, type Deployment } from "../../src/chain/deployment.ts";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { main } from "../../src/cli/main.ts";
import { startRpcBridge, type RpcBridge } from "./contracts-rpcBridge.ts";

export const GOVERNANCE_DELAY = 3_600n;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GovernanceChain {
  chain: InProcessChain;
  bridge: RpcBridge;
  deployment: Deployment;
  deploymentFile: string;
  dir: string;
  keys: { owner: Hex; governor: Hex; stranger: Hex };
  addresses: { owner: Address; governor: Address; stranger: Address };
  /** Runs `keepledger <args> --rpc … --deployment …` in this process with these environment variables. */
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>;
  close(): Promise<void>;
}

export async function startGovernanceChain(): Promise<GovernanceChain> {
  const chain = await connectInProcessChain();
  const bridge = await startRpcBridge(chain.provider);
  const keys = { owner: generatePrivateKey(), governor: generatePrivateKey(), stranger: generatePrivateKey() };
  const addresses = {
    owner: privateKeyToAccount(keys.owner).address,
    governor: privateKeyToAccount(keys.governor).address,
    stranger: privateKeyToAccount(keys.stranger).address,
  };
  const funder = chain.walletClient();
  for (const to of Object.values(addresses)) {
    await chain.publicClient.waitForTransactionReceipt({ hash: await funder.sendTransaction({ to, value: parseEther("10") }) });
  }
  const { deployment } = await deployKeepledger(
    { publicClient: chain.publicClient, walletClient: funder },
    { devPoliciesAllowed: true, governor: addresses.governor, governanceDelay: GOVERNANCE_DELAY, policyDelay: 0n },
  );
  const dir = mkdtempSync(join(tmpdir(), "kl-cli-gov-"));
  const deploymentFile = join(dir, "deployment.json");
  writeFileSync(deploymentFile, serializeDeployment(deployment));

  async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true)),
      vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true)),
      vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(`${a.join(" ")}\n`)),
      vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(`${a.join(" ")}\n`)),
    ];
    process.exitCode = 0;
    try {
      await main([...args, "--rpc", bridge.url, "--deployment", deploymentFile]);
    } finally {
      for (const s of spies) s.mockRestore();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, stdout: out.join(""), stderr: err.join("") };
  }

  return {
    chain,
    bridge,
    deployment,
    deploymentFile,
    dir,
    keys,
    addresses,
    cli,
    async close() {
      await bridge.close();
      await chain.close();
    },
  };
}
