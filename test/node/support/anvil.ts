/**
 * Anvil (Foundry's JSON-RPC node, from the npm package @foundry-rs/anvil-linux-amd64) as a separate
 * process, for tests and benchmarks where validator nodes are processes of their own or the chain must
 * run while the test process is busy. Its clock can start at a given time (the real vectors' window).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";

export interface Anvil {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  /** Unix seconds of the genesis block (the chain's clock starts there). */
  timestamp?: number;
  /** Seconds between interval blocks; transactions are still mined at once (mixed mining). Default 1. */
  blockTime?: number;
  chainId?: number;
  port?: number;
}

export function anvilPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const port = options.port ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--silent",
    "--accounts",
    "10",
    "--chain-id",
    String(options.chainId ?? 31337),
  ];
  args.push("--block-time", String(options.blockTime ?? 1), "--mixed-mining");
  if (options.timestamp !== undefined) args.push("--timestamp", String(options.timestamp));
  const child = spawn(anvilPath(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr}`);
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`anvil did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The well-known first anvil/Hardhat development account (funded at genesis). */
export const ANVIL_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;
