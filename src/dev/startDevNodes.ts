/**
 * The dev network's three validator nodes, in this process: each a debug Keep (self-attestation
 * provider `none`: no TEE, INSECURE, development only) under the `debug` logging profile, its store
 * and log file under <data>/node-<i>/, listening on consecutive ports from the first; with a KeyRegistry,
 * each holds a key-service key (bound into its own evidence) and serves key release.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToBytes, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { LoggingProfile } from "@keepledger/sdk/internal/ids/index";
import { parseNodeConfig } from "../node/config/loadNodeConfig.ts";
import { startValidatorNode, type ValidatorNode } from "../node/startValidatorNode.ts";

/** The dev validators' logging profile: debug writes everything, which is what a developer wants. */
export const DEV_LOGGING_PROFILE: LoggingProfile = "debug";

export interface DevValidatorKey {
  address: Address;
  privateKey: Hex;
  port: number;
  url: string;
}

/** Throw-away keys derived from public labels: anyone can recompute them, never use them elsewhere. */
export function devValidatorKeys(count: number, host: string, firstPort: number): DevValidatorKey[] {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = keccak256(stringToBytes(`keepledger.dev.validator.${i}`));
    const port = firstPort + i;
    return { address: privateKeyToAccount(privateKey).address, privateKey, port, url: `http://${host}:${port}` };
  });
}

export interface DevNode {
  node: ValidatorNode;
  url: string;
  address: Address;
  logFile: string;
  log: WriteStream;
}

export interface StartDevNodesOptions {
  dataDir: string;
  host: string;
  rpcUrl: string;
  deploymentFile: string;
  keys: readonly DevValidatorKey[];
  /** The deployment's KeyRegistry: the nodes serve key release (receipts committed every second). */
  keyRegistry?: Address;
}

/** How often the dev nodes commit release receipts: the demo release is on-chain within a second or two. */
export const DEV_RECEIPT_INTERVAL_MS = 1_000;

export async function startDevNodes(o: StartDevNodesOptions): Promise<DevNode[]> {
  return Promise.all(
    o.keys.map(async (key, index) => {
      const dir = join(o.dataDir, `node-${index}`);
      mkdirSync(dir, { recursive: true });
      const config = parseNodeConfig(
        {
          rpcUrl: o.rpcUrl,
          deployment: o.deploymentFile,
          signer: { privateKeyEnv: "KEEPLEDGER_VALIDATOR_KEY" },
          listen: `${o.host}:${key.port}`,
          publicUrl: key.url,
          dataDir: dir,
          loggingProfile: DEV_LOGGING_PROFILE,
          selfAttestation: { provider: "none" },
          // UNSAFE, dev network only: the seeded SEV-SNP vector (go-sev-guest's Milan debug report) comes with
          // no AMD Milan CRL, and the dev network is offline, so its ASK is checked without one.
          collateral: { dangerouslyAllowMissingAmdCrl: true },
          confirmations: 1,
          chainPollMs: 200,
          peers: { timeoutMs: 10_000, hedgeAfterMs: 1_500, maxIssuedAtSkewSeconds: 120 },
          limits: { maxBodyBytes: 1 << 20, peerMaxBodyBytes: 64 << 20, requestsPerMinute: 100_000 },
          shutdownTimeoutMs: 5_000,
          ...(o.keyRegistry
            ? { keyService: { registry: o.keyRegistry, receiptIntervalMs: DEV_RECEIPT_INTERVAL_MS, maxRequestAgeBlocks: 64 } }
            : {}),
        },
        { source: `dev node ${index}`, baseDir: dir },
      );
      const logFile = join(dir, "node.log");
      const log = createWriteStream(logFile, { flags: "a" });
      const node = await startValidatorNode({ config, env: { KEEPLEDGER_VALIDATOR_KEY: key.privateKey }, logDestination: log });
      return { node, url: key.url, address: node.address, logFile, log };
    }),
  );
}

export async function stopDevNodes(nodes: readonly DevNode[]): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n.node.stop()));
  await Promise.all(nodes.map((n) => new Promise<void>((resolve) => n.log.end(() => resolve()))));
}
