/**
 * A whole validator network for end-to-end tests and the node benchmark: anvil as the chain (a process of
 * its own, its clock optionally inside the real vectors' window), keepledger deployed for development, a
 * workload "app" with debug and real-vector measurements under a dev policy, a designated validator
 * workload (debug measurement of the `none` provider), n bootstrapped validators with threshold k, and
 * the validator nodes — in this process or as `keepledger node` processes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  keccak256,
  parseEther,
  stringToBytes,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { deployAttestationRequests } from "../../../src/chain/attestationRequests.ts";
import { deployKeepledger } from "../../../src/chain/deployKeepledger.ts";
import { writeDeployment, type Deployment } from "../../../src/chain/deployment.ts";
import { keepledgerClient, type KeepledgerClient } from "../../../src/chain/keepledgerClient.ts";
import { defaultPolicy, type WorkloadPolicy } from "../../../src/policy/types.ts";
import type { ChainClients } from "../../../src/chain/transactions.ts";
import { bootstrapValidator, setThreshold, setValidatorWorkload } from "../../../src/chain/validators.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../../src/chain/workloads.ts";
import { devAccounts } from "../../../src/dev/devAccounts.ts";
import { createDebugEvidence } from "../../../src/tee/debug/createDebugEvidence.ts";
import { bindingHash, publicKey64, type LoggingProfile } from "@keepledger/sdk/internal/ids/index";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { parseNodeConfig, type NodeConfig } from "../../../src/node/config/loadNodeConfig.ts";
import { DEFAULT_VALIDATOR_DEBUG_MEASUREMENT } from "../../../src/node/selfAttestation/noneProvider.ts";
import { startValidatorNode, type StartValidatorNodeOptions, type ValidatorNode } from "../../../src/node/startValidatorNode.ts";
import { expectedOf } from "../../support/fixtures.ts";
import { ANVIL_DEPLOYER_KEY, freePort, startAnvil, type Anvil } from "./anvil.ts";
import { startTcpProxy, type TcpProxy } from "./tcpProxy.ts";

export const APP_DEBUG_MEASUREMENT: Hex = keccak256(stringToBytes("app debug build"));
/** 2025-07-01T00:00:00Z: inside the sgx/dcapqvl-sgx, tdx/dcapqvl-tdx and sev-snp/go-sev-guest-milan-debug windows. */
export const VECTOR_TIME = Date.UTC(2025, 6, 1) / 1000;

export interface NodeNetworkOptions {
  validators?: number;
  threshold?: number;
  /** Genesis time of the chain (unix seconds); default: now. */
  chainTimestamp?: number;
  blockTime?: number;
  batch?: { enabled: boolean; maxItems?: number; maxWaitMs?: number };
  loggingProfile?: LoggingProfile;
  /** Changes to the app workload's dev policy. */
  policy?: Partial<WorkloadPolicy>;
  /** Designate a validator workload so that nodes attest themselves (default true). */
  validatorWorkload?: boolean;
  /** Put an RPC proxy between the nodes and the chain (for outage tests). */
  rpcProxy?: boolean;
  store?: (index: number) => string | undefined;
  confirmations?: number;
  /** Node config fields to override, per node. */
  nodeConfig?: (index: number) => Record<string, unknown>;
  /** Deploy an AttestationRequests contract and have the nodes follow it. */
  onchainRequests?: boolean;
}

export interface NetworkNode {
  index: number;
  account: PrivateKeyAccount;
  privateKey: Hex;
  port: number;
  url: string;
  configPath: string;
  config: NodeConfig;
  env: Record<string, string>;
  /** In-process node, when started that way. */
  node?: ValidatorNode;
  /** Child process, when started that way. */
  child?: ChildProcess;
  /** Log lines written by the node. */
  logs: string[];
  logFile: string;
}

export interface NodeNetwork {
  anvil: Anvil;
  proxy?: TcpProxy;
  dir: string;
  deployment: Deployment;
  publicClient: PublicClient<Transport, Chain>;
  clients: ChainClients;
  client: KeepledgerClient;
  workloadId: Hex;
  validatorWorkloadId?: Hex;
  /** The AttestationRequests contract, when deployed. */
  attestationRequests?: Address;
  nodes: NetworkNode[];
  startNode(index: number, options?: Partial<StartValidatorNodeOptions>): Promise<ValidatorNode>;
  /**
   * Starts node `index` as a `keepledger node` process; `entry` replaces `bin/keepledger.mjs node` (the
   * benchmark's test-root node, bench/support/benchNode.ts: the script and its arguments before --config).
   */
  startNodeProcess(index: number, entry?: readonly string[]): Promise<ChildProcess>;
  stopNode(index: number): Promise<void>;
  /** Debug Keep evidence bound to a fresh nonce from `nodeUrl`, for a new (or given) key. */
  debugKeep(
    nodeUrl: string,
    options?: { privateKey?: Hex; measurement?: Hex; context?: Hex; blockNumber?: bigint; chainId?: number; registry?: Address },
  ): Promise<DebugKeepSubmission>;
  post(nodeUrl: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Polls a node until the verdict (or request) is finalized or rejected. */
  waitSettled(nodeUrl: string, id: Hex, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface DebugKeepSubmission {
  privateKey: Hex;
  body: { workloadId: Hex; evidence: string; publicKey: Hex; freshnessBlock: number };
  subject: Address;
}

export async function startNodeNetwork(options: NodeNetworkOptions = {}): Promise<NodeNetwork> {
  const n = options.validators ?? 3;
  const k = options.threshold ?? 2;
  const anvil = await startAnvil({
    ...(options.chainTimestamp !== undefined ? { timestamp: options.chainTimestamp } : {}),
    blockTime: options.blockTime ?? 1,
  });
  const proxy = options.rpcProxy ? await startTcpProxy({ host: "127.0.0.1", port: anvil.port }, await freePort()) : undefined;
  const chain = defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [anvil.url] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(anvil.url, { retryCount: 0 }), pollingInterval: 100 });
  const deployer = privateKeyToAccount(ANVIL_DEPLOYER_KEY);
  const clients: ChainClients = {
    publicClient,
    walletClient: createWalletClient({ chain, transport: http(anvil.url), account: deployer }),
  };
  const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
  const client = keepledgerClient(clients, deployment);

  const { workloadId } = await registerWorkload(clients, deployment, "app", "");
  const policy: WorkloadPolicy = {
    ...defaultPolicy(),
    allowedTees: ["sgx", "tdx", "sev-snp", "nitro", "debug"],
    acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded", "ConfigurationAndSWHardeningNeeded", "NotApplicable"],
    dev: true,
    allowUnboundEvidence: true,
    maxEvidenceAge: 3_600,
    verdictLifetime: 86_400,
    ...options.policy,
  };
  await schedulePolicy(clients, deployment, workloadId, policy);
  await addMeasurement(clients, deployment, workloadId, 1, { tee: "debug", measurement: APP_DEBUG_MEASUREMENT });
  for (const m of realVectorMeasurements()) await addMeasurement(clients, deployment, workloadId, 1, m);

  const accounts = devAccounts("keepledger.test.node", n);
  const ports = await Promise.all(accounts.map(() => freePort()));
  for (const [i, a] of accounts.entries()) {
    await clients.walletClient.sendTransaction({ to: a.address, value: parseEther("100") });
    await bootstrapValidator(clients, deployment, {
      address: a.address,
      endpoint: `http://127.0.0.1:${ports[i]}`,
      loggingProfile: options.loggingProfile ?? "production",
    });
  }
  await setThreshold(clients, deployment, k);
  let validatorWorkloadId: Hex | undefined;
  if (options.validatorWorkload ?? true) {
    validatorWorkloadId = (await registerWorkload(clients, deployment, "keepledger-validator", "")).workloadId;
    await schedulePolicy(clients, deployment, validatorWorkloadId, {
      ...defaultPolicy(),
      allowedTees: ["debug"],
      acceptedTcbStatuses: ["NotApplicable"],
      dev: true,
      verdictLifetime: 86_400,
    });
    await addMeasurement(clients, deployment, validatorWorkloadId, 1, { tee: "debug", measurement: DEFAULT_VALIDATOR_DEBUG_MEASUREMENT });
    await setValidatorWorkload(clients, deployment, validatorWorkloadId);
  }

  const attestationRequests = options.onchainRequests ? await deployAttestationRequests(clients) : undefined;
  const dir = mkdtempSync(join(tmpdir(), "kl-net-"));
  await writeDeployment(join(dir, "deployment.json"), deployment);
  const nodes: NetworkNode[] = accounts.map((account, index) => {
    const nodeDir = join(dir, `node-${index}`);
    mkdirSync(nodeDir, { recursive: true });
    const json = {
      rpcUrl: proxy?.url ?? anvil.url,
      deployment: "../deployment.json",
      signer: { privateKeyEnv: "KEEPLEDGER_VALIDATOR_KEY" },
      listen: `127.0.0.1:${ports[index]}`,
      publicUrl: `http://127.0.0.1:${ports[index]}`,
      loggingProfile: options.loggingProfile ?? "production",
      selfAttestation: { provider: "none" },
      confirmations: options.confirmations ?? 1,
      chainPollMs: 200,
      batch: {
        enabled: options.batch?.enabled ?? false,
        maxItems: options.batch?.maxItems ?? 256,
        maxWaitMs: options.batch?.maxWaitMs ?? 200,
      },
      peers: { timeoutMs: 10_000, hedgeAfterMs: 1_500, maxIssuedAtSkewSeconds: 120 },
      limits: { maxBodyBytes: 1 << 20, peerMaxBodyBytes: 64 << 20, requestsPerMinute: 1_000_000 },
      shutdownTimeoutMs: 5_000,
      ...(options.store?.(index) ? { store: options.store(index) } : {}),
      ...(attestationRequests ? { onchainRequests: { address: attestationRequests, takeoverAfterMs: 3_000 } } : {}),
      ...options.nodeConfig?.(index),
    };
    const configPath = join(nodeDir, "node.json");
    writeFileSync(configPath, JSON.stringify(json, null, 2));
    return {
      index,
      account,
      privateKey: keccak256(stringToBytes(`keepledger.test.node.${index}`)),
      port: ports[index]!,
      url: `http://127.0.0.1:${ports[index]}`,
      configPath,
      config: parseNodeConfig(json, { source: configPath, baseDir: nodeDir }),
      env: { KEEPLEDGER_VALIDATOR_KEY: keccak256(stringToBytes(`keepledger.test.node.${index}`)) },
      logs: [],
      logFile: join(nodeDir, "node.log"),
    };
  });

  const network: NodeNetwork = {
    anvil,
    ...(proxy ? { proxy } : {}),
    dir,
    deployment,
    publicClient,
    clients,
    client,
    workloadId,
    ...(validatorWorkloadId ? { validatorWorkloadId } : {}),
    ...(attestationRequests ? { attestationRequests } : {}),
    nodes,
    async startNode(index, extra = {}) {
      const entry = nodes[index]!;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          entry.logs.push(...chunk.toString().split("\n").filter(Boolean));
          done();
        },
      });
      entry.node = await startValidatorNode({ config: entry.config, env: entry.env, logDestination: sink, ...extra });
      return entry.node;
    },
    async startNodeProcess(index, script = [join(process.cwd(), "bin", "keepledger.mjs"), "node"]) {
      const entry = nodes[index]!;
      const out = openSync(entry.logFile, "a");
      const child = spawn(process.execPath, [...script, "--config", entry.configPath], {
        env: { ...process.env, ...entry.env },
        stdio: ["ignore", out, out],
      });
      entry.child = child;
      await waitHealthy(entry.url, child);
      return child;
    },
    async stopNode(index) {
      const entry = nodes[index]!;
      if (entry.node) {
        await entry.node.stop();
        delete entry.node;
      }
      if (entry.child && entry.child.exitCode === null) {
        const c = entry.child;
        await new Promise<void>((resolve) => {
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        });
      }
    },
    async debugKeep(nodeUrl, o = {}) {
      const privateKey = o.privateKey ?? keccak256(stringToBytes(`keep ${Math.random()} ${Date.now()}`));
      const keep = privateKeyToAccount(privateKey);
      const nonce = (await (await fetch(`${nodeUrl}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex; blockTimestamp: number };
      let blockHash = nonce.blockHash;
      let blockNumber = BigInt(nonce.blockNumber);
      let timestamp = nonce.blockTimestamp;
      if (o.blockNumber !== undefined) {
        const b = await publicClient.getBlock({ blockNumber: o.blockNumber });
        blockHash = b.hash;
        blockNumber = b.number;
        timestamp = Number(b.timestamp);
      }
      const binding = bindingHash({
        chainId: o.chainId ?? deployment.chainId,
        attestationRegistry: o.registry ?? deployment.contracts.attestationRegistry,
        subjectPublicKey: publicKey64(keep.publicKey),
        blockHash,
        ...(o.context ? { context: o.context } : {}),
      });
      const evidence = createDebugEvidence({
        privateKey,
        measurement: o.measurement ?? APP_DEBUG_MEASUREMENT,
        reportData: reportDataFor("debug", binding),
        timestamp: timestamp * 1000,
      });
      return {
        privateKey,
        subject: keep.address,
        body: {
          workloadId,
          evidence: Buffer.from(evidence).toString("base64"),
          publicKey: keep.publicKey,
          freshnessBlock: Number(blockNumber),
        },
      };
    },
    async post(nodeUrl, body) {
      const r = await fetch(`${nodeUrl}/v1/evidence`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    },
    async waitSettled(nodeUrl, id, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await fetch(`${nodeUrl}/v1/verdicts/${id}?waitMs=2000`).catch(() => undefined);
        if (r?.ok) {
          const view = (await r.json()) as Record<string, unknown>;
          if (view.status !== "pending") return view;
        }
        if (Date.now() > deadline) throw new Error(`verdict ${id} not settled within ${timeoutMs} ms`);
        if (!r?.ok) await new Promise((res) => setTimeout(res, 200));
      }
    },
    async stop() {
      await Promise.allSettled(nodes.map((_, i) => network.stopNode(i)));
      await proxy?.close();
      await anvil.stop();
      if (!process.env.KEEPLEDGER_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
  return network;
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`node process exited with ${child.exitCode}`);
    const r = await fetch(`${url}/healthz`).catch(() => undefined);
    if (r?.ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`node at ${url} did not become healthy`);
}

/** The measurements of the real vectors that verify at VECTOR_TIME. */
export function realVectorMeasurements() {
  const sgx = expectedOf("sgx", "dcapqvl-sgx") as unknown as { quote: { report: { mrenclave: string } } };
  const tdx = expectedOf("tdx", "dcapqvl-tdx") as unknown as { quote: { report: Record<string, string> } };
  const snp = expectedOf("sev-snp", "go-sev-guest-milan-debug") as unknown as { report: { measurement: string } };
  const h = (s: string) => `0x${s}` as Hex;
  return [
    { tee: "sgx" as const, mrenclave: h(sgx.quote.report.mrenclave), mrsigner: `0x${"00".repeat(32)}` as Hex, isvProdId: 0, minIsvSvn: 0 },
    {
      tee: "tdx" as const,
      mrtd: h(tdx.quote.report.mrtd!),
      rtmr0: h(tdx.quote.report.rtmr0!),
      rtmr1: h(tdx.quote.report.rtmr1!),
      rtmr2: h(tdx.quote.report.rtmr2!),
      rtmr3: h(tdx.quote.report.rtmr3!),
    },
    { tee: "sev-snp" as const, measurement: h(snp.report.measurement), hostData: null },
  ];
}
