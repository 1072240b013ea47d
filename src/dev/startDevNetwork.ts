/**
 * `keepledger dev` in one process: the in-process EDR chain (clock at 2025-07-01) behind JSON-RPC over
 * HTTP, keepledger deployed for development, demo workloads with dev policies, three validator nodes
 * (debug Keeps: INSECURE) with k = 2, the indexer on SQLite and the GraphQL API with GraphiQL — then
 * the real SGX, TDX and SEV-SNP vectors and a fresh debug Keep submitted through the nodes' HTTP API,
 * finalized on-chain and indexed, and a demo key of the debug-Keep workload released to a second fresh
 * debug Keep, its receipts indexed. Returns once all of that is true; stop() takes it down in order.
 */
import { join } from "node:path";
import { parseEther, type Address, type Hex } from "viem";
import { deployKeepledger } from "../chain/deployKeepledger.ts";
import { writeDeployment, type Deployment } from "../chain/deployment.ts";
import { connectInProcessChain, type InProcessChain } from "../chain/inProcessChain.ts";
import { defaultPolicy } from "../policy/types.ts";
import type { ChainClients } from "../chain/transactions.ts";
import { bootstrapValidator, setThreshold, setValidatorWorkload } from "../chain/validators.ts";
import { addMeasurement, allowCpak, registerWorkload, schedulePolicy } from "../chain/workloads.ts";
import { DEFAULT_VALIDATOR_DEBUG_MEASUREMENT } from "../node/selfAttestation/noneProvider.ts";
import { writeMarker } from "./dataFolder.ts";
import { releaseDemoKey, type DemoKey } from "./demoKey.ts";
import { debugKeepPolicy, DEMO_DEBUG_MEASUREMENT, DEMO_DEBUG_WORKLOAD, demoVectors, DEV_CHAIN_START, vectorPolicy } from "./demoVectors.ts";
import { seedDemoVerdicts, writeSampleRequest, type SampleRequest, type SeededVerdict } from "./seedDemoVerdicts.ts";
import { startDevNodes, stopDevNodes, devValidatorKeys, DEV_LOGGING_PROFILE, type DevNode } from "./startDevNodes.ts";
import { startDevRegistry, type DevRegistry } from "./startDevRegistry.ts";
import { startRpcServer, type RpcServer } from "./rpcServer.ts";
import { factsOf } from "@keepledger/sdk/internal/tee/kindFacts";

export const DEV_VALIDATORS = 3;
export const DEV_THRESHOLD = 2;

export interface StartDevNetworkOptions {
  /** The prepared data folder (absolute). */
  dataDir: string;
  host?: string;
  rpcPort: number;
  /** The first node's port; the others follow. */
  nodePort: number;
  graphqlPort: number;
  /** One line per step, for people. */
  progress?: (line: string) => void;
  /** When the run started (for the marker). */
  startedAt?: Date;
  /** The built registry explorer, served at /explorer/ beside GraphQL. */
  explorerDir?: string;
}

export interface DevNetwork {
  chainId: number;
  rpcUrl: string;
  graphqlUrl: string;
  /** The registry explorer (…/explorer/; it says so when not built). */
  explorerUrl: string;
  dataDir: string;
  deployment: Deployment;
  /** Demo workload ids by name (and the validator workload's). */
  workloads: Record<string, Hex>;
  nodes: { url: string; address: Address; logFile: string }[];
  seeded: SeededVerdict[];
  /** The demo key and its release to a debug Keep. */
  demoKey: DemoKey;
  sample: SampleRequest;
  /** Stops nodes, indexer, servers and chain, in that order. */
  stop(): Promise<void>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function startDevNetwork(o: StartDevNetworkOptions): Promise<DevNetwork> {
  const progress = o.progress ?? (() => undefined);
  const host = o.host ?? "127.0.0.1";
  const closers: Array<{ what: string; close: () => Promise<void> }> = [];
  const stop = async () => {
    // Reverse order of start: nodes, registry, RPC server, chain.
    for (const c of closers.splice(0).reverse()) await c.close().catch(() => undefined);
  };
  let t = Date.now();
  const step = (line: string) => {
    const now = Date.now();
    progress(`${line} (${seconds(now - t)})`);
    t = now;
  };
  try {
    progress(
      `the demo chain's clock starts at ${DEV_CHAIN_START.toISOString().slice(0, 10)} so the bundled real vectors verify inside their validity window; verification is never skipped`,
    );
    const chain: InProcessChain = await connectInProcessChain({ initialDate: DEV_CHAIN_START });
    closers.push({ what: "chain", close: () => chain.close() });
    // Blocks every second besides one per transaction: chain time moves and Keeps find recent blocks to bind.
    await chain.provider.request({ method: "evm_setIntervalMining", params: [1_000] });
    const rpc: RpcServer = await startRpcServer(chain.provider, { host, port: o.rpcPort });
    closers.push({ what: "rpc", close: () => rpc.close() });
    step(`chain: in-process EDR chain (chain id ${chain.chain.id}), JSON-RPC at ${rpc.url}`);

    const owner = chain.accounts[0] as Address;
    const clients: ChainClients = { publicClient: chain.publicClient, walletClient: chain.walletClient(owner) };
    const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true });
    const deploymentFile = join(o.dataDir, "deployment.json");
    await writeDeployment(deploymentFile, deployment);
    writeMarker(o.dataDir, {
      kind: "keepledger-dev",
      startedAt: (o.startedAt ?? new Date()).toISOString(),
      attestationRegistry: deployment.contracts.attestationRegistry,
    });
    step(`contracts: deployed for development (dev policies allowed, no governance delays) by ${owner}; ${deploymentFile}`);

    const workloads: Record<string, Hex> = {};
    const vectors = demoVectors();
    for (const v of vectors) {
      const { workloadId } = await registerWorkload(clients, deployment, v.workload, `keepledger-dev:${v.source}`);
      await schedulePolicy(clients, deployment, workloadId, vectorPolicy(v));
      await addMeasurement(clients, deployment, workloadId, 1, v.measurement);
      for (const cpak of v.cpaks ?? []) await allowCpak(clients, deployment, workloadId, cpak);
      workloads[v.workload] = workloadId;
    }
    const debug = await registerWorkload(clients, deployment, DEMO_DEBUG_WORKLOAD, "keepledger-dev:debug-keep");
    await schedulePolicy(clients, deployment, debug.workloadId, debugKeepPolicy());
    await addMeasurement(clients, deployment, debug.workloadId, 1, { tee: "debug", measurement: DEMO_DEBUG_MEASUREMENT });
    workloads[DEMO_DEBUG_WORKLOAD] = debug.workloadId;
    step(`workloads: ${Object.keys(workloads).join(", ")} registered with the vectors' real measurements under dev policies`);

    const keys = devValidatorKeys(DEV_VALIDATORS, host, o.nodePort);
    const validator = await registerWorkload(clients, deployment, "keepledger-validator", "keepledger-dev:validator");
    await schedulePolicy(clients, deployment, validator.workloadId, {
      ...defaultPolicy(),
      allowedTees: ["debug"],
      acceptedTcbStatuses: ["NotApplicable"],
      dev: true,
      verdictLifetime: 86_400,
    });
    await addMeasurement(clients, deployment, validator.workloadId, 1, { tee: "debug", measurement: DEFAULT_VALIDATOR_DEBUG_MEASUREMENT });
    await setValidatorWorkload(clients, deployment, validator.workloadId);
    workloads["keepledger-validator"] = validator.workloadId;
    for (const k of keys) {
      await clients.walletClient.sendTransaction({ to: k.address, value: parseEther("100") });
      await bootstrapValidator(clients, deployment, { address: k.address, endpoint: k.url, loggingProfile: DEV_LOGGING_PROFILE });
    }
    await setThreshold(clients, deployment, DEV_THRESHOLD);
    const nodes: DevNode[] = await startDevNodes({
      dataDir: o.dataDir,
      host,
      rpcUrl: rpc.url,
      deploymentFile,
      keys,
      ...(deployment.contracts.keyRegistry ? { keyRegistry: deployment.contracts.keyRegistry } : {}),
    });
    closers.push({ what: "nodes", close: () => stopDevNodes(nodes) });
    step(
      `validators: ${DEV_VALIDATORS} nodes, threshold ${DEV_THRESHOLD} of ${DEV_VALIDATORS}, each a debug Keep — INSECURE, no TEE (logging profile ${DEV_LOGGING_PROFILE}): ${nodes.map((n) => n.url).join(", ")}`,
    );

    const registry: DevRegistry = await startDevRegistry({
      dataDir: o.dataDir,
      host,
      port: o.graphqlPort,
      chain: chain.provider,
      deployment,
      evidenceStore: nodes[0]!.node.store.evidence,
      ...(o.explorerDir !== undefined ? { explorerDir: o.explorerDir } : {}),
    });
    // Stopped after the nodes (closers run in reverse).
    closers.splice(closers.length - 1, 0, { what: "registry", close: () => registry.stop() });
    step(
      `registry: indexer on SQLite ${registry.databaseFile}, GraphQL with GraphiQL at ${registry.graphqlUrl}, evidence access full (dev only: it serves report data)`,
    );

    const node0 = nodes[0]!.url;
    const seeded = await seedDemoVerdicts({
      nodeUrl: node0,
      deployment,
      vectors,
      workloads,
      registry,
      validators: nodes.map((n) => n.address),
    });
    for (const s of seeded)
      progress(
        `  ${s.workload}: ${s.tee} verdict ${s.verdictId} (${s.tcbStatus}${factsOf(s.tee).vendor === "none" ? ", debug Keep — INSECURE" : `, real vector ${s.source}`})`,
      );
    step(
      `seeded: ${seeded.length} verdicts submitted through ${node0}/v1/evidence, finalized on-chain (2 of 3 signatures) and indexed; validators' own verdicts indexed`,
    );

    const demoKey = await releaseDemoKey({
      clients,
      deployment,
      registry,
      nodeUrl: node0,
      workloadId: debug.workloadId,
      validators: nodes.map((n) => n.address),
      threshold: DEV_THRESHOLD,
    });
    step(
      `key release: "${demoKey.name}" (${demoKey.keyId}) split ${demoKey.threshold} of ${demoKey.shareholders.length}, released to debug Keep ${demoKey.keep} (INSECURE) by ${demoKey.releasedBy.length} validators, receipts on-chain and indexed`,
    );

    const sample = await writeSampleRequest({ dataDir: o.dataDir, nodeUrl: node0, deployment, workloadId: debug.workloadId });
    return {
      chainId: chain.chain.id,
      rpcUrl: rpc.url,
      graphqlUrl: registry.graphqlUrl,
      explorerUrl: registry.explorerUrl,
      dataDir: o.dataDir,
      deployment,
      workloads,
      nodes: nodes.map((n) => ({ url: n.url, address: n.address, logFile: n.logFile })),
      seeded,
      demoKey,
      sample,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
