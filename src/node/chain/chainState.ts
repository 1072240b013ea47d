/**
 * What the node reads from the chain, cached: the head (its timestamp is the node's clock — validators
 * decide "as of" the chain's time, so they all decide on the same clock), confirmed blocks for the
 * freshness binding, the validator set, and each workload's policy in force and measurements. A poll
 * loop follows new blocks and the WorkloadRegistry and ValidatorSet events, and drops what they change.
 */
import { getAddress, parseEventLogs, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem";
import type { Deployment } from "../../chain/deployment.ts";
import { cpakAllowListAbi, validatorSetAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { fromChainPolicy, type ChainPolicy } from "../../chain/policy.ts";
import { readRevocationLogs, RevocationLists } from "../../chain/revocations.ts";
import { chainError } from "../../chain/transactions.ts";
import { loggingProfileFromCode, teeKindFromCode, type LoggingProfile } from "@keepledger/sdk/internal/ids/index";
import type { PlatformEntry, RevocationState } from "../../policy/checkRevocations.ts";
import type { ApprovedMeasurement, WorkloadPolicy } from "../../policy/types.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";

export interface BlockInfo {
  number: bigint;
  hash: Hex;
  /** Unix seconds. */
  timestamp: bigint;
}

export interface ValidatorView {
  address: Address;
  registered: boolean;
  bootstrap: boolean;
  counting: boolean;
  loggingProfile: LoggingProfile;
  pendingLoggingProfile: LoggingProfile;
  loggingProfileEffectiveAt: bigint;
  ownVerdictId: Hex;
  ownVerdictExpiresAt: bigint;
  endpoint: string;
}

export interface ValidatorSetView {
  validators: Map<Address, ValidatorView>;
  threshold: number;
  validatorWorkload: Hex;
}

export interface WorkloadInputs {
  workloadId: Hex;
  policy: WorkloadPolicy;
  policyEffectiveAt: bigint;
  /** When a scheduled policy takes over (0 when none is pending): the cache entry ends there. */
  pendingEffectiveAt: bigint;
  /** The measurements in force (added at least the policy delay ago): a pending one cannot carry a verdict. */
  measurements: ApprovedMeasurement[];
  /** When the next pending measurement comes into force (0 when none is pending): the cache entry ends there too. */
  nextMeasurementAt: bigint;
  /** The CPAK identities of the workload's allow-list in force (Arm CCA platform keys; allowing one waits for the policy delay). */
  allowedCpaks: Hex[];
  /** When the next pending CPAK comes into force (0 when none is pending): the cache entry ends there too. */
  nextCpakAt: bigint;
}

export interface ChainStateOptions {
  publicClient: PublicClient<Transport, Chain>;
  deployment: Deployment;
  /** Blocks a freshness block must be deep (1 = the head itself). */
  confirmations: number;
  pollMs: number;
  /** The validator set is re-read at least this often, since time alone changes who counts. Default 15 s. */
  validatorRefreshMs?: number;
  log: NodeLogger;
}

export interface ChainState {
  readonly publicClient: PublicClient<Transport, Chain>;
  readonly deployment: Deployment;
  readonly confirmations: number;
  start(): Promise<void>;
  stop(): void;
  /** The newest block seen (refreshed by the poll loop). */
  head(): BlockInfo;
  /** The chain's clock: the newest block's timestamp, unix seconds. */
  now(): bigint;
  /** Reads the head now instead of waiting for the next poll. */
  refreshHead(): Promise<BlockInfo>;
  /** The block `confirmations` deep: what a Keep should bind. */
  nonceBlock(): Promise<BlockInfo>;
  /** The canonical block with this number, or undefined when there is none yet. */
  block(number: bigint): Promise<BlockInfo | undefined>;
  validatorSet(): Promise<ValidatorSetView>;
  /** Forces the next validatorSet() to read the chain. */
  invalidateValidators(): void;
  /** The workload's policy in force and measurements; undefined for an unregistered workload. */
  workload(workloadId: Hex): Promise<WorkloadInputs | undefined>;
  /**
   * Whether governance revoked the subject in the workload (or everywhere) and which of the platform
   * entries are on the revocation list: from the AttestationRegistry's revocation events, read once and
   * then followed by the poll loop, so a revocation applies within one poll and an appraisal needs no RPC.
   */
  revocations(subject: Address, workloadId: Hex, entries: readonly PlatformEntry[]): Promise<RevocationState>;
  /** Called after every poll that saw a new head. */
  onHead(listener: (head: BlockInfo) => void): void;
  /** When the RPC last answered a head read (ms since the epoch). */
  lastContact(): number;
}

export function createChainState(options: ChainStateOptions): ChainState {
  const { publicClient, deployment, confirmations, log } = options;
  const validatorRefreshMs = options.validatorRefreshMs ?? 15_000;
  const { workloadRegistry, validatorSet, cpakAllowList } = deployment.contracts;
  let head: BlockInfo | undefined;
  let logCursor = 0n;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let contact = 0;
  const headListeners: Array<(head: BlockInfo) => void> = [];
  const blocks = new Map<bigint, BlockInfo>();
  const workloads = new Map<Hex, Promise<WorkloadInputs | undefined>>();
  let validators: { at: number; view: Promise<ValidatorSetView> } | undefined;
  let revocationLists: { lists: RevocationLists; cursor: bigint } | undefined;
  let revocationsLoading: Promise<void> | undefined;

  const rpc = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw chainError(error, what);
    }
  };

  const readHead = async (): Promise<BlockInfo> => {
    const b = await rpc("reading the latest block", () => publicClient.getBlock({ blockTag: "latest" }));
    contact = Date.now();
    const info = { number: b.number, hash: b.hash, timestamp: b.timestamp };
    if (!head || info.number >= head.number) head = info;
    return head;
  };

  const loadValidators = async (): Promise<ValidatorSetView> => {
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      rpc(
        `ValidatorSet.${functionName}`,
        () => publicClient.readContract({ address: validatorSet, abi: validatorSetAbi, functionName, args } as never) as Promise<T>,
      );
    const [list, threshold, validatorWorkload] = await Promise.all([
      read<readonly Address[]>("validators"),
      read<number>("threshold"),
      read<Hex>("validatorWorkload"),
    ]);
    const infos = await Promise.all(
      list.map(async (address) => {
        const i = await read<{
          registered: boolean;
          bootstrap: boolean;
          counting: boolean;
          loggingProfile: number;
          pendingLoggingProfile: number;
          loggingProfileEffectiveAt: bigint;
          ownVerdictId: Hex;
          ownVerdictExpiresAt: bigint;
          endpoint: string;
        }>("validatorOf", [address]);
        const view: ValidatorView = {
          address: getAddress(address),
          registered: i.registered,
          bootstrap: i.bootstrap,
          counting: i.counting,
          loggingProfile: loggingProfileFromCode(i.loggingProfile),
          pendingLoggingProfile: loggingProfileFromCode(i.pendingLoggingProfile),
          loggingProfileEffectiveAt: i.loggingProfileEffectiveAt,
          ownVerdictId: i.ownVerdictId,
          ownVerdictExpiresAt: i.ownVerdictExpiresAt,
          endpoint: i.endpoint,
        };
        return view;
      }),
    );
    return { validators: new Map(infos.map((v) => [v.address, v])), threshold: Number(threshold), validatorWorkload };
  };

  const loadWorkload = async (workloadId: Hex): Promise<WorkloadInputs | undefined> => {
    const read = <T>(functionName: string) =>
      rpc(
        `WorkloadRegistry.${functionName}`,
        () =>
          publicClient.readContract({
            address: workloadRegistry,
            abi: workloadRegistryAbi,
            functionName,
            args: [workloadId],
          } as never) as Promise<T>,
      );
    const info = await read<{ owner: Address }>("workloadOf");
    if (BigInt(info.owner) === 0n) return undefined;
    const [[policy, policyEffectiveAt], [, pendingEffectiveAt], [cpakIds, cpakEffectiveAts], added, revoked, latest] = await Promise.all([
      read<readonly [ChainPolicy, bigint]>("policyOf"),
      read<readonly [ChainPolicy, bigint]>("pendingPolicyOf"),
      cpakAllowList === undefined
        ? ([[], []] as const)
        : rpc("reading the CPAK allow-list", () =>
            publicClient.readContract({ address: cpakAllowList, abi: cpakAllowListAbi, functionName: "cpaksOf", args: [workloadId] }),
          ),
      rpc("reading MeasurementAdded events", () =>
        publicClient.getContractEvents({
          address: workloadRegistry,
          abi: workloadRegistryAbi,
          eventName: "MeasurementAdded",
          args: { workloadId },
          fromBlock: deployment.deployBlock,
          toBlock: "latest",
        }),
      ),
      rpc("reading MeasurementRevoked events", () =>
        publicClient.getContractEvents({
          address: workloadRegistry,
          abi: workloadRegistryAbi,
          eventName: "MeasurementRevoked",
          args: { workloadId },
          fromBlock: deployment.deployBlock,
          toBlock: "latest",
        }),
      ),
      rpc("reading the latest block", () => publicClient.getBlock({ blockTag: "latest" })),
    ]);
    const revokedHashes = new Set(revoked.map((l) => l.args.measurementHash?.toLowerCase()));
    // A measurement is usable from its effectiveAt (added + policy delay); finalization refuses it before.
    const now = latest.timestamp;
    const pendingAt = added.map((l) => l.args.effectiveAt ?? 0n).filter((at) => at > now);
    const nextMeasurementAt = pendingAt.length > 0 ? pendingAt.reduce((a, b) => (a < b ? a : b)) : 0n;
    const measurements: ApprovedMeasurement[] = added
      .filter((l) => (l.args.effectiveAt ?? 0n) <= now)
      .map((l) => ({
        hash: l.args.measurementHash as Hex,
        tee: teeKindFromCode(Number(l.args.tee)),
        version: Number(l.args.version),
        revoked: revokedHashes.has(l.args.measurementHash?.toLowerCase()),
        value: l.args.value as Hex,
      }));
    // A CPAK is trusted from its effectiveAt (allowed + policy delay); removing one is immediate (an event).
    const allowedCpaks = cpakIds.filter((_, i) => (cpakEffectiveAts[i] ?? 0n) <= now).map((id) => id.toLowerCase() as Hex);
    const pendingCpaks = cpakEffectiveAts.filter((at) => at > now);
    const nextCpakAt = pendingCpaks.length > 0 ? pendingCpaks.reduce((a, b) => (a < b ? a : b)) : 0n;
    return {
      workloadId,
      policy: fromChainPolicy(policy),
      policyEffectiveAt,
      pendingEffectiveAt,
      measurements,
      nextMeasurementAt,
      allowedCpaks,
      nextCpakAt,
    };
  };

  const loadRevocations = async (): Promise<void> => {
    const to = (head ?? (await readHead())).number;
    const lists = new RevocationLists();
    for (const log of await rpc("reading the revocation lists", () =>
      readRevocationLogs({ publicClient }, deployment, deployment.deployBlock, to),
    ))
      lists.apply(log);
    revocationLists = { lists, cursor: to };
  };

  const poll = async () => {
    const previous = head?.number;
    const current = await readHead();
    if (previous !== undefined && current.number === previous) return;
    // Scheduled policies come into force by time alone.
    const now = current.timestamp;
    for (const [id, entry] of workloads) {
      const due = (at: bigint) => at !== 0n && at <= now;
      entry
        .then((w) => (w && (due(w.pendingEffectiveAt) || due(w.nextMeasurementAt) || due(w.nextCpakAt)) ? workloads.delete(id) : undefined))
        .catch(() => workloads.delete(id));
    }
    if (current.number > logCursor) {
      const logs = await rpc("reading registry events", () =>
        publicClient.getLogs({
          address: [workloadRegistry, validatorSet, ...(cpakAllowList ? [cpakAllowList] : [])],
          fromBlock: logCursor + 1n,
          toBlock: current.number,
        }),
      );
      logCursor = current.number;
      const workloadEvents = parseEventLogs({
        abi: workloadRegistryAbi,
        logs: logs.filter((l) => getAddress(l.address) === getAddress(workloadRegistry)),
      });
      // A CPAK allowed or disallowed changes the workload's inputs like a policy event does.
      const cpakEvents = cpakAllowList
        ? parseEventLogs({ abi: cpakAllowListAbi, logs: logs.filter((l) => getAddress(l.address) === getAddress(cpakAllowList)) })
        : [];
      for (const e of [...workloadEvents, ...cpakEvents]) {
        const id = (e.args as { workloadId?: Hex }).workloadId;
        if (id) workloads.delete(id.toLowerCase() as Hex);
      }
      if (logs.some((l) => getAddress(l.address) === getAddress(validatorSet))) validators = undefined;
    }
    const followed = revocationLists;
    if (followed && current.number > followed.cursor) {
      for (const log of await rpc("reading revocation events", () =>
        readRevocationLogs({ publicClient }, deployment, followed.cursor + 1n, current.number),
      ))
        followed.lists.apply(log);
      followed.cursor = current.number;
    }
    for (const listener of headListeners) listener(current);
  };

  const loop = async () => {
    if (stopped) return;
    try {
      await poll();
    } catch (error) {
      log.warn("chain poll failed", { err: error });
    }
    if (!stopped) timer = setTimeout(loop, options.pollMs);
  };

  return {
    publicClient,
    deployment,
    confirmations,
    async start() {
      const current = await readHead();
      logCursor = current.number;
      await loadRevocations();
      timer = setTimeout(loop, options.pollMs);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    head() {
      if (!head) throw new Error("chain state not started");
      return head;
    },
    now() {
      if (!head) throw new Error("chain state not started");
      return head.timestamp;
    },
    refreshHead: readHead,
    async nonceBlock() {
      const current = head ?? (await readHead());
      const number = current.number - BigInt(confirmations - 1);
      if (number === current.number) {
        // A Keep will bind this block and send it back: remember it so the appraisal needs no RPC.
        blocks.set(current.number, current);
        return current;
      }
      const b = await this.block(number < 0n ? 0n : number);
      if (!b) throw chainError(new Error(`block ${number} not found`), "reading the nonce block");
      return b;
    },
    async block(number) {
      const cached = blocks.get(number);
      if (cached) return cached;
      const b = await rpc(`reading block ${number}`, () =>
        publicClient.getBlock({ blockNumber: number }).catch((e: unknown) => {
          if (e instanceof Error && e.name === "BlockNotFoundError") return undefined;
          throw e;
        }),
      );
      if (!b || b.hash === null) return undefined;
      const info = { number: b.number, hash: b.hash, timestamp: b.timestamp };
      // Only blocks as deep as the confirmations setting are final enough to remember.
      if (head && head.number - number + 1n >= BigInt(confirmations)) {
        if (blocks.size >= 4096) blocks.delete(blocks.keys().next().value as bigint);
        blocks.set(number, info);
      }
      return info;
    },
    async validatorSet() {
      if (!validators || Date.now() - validators.at > validatorRefreshMs) {
        const view = loadValidators();
        validators = { at: Date.now(), view };
        view.catch(() => {
          if (validators?.view === view) validators = undefined;
        });
      }
      return validators.view;
    },
    invalidateValidators() {
      validators = undefined;
    },
    async workload(workloadId) {
      const key = workloadId.toLowerCase() as Hex;
      let entry = workloads.get(key);
      if (!entry) {
        entry = loadWorkload(key);
        workloads.set(key, entry);
        entry.catch(() => workloads.delete(key));
      }
      return entry;
    },
    async revocations(subject, workloadId, entries) {
      if (!revocationLists) {
        revocationsLoading ??= loadRevocations().finally(() => {
          revocationsLoading = undefined;
        });
        await revocationsLoading;
      }
      return revocationLists!.lists.state(subject, workloadId, entries);
    },
    onHead(listener) {
      headListeners.push(listener);
    },
    lastContact: () => contact,
  };
}
