/** Workload owners' operations on the WorkloadRegistry: register, measurements, policies. */
import { parseEventLogs, type Hex } from "viem";
import { teeKindCode } from "@keepledger/sdk/internal/ids/index";
import { encodeMeasurementValue, measurementHash, type Measurement } from "@keepledger/sdk/internal/tee/kindFacts";
import type { Deployment } from "./deployment.ts";
import { cpakAllowListAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { fromChainPolicy, toChainPolicy, type ChainPolicy } from "./policy.ts";
import type { WorkloadPolicy } from "../policy/types.ts";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export interface TxResult {
  hash: Hex;
  gasUsed: bigint;
}

export async function registerWorkload(
  clients: ChainClients,
  deployment: Deployment,
  name: string,
  metadataURI = "",
): Promise<TxResult & { workloadId: Hex }> {
  const sent = await sendContractCall<Hex>(clients, {
    address: deployment.contracts.workloadRegistry,
    abi: workloadRegistryAbi,
    functionName: "registerWorkload",
    args: [name, metadataURI],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed, workloadId: sent.result };
}

export async function addMeasurement(
  clients: ChainClients,
  deployment: Deployment,
  workloadId: Hex,
  version: number,
  measurement: Measurement,
): Promise<TxResult & { measurementHash: Hex; effectiveAt: bigint }> {
  const sent = await sendContractCall<Hex>(clients, {
    address: deployment.contracts.workloadRegistry,
    abi: workloadRegistryAbi,
    functionName: "addMeasurement",
    args: [workloadId, version, teeKindCode(measurement.tee), encodeMeasurementValue(measurement)],
  });
  // Verdicts may rest on it from effectiveAt on (now + the policy delay), as MeasurementAdded says.
  const [added] = parseEventLogs({ abi: workloadRegistryAbi, logs: sent.receipt.logs, eventName: "MeasurementAdded" });
  return {
    hash: sent.hash,
    gasUsed: sent.receipt.gasUsed,
    measurementHash: measurementHash(measurement),
    effectiveAt: added?.args.effectiveAt ?? 0n,
  };
}

export async function revokeMeasurement(
  clients: ChainClients,
  deployment: Deployment,
  workloadId: Hex,
  measurementHashToRevoke: Hex,
): Promise<TxResult> {
  const sent = await sendContractCall(clients, {
    address: deployment.contracts.workloadRegistry,
    abi: workloadRegistryAbi,
    functionName: "revokeMeasurement",
    args: [workloadId, measurementHashToRevoke],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

export async function schedulePolicy(
  clients: ChainClients,
  deployment: Deployment,
  workloadId: Hex,
  policy: WorkloadPolicy,
): Promise<TxResult & { effectiveAt: bigint }> {
  const sent = await sendContractCall<bigint>(clients, {
    address: deployment.contracts.workloadRegistry,
    abi: workloadRegistryAbi,
    functionName: "schedulePolicy",
    args: [workloadId, toChainPolicy(policy)],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed, effectiveAt: sent.result };
}

/** The policy in force now and since when. */
export async function policyOf(
  clients: Pick<ChainClients, "publicClient">,
  deployment: Deployment,
  workloadId: Hex,
): Promise<{ policy: WorkloadPolicy; effectiveAt: bigint }> {
  try {
    const [policy, effectiveAt] = await clients.publicClient.readContract({
      address: deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "policyOf",
      args: [workloadId],
    });
    return { policy: fromChainPolicy(policy as ChainPolicy), effectiveAt };
  } catch (error) {
    throw chainError(error, "policyOf");
  }
}

/** One entry of a workload's CPAK allow-list (Arm CCA platform attestation keys, docs/contracts.md). */
export interface AllowedCpak {
  /** cpakId (src/ids): sha256 of the key's SubjectPublicKeyInfo DER. */
  cpakId: Hex;
  /** Unix seconds from which validators accept it (allowing waits for the policy delay). */
  effectiveAt: bigint;
}

function cpakAllowListOf(deployment: Deployment): Hex {
  const address = deployment.contracts.cpakAllowList;
  if (address === undefined) {
    throw new UsageError(
      CHAIN_CODES.CHAIN_DEPLOYMENT_FILE,
      "the deployment has no CpakAllowList (deployed before Arm CCA platform keys were listed on-chain): deploy one and add contracts.cpakAllowList",
      { at: { field: "contracts.cpakAllowList" } },
    );
  }
  return address;
}

/** Allows a CPAK for the workload (owner only); validators accept it from the returned effectiveAt on. */
export async function allowCpak(
  clients: ChainClients,
  deployment: Deployment,
  workloadId: Hex,
  cpakIdToAllow: Hex,
): Promise<TxResult & { effectiveAt: bigint }> {
  const sent = await sendContractCall<bigint>(clients, {
    address: cpakAllowListOf(deployment),
    abi: cpakAllowListAbi,
    functionName: "allowCpak",
    args: [workloadId, cpakIdToAllow],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed, effectiveAt: sent.result };
}

/** Takes a CPAK off the workload's allow-list (owner or governor), at once. */
export async function disallowCpak(
  clients: ChainClients,
  deployment: Deployment,
  workloadId: Hex,
  cpakIdToDisallow: Hex,
): Promise<TxResult> {
  const sent = await sendContractCall(clients, {
    address: cpakAllowListOf(deployment),
    abi: cpakAllowListAbi,
    functionName: "disallowCpak",
    args: [workloadId, cpakIdToDisallow],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

/** The workload's CPAK allow-list, entries in force and pending (compare effectiveAt with the chain's time). */
export async function allowedCpaksOf(
  clients: Pick<ChainClients, "publicClient">,
  deployment: Deployment,
  workloadId: Hex,
): Promise<AllowedCpak[]> {
  // A deployment from before the list: nothing is allowed.
  if (deployment.contracts.cpakAllowList === undefined) return [];
  try {
    const [ids, effectiveAts] = await clients.publicClient.readContract({
      address: deployment.contracts.cpakAllowList,
      abi: cpakAllowListAbi,
      functionName: "cpaksOf",
      args: [workloadId],
    });
    return ids.map((cpakId, i) => ({ cpakId: cpakId.toLowerCase() as Hex, effectiveAt: effectiveAts[i] ?? 0n }));
  } catch (error) {
    throw chainError(error, "cpaksOf");
  }
}
