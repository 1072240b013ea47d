/**
 * Starts a validator node from its configuration: reads the key and the deployment, checks that the key
 * is a registered validator whose on-chain logging profile and endpoint match the configuration (a
 * profile switch is a governed on-chain act, so the node refuses to start in another one), opens the
 * store, resumes pending work, serves the HTTP API and starts self-attestation, TCB recovery and the
 * on-chain request watcher. Runs in-process (tests, the dev network) as well as under `keepledger node`.
 */
import { createPublicClient, defineChain, getAddress, http, type Address } from "viem";
import { createVerifierContext, type VerifierContext } from "../tee/verifierContext.ts";
import type { DestinationStream } from "pino";
import { readDeployment, verifyDeployment } from "../chain/deployment.ts";
import { withRetry } from "../chain/retry.ts";
import { KeyService } from "./keys/KeyService.ts";
import { keyServiceKeyOf } from "../chain/keyRegistry.ts";
import { createTransactionSender } from "../chain/transactionSender.ts";
import type { CollateralProvider } from "../collateral/types.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { keepledgerDomain } from "@keepledger/sdk/internal/ids/index";
import { openDatabase } from "../store/openDatabase.ts";
import type { TeeAdapter } from "../tee/adapter.ts";
import { defaultAdapters } from "../tee/table.ts";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";
import { Appraiser } from "./appraisal/appraiseSubmission.ts";
import { filesProvider } from "./appraisal/collateralFiles.ts";
import { HealedCollateral } from "./appraisal/HealedCollateral.ts";
import { createChainState } from "./chain/chainState.ts";
import { NODE_CODES } from "./codes.ts";
import { collateralSources } from "./collateralSources.ts";
import type { NodeConfig } from "./config/loadNodeConfig.ts";
import { loadSigner } from "./config/loadSigner.ts";
import { createNodeServer } from "./http/createNodeServer.ts";
import { Intake } from "./intake/Intake.ts";
import { createNodeLogger, type NodeLogger } from "./logging/createNodeLogger.ts";
import { createNodeMetrics, type NodeMetrics } from "./nodeMetrics.ts";
import { OnchainRequests } from "./onchain/OnchainRequests.ts";
import { CollateralHealer } from "./outbox/CollateralHealer.ts";
import { Outbox } from "./outbox/Outbox.ts";
import { createPeerClient } from "./peer/peerClient.ts";
import { createPeerAuthenticator, createPeerRequestSigner } from "./peer/peerAuth.ts";
import { peerBodyLimits } from "./peer/peerLimits.ts";
import { createReplayCache } from "./peer/replayCache.ts";
import { PeerService } from "./peer/PeerService.ts";
import { createVerdictSigner } from "./quorum/verdictSigner.ts";
import { createEvidenceProvider } from "./selfAttestation/createEvidenceProvider.ts";
import type { EvidenceProvider } from "./selfAttestation/EvidenceProvider.ts";
import { SelfAttestation, type SelfAttestationStatus } from "./selfAttestation/SelfAttestation.ts";
import { NodeStore } from "./store/NodeStore.ts";
import { CollateralFloorStore } from "./store/CollateralFloorStore.ts";
import { verifyTcbInfoDocument } from "../tee/dcap/verifyIntelDocument.ts";
import { INTEL_SGX_ROOT_CA } from "../pki/roots.ts";
import { startEvidenceRetention } from "./store/pruneEvidence.ts";
import { TcbRecovery } from "./tcb/tcbRecovery.ts";
import { failpointsFromEnv } from "./failpoints.ts";

export interface StartValidatorNodeOptions {
  config: NodeConfig;
  /** Where secrets named by the configuration are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** The verifier caches to share (in-process use, e.g. several nodes in one dev network); default: one of its own. */
  verifierContext?: VerifierContext;
  /** More collateral providers, after the configured ones (in-process use). */
  collateralProviders?: readonly CollateralProvider[];
  /** Replaces the self-attestation provider of the configuration (in-process use). */
  evidenceProvider?: EvidenceProvider;
  /** Engine adapters (default every kind). */
  adapters?: readonly TeeAdapter[];
  /** Replaces the pinned vendor roots. Tests only: never reachable from a configuration file. */
  unsafeTrustedRoots?: readonly TrustedRoot[];
}

export interface ValidatorNode {
  address: Address;
  /** The URL the node listens at (its configured listen address, with the port it got). */
  url: string;
  log: NodeLogger;
  metrics: NodeMetrics;
  store: NodeStore;
  selfAttestation(): SelfAttestationStatus;
  tcbRecovery: TcbRecovery;
  /** The key service, when the configuration names a KeyRegistry (docs/key-release.md). */
  keys?: KeyService;
  /** Graceful shutdown: stop intake, finish or persist in-flight work, close. */
  stop(): Promise<void>;
}

export async function startValidatorNode(options: StartValidatorNodeOptions): Promise<ValidatorNode> {
  const { config } = options;
  const log = createNodeLogger({
    profile: config.loggingProfile,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  const signer = await loadSigner(config.signer, options.env ?? process.env);
  const address = getAddress(signer.account.address);
  const deployment = await readDeployment(config.deployment);
  const chain = defineChain({
    id: deployment.chainId,
    name: `chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
  // JSON-RPC batching: the many reads of verdicts in flight (receipts, statuses) share HTTP requests.
  const transport = http(config.rpcUrl, { retryCount: 0, timeout: 15_000, batch: { batchSize: 256, wait: 2 } });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: Math.min(config.chainPollMs, 1_000) });
  const nodeLog = log.child({ validator: address });
  nodeLog.info("starting validator node", {
    chainId: deployment.chainId,
    registry: deployment.contracts.attestationRegistry,
    profile: config.loggingProfile,
  });

  // The chain may still be coming up (the dev network starts everything at once): retry for a while.
  await withRetry(() => verifyDeployment(publicClient, deployment), { retries: 8, baseMs: 250, maxMs: 4_000 });
  const metrics = createNodeMetrics();
  const failpoints = failpointsFromEnv(options.env ?? process.env);
  if (failpoints.armed.size > 0)
    nodeLog.warn("failpoints armed: this node kills itself when its work reaches them", { failpoints: [...failpoints.armed] });
  const chainState = createChainState({
    publicClient,
    deployment,
    confirmations: config.confirmations,
    pollMs: config.chainPollMs,
    log: nodeLog,
  });
  await chainState.start();
  await checkRegistration(chainState, address, config);

  const store = await NodeStore.open(openDatabase(config.store));
  const allowMissingAmdCrl = config.collateral.dangerouslyAllowMissingAmdCrl === true;
  if (allowMissingAmdCrl)
    nodeLog.warn(
      "UNSAFE: collateral.dangerouslyAllowMissingAmdCrl is set: SEV-SNP evidence is accepted without AMD's CRL when none can be had (dev networks only)",
    );
  const allowUncheckedGpuRevocation = config.collateral.dangerouslyAllowUncheckedGpuRevocation === true;
  if (allowUncheckedGpuRevocation)
    nodeLog.warn(
      "UNSAFE: collateral.dangerouslyAllowUncheckedGpuRevocation is set: NVIDIA GPU evidence is accepted without OCSP responses (dev networks only)",
    );
  const adapters =
    options.adapters ??
    defaultAdapters({
      dangerouslyAllowMissingAmdCrl: allowMissingAmdCrl,
      dangerouslyAllowUncheckedGpuRevocation: allowUncheckedGpuRevocation,
    });
  // Documents a collateral heal verified stay available beside the sources that may still lag behind them.
  const healed = new HealedCollateral();
  const providers = [...(await collateralSources(config.collateral)), ...(options.collateralProviders ?? []), healed];
  const floor = await CollateralFloorStore.open(store.db);
  // One set of verifier caches for the life of the node, shared by every verification it makes.
  const verifierContext = options.verifierContext ?? createVerifierContext();
  const tcbRecovery = new TcbRecovery({
    store,
    floor,
    verifyTcbInfo: (document, set, at) =>
      verifyTcbInfoDocument(document, {
        collateral: set,
        at,
        roots: options.unsafeTrustedRoots ?? [INTEL_SGX_ROOT_CA],
        context: verifierContext,
      }),
    chain: chainState,
    log: nodeLog,
    metrics,
    providers,
    adapters,
    refreshIntervalMs: config.tcbRecovery.refreshIntervalMs,
    verify: (evidence, files, at) =>
      verifyEvidence(evidence, {
        at,
        collateral: filesProvider(files),
        adapters,
        context: verifierContext,
        ...(options.unsafeTrustedRoots ? { trustedRoots: options.unsafeTrustedRoots } : {}),
      }),
  });
  // With a KeyRegistry, validators bind their published key-service keys into their own evidence.
  const keyRegistry = config.keyService ? getAddress(config.keyService.registry) : undefined;
  const keyServiceKeyOfValidator = keyRegistry
    ? async (validator: Address) => {
        const k = await keyServiceKeyOf({ publicClient }, keyRegistry, validator);
        return BigInt(k.publicKey) === 0n ? undefined : k;
      }
    : undefined;
  const appraiser = new Appraiser({
    verifierContext,
    chain: chainState,
    metrics,
    providers,
    adapters,
    tcbRecovery,
    floor,
    ...(config.collateral.maxCollateralAgeSeconds !== undefined
      ? { maxCollateralAgeSeconds: config.collateral.maxCollateralAgeSeconds }
      : {}),
    ...(keyServiceKeyOfValidator ? { keyServiceKeyOf: async (v: Address) => (await keyServiceKeyOfValidator(v))?.publicKey } : {}),
    onVerifiedTcbInfo: (documents) =>
      void tcbRecovery.observe(documents).catch((error: unknown) => nodeLog.warn("could not record TCB Info", { err: error })),
    ...(options.unsafeTrustedRoots ? { unsafeTrustedRoots: options.unsafeTrustedRoots } : {}),
  });
  const verdictSigner = createVerdictSigner(signer.account, keepledgerDomain(deployment.chainId, deployment.contracts.attestationRegistry));
  const sender = createTransactionSender(publicClient, signer.account, {
    confirmations: config.confirmations,
    pollMs: Math.min(250, config.chainPollMs),
  });
  const peerAuthDomain = { chainId: deployment.chainId, validatorSet: deployment.contracts.validatorSet };
  const peers = createPeerClient({ auth: createPeerRequestSigner(signer.privateKey, peerAuthDomain), timeoutMs: config.peers.timeoutMs });
  const outbox = new Outbox({
    store,
    chain: chainState,
    sender,
    signer: verdictSigner,
    peers,
    log: nodeLog,
    metrics,
    batch: { maxItems: config.batch.maxItems, maxWaitMs: config.batch.maxWaitMs },
    hedgeAfterMs: config.peers.hedgeAfterMs,
    healer: new CollateralHealer({ appraiser, store, signer: verdictSigner, log: nodeLog, metrics, healed }),
    failpoints,
  });
  const intake = new Intake({ appraiser, store, outbox, signer: verdictSigner, log: nodeLog, batch: config.batch.enabled });
  const peerService = new PeerService({
    appraiser,
    signer: verdictSigner,
    store,
    chain: chainState,
    log: nodeLog,
    metrics,
    maxIssuedAtSkewSeconds: config.peers.maxIssuedAtSkewSeconds,
    failpoints,
    onPeerRequest: (collector) => outbox.peerHeardFrom(collector),
  });
  const provider = options.evidenceProvider ?? createEvidenceProvider(config.selfAttestation, signer.privateKey);
  const selfAttestation = new SelfAttestation({
    provider,
    chain: chainState,
    intake,
    outbox,
    store,
    sender,
    publicKey: signer.account.publicKey,
    log: nodeLog,
    metrics,
    renewBeforeSeconds: config.selfAttestation.renewBeforeSeconds ?? 3_600,
    ...(keyServiceKeyOfValidator ? { keyServiceKey: () => keyServiceKeyOfValidator(address) } : {}),
  });
  const onchain = config.onchainRequests
    ? new OnchainRequests({
        address: config.onchainRequests.address,
        takeoverAfterMs: config.onchainRequests.takeoverAfterMs,
        pollMs: config.chainPollMs,
        chain: chainState,
        intake,
        store,
        self: address,
        log: nodeLog,
      })
    : undefined;

  const keys = config.keyService
    ? await KeyService.open({
        db: store.db,
        publicClient,
        deployment,
        keyRegistry: keyRegistry!,
        self: address,
        sender,
        maxRequestAgeBlocks: config.keyService.maxRequestAgeBlocks,
      })
    : undefined;
  if (keys) await keys.publish();
  const receiptTimer = keys
    ? setInterval(() => {
        keys.commitReceipts().catch((error: unknown) => nodeLog.warn("could not commit release receipts", { err: error }));
      }, config.keyService!.receiptIntervalMs)
    : undefined;
  receiptTimer?.unref();

  const resumed = await outbox.start();
  if (resumed.verdicts + resumed.batches > 0) nodeLog.info("resuming pending work", { count: resumed.verdicts, items: resumed.batches });
  await tcbRecovery.updateMetric();

  const insecureWarning =
    'self-attestation provider "none": this validator runs no TEE and its own evidence is a debug Keep — INSECURE, development only';
  const server = createNodeServer({
    intake,
    peers: peerService,
    outbox,
    store,
    chain: chainState,
    log: nodeLog,
    metrics,
    limits: config.limits,
    peerAuth: createPeerAuthenticator({ self: address, domain: peerAuthDomain, replayCache: createReplayCache() }),
    peerLimits: peerBodyLimits(config.limits, config.batch.maxItems),
    ...(keys ? { keys } : {}),
    async health() {
      const head = chainState.head();
      const self = selfAttestation.status();
      const view = await chainState.validatorSet().catch(() => undefined);
      const me = view?.validators.get(address);
      // Healthy while the chain answers: a node that cannot read the chain cannot appraise nor finalize.
      const rpcOk = Date.now() - chainState.lastContact() < Math.max(30_000, 10 * config.chainPollMs);
      return {
        ok: rpcOk,
        validator: address,
        loggingProfile: nodeLog.profile,
        counting: me?.counting ?? null,
        chain: {
          blockNumber: Number(head.number),
          blockTimestamp: Number(head.timestamp),
          lastContact: new Date(chainState.lastContact()).toISOString(),
          ok: rpcOk,
        },
        selfAttestation: self,
        queue: outbox.depth(),
        warnings: provider.insecure ? [insecureWarning] : [],
        ...(keys ? { keyService: { publicKey: keys.publicKey, pendingReceipts: await keys.pendingReceiptCount() } } : {}),
      };
    },
  });
  const [host, portText] = splitListen(config.listen);
  const bound = await server.listen(host, Number(portText));
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
  if (provider.insecure) {
    nodeLog.warn(insecureWarning, { provider: provider.name });
    console.error(`WARNING: ${insecureWarning}`);
  }
  selfAttestation.start();
  tcbRecovery.start();
  const retention = config.evidenceRetention ? startEvidenceRetention(store, { ...config.evidenceRetention, log: nodeLog }) : undefined;
  await onchain?.start();
  nodeLog.info("validator node ready", { url, publicUrl: config.publicUrl, mode: config.batch.enabled ? "batch" : "single" });

  let stopped: Promise<void> | undefined;
  return {
    address,
    url,
    log: nodeLog,
    metrics,
    store,
    selfAttestation: () => selfAttestation.status(),
    tcbRecovery,
    ...(keys ? { keys } : {}),
    stop() {
      stopped ??= (async () => {
        nodeLog.info("stopping: no new evidence; finishing work in flight");
        onchain?.stop();
        if (receiptTimer) clearInterval(receiptTimer);
        await server.close();
        await keys?.commitReceipts().catch((error: unknown) => nodeLog.warn("could not commit release receipts", { err: error }));
        await selfAttestation.stop(config.shutdownTimeoutMs);
        await outbox.stop(config.shutdownTimeoutMs);
        tcbRecovery.stop();
        await tcbRecovery.settled();
        await retention?.stop();
        chainState.stop();
        await store.close();
        nodeLog.info("stopped");
      })();
      return stopped;
    },
  };
}

function splitListen(listen: string): [string, string] {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i).replace(/^\[|\]$/g, "");
  return [host, listen.slice(i + 1)];
}

const normalizeUrl = (u: string) => u.replace(/\/+$/, "");

async function checkRegistration(chain: ReturnType<typeof createChainState>, address: Address, config: NodeConfig): Promise<void> {
  const me = (await chain.validatorSet()).validators.get(address);
  if (!me?.registered) {
    throw new UsageError(
      NODE_CODES.NODE_NOT_A_VALIDATOR,
      `${address} is not a registered validator of ValidatorSet ${chain.deployment.contracts.validatorSet}`,
      {
        details: { validator: address },
      },
    );
  }
  if (me.loggingProfile !== config.loggingProfile) {
    throw new UsageError(
      NODE_CODES.NODE_LOGGING_PROFILE_MISMATCH,
      `this validator is registered with logging profile "${me.loggingProfile}", the configuration says "${config.loggingProfile}"; a profile change is a governed on-chain act (ValidatorSet.setLoggingProfile)`,
      { details: { registered: me.loggingProfile, configured: config.loggingProfile } },
    );
  }
  if (normalizeUrl(me.endpoint) !== normalizeUrl(config.publicUrl)) {
    throw new UsageError(
      NODE_CODES.NODE_ENDPOINT_MISMATCH,
      `the on-chain endpoint is ${me.endpoint}, the configured publicUrl ${config.publicUrl}`,
      {
        details: { registered: me.endpoint, configured: config.publicUrl },
      },
    );
  }
}
