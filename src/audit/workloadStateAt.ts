/**
 * A workload's policy and measurements as they were in force at a moment, rebuilt from the
 * WorkloadRegistry's events with the contract's own rules (docs/contracts.md): a policy scheduled with
 * a delay is pending until its effectiveAt; scheduling again replaces a pending policy that is not in
 * force yet; a zero delay puts the policy in force at once. Validators appraise with the policy in force
 * at the chain's time, so this is what an audit re-appraises with.
 */
import { decodeEventLog, hexToNumber, type Hex } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import { cpakAllowListAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { fromChainPolicy, type ChainPolicy } from "../chain/policy.ts";
import type { WorkloadPolicy } from "../policy/types.ts";
import { teeKindFromCode } from "@keepledger/sdk/internal/ids/enums";
import { getHeaders, headBlockNumber, type ChainSource } from "../indexer/chainSource.ts";
import { createLogDecoder, type DecodedLog } from "../indexer/decodeLogs.ts";
import type { ApprovedMeasurement } from "../policy/types.ts";
import { eventTopic } from "./findVerdictRecord.ts";
import { scanLogs } from "./scanLogs.ts";

export interface ScheduledPolicy {
  policy: WorkloadPolicy;
  effectiveAt: bigint;
  /** When it was scheduled (block time). */
  scheduledAt: bigint;
  blockNumber: number;
}

export interface WorkloadStateAt {
  /** The policy in force at the moment (undefined before the workload was registered). */
  policy: ScheduledPolicy | undefined;
  measurements: ApprovedMeasurement[];
  /** The CPAK identities of the workload's allow-list in force at the moment (Arm CCA platform keys). */
  allowedCpaks: Hex[];
}

/** The policy in force at `time` given every schedule in log order (the lazy activation of the contract). */
export function policyInForceAt(schedules: readonly ScheduledPolicy[], time: bigint): ScheduledPolicy | undefined {
  let current: ScheduledPolicy | undefined;
  let pending: ScheduledPolicy | undefined;
  for (const s of schedules) {
    if (s.scheduledAt > time) break;
    // A pending policy already in force is promoted; either way the new schedule replaces what is pending.
    if (pending && pending.effectiveAt <= s.scheduledAt) current = pending;
    if (s.effectiveAt <= s.scheduledAt) {
      current = s;
      pending = undefined;
    } else {
      pending = s;
    }
  }
  if (pending && pending.effectiveAt <= time) current = pending;
  return current;
}

/** The workload's policy and measurements in force at `time` (unix seconds), from the chain's events. */
export async function workloadStateAt(chain: ChainSource, deployment: Deployment, workloadId: Hex, time: bigint): Promise<WorkloadStateAt> {
  const decoder = createLogDecoder(deployment);
  const address = deployment.contracts.workloadRegistry;
  const fromBlock = Number(deployment.deployBlock);
  const toBlock = await headBlockNumber(chain);
  const topic1 = workloadId.toLowerCase() as Hex;
  const names = ["PolicyScheduled", "MeasurementAdded", "MeasurementRevoked"] as const;
  const logs = (
    await Promise.all(
      names.map((name) => scanLogs(chain, { address, topics: [eventTopic(workloadRegistryAbi, name), topic1], fromBlock, toBlock })),
    )
  )
    .flat()
    .map((l) => decoder.decode(l))
    .filter((l): l is DecodedLog => l !== null)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const headers = await getHeaders(chain, [...new Set(logs.map((l) => l.blockNumber))]);
  const timeOf = (l: DecodedLog) => BigInt(headers.get(l.blockNumber)?.timestamp ?? Number.MAX_SAFE_INTEGER);

  const schedules: ScheduledPolicy[] = logs
    .filter((l) => l.eventName === "PolicyScheduled")
    .map((l) => ({
      policy: fromChainPolicy(l.args.policy as ChainPolicy),
      effectiveAt: l.args.effectiveAt as bigint,
      scheduledAt: timeOf(l),
      blockNumber: l.blockNumber,
    }));
  const revokedAt = new Map<string, bigint>();
  for (const l of logs)
    if (l.eventName === "MeasurementRevoked") revokedAt.set((l.args.measurementHash as string).toLowerCase(), timeOf(l));
  const measurements: ApprovedMeasurement[] = logs
    // In force from its effectiveAt (added + policy delay), not from when it was added.
    .filter((l) => l.eventName === "MeasurementAdded" && (l.args.effectiveAt as bigint) <= time)
    .map((l) => {
      const hash = (l.args.measurementHash as string).toLowerCase() as Hex;
      const revoked = revokedAt.get(hash);
      return {
        hash,
        tee: teeKindFromCode(Number(l.args.tee)),
        version: Number(l.args.version),
        revoked: revoked !== undefined && revoked <= time,
        value: (l.args.value as string).toLowerCase() as Hex,
      };
    });
  return {
    policy: policyInForceAt(schedules, time),
    measurements,
    allowedCpaks: await allowedCpaksAt(chain, deployment, workloadId, time),
  };
}

/**
 * The workload's CPAK allow-list in force at `time`, replayed from the CpakAllowList's events: an allowed
 * CPAK counts from its effectiveAt, a disallowed one stops counting at the block that disallowed it.
 */
async function allowedCpaksAt(chain: ChainSource, deployment: Deployment, workloadId: Hex, time: bigint): Promise<Hex[]> {
  const address = deployment.contracts.cpakAllowList;
  if (address === undefined) return [];
  const topic1 = workloadId.toLowerCase() as Hex;
  const fromBlock = Number(deployment.deployBlock);
  const toBlock = await headBlockNumber(chain);
  const logs = (
    await Promise.all(
      (["CpakAllowed", "CpakDisallowed"] as const).map((name) =>
        scanLogs(chain, { address, topics: [eventTopic(cpakAllowListAbi, name), topic1], fromBlock, toBlock }),
      ),
    )
  )
    .flat()
    .sort((a, b) => hexToNumber(a.blockNumber) - hexToNumber(b.blockNumber) || hexToNumber(a.logIndex) - hexToNumber(b.logIndex));
  const headers = await getHeaders(chain, [...new Set(logs.map((l) => hexToNumber(l.blockNumber)))]);
  const listed = new Map<Hex, bigint>();
  for (const l of logs) {
    if (BigInt(headers.get(hexToNumber(l.blockNumber))?.timestamp ?? Number.MAX_SAFE_INTEGER) > time) break;
    const e = decodeEventLog({ abi: cpakAllowListAbi, topics: l.topics as [Hex, ...Hex[]], data: l.data });
    const id = e.args.cpakId.toLowerCase() as Hex;
    if (e.eventName === "CpakAllowed") listed.set(id, e.args.effectiveAt);
    else listed.delete(id);
  }
  return [...listed].filter(([, effectiveAt]) => effectiveAt <= time).map(([id]) => id);
}
