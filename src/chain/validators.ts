/** Governance of the ValidatorSet and validators' own operations. */
import type { Address, Hex } from "viem";
import { loggingProfileCode, normalizeVerdict, type LoggingProfile, type Verdict } from "@keepledger/sdk/internal/ids/index";
import type { Deployment } from "./deployment.ts";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export interface ValidatorSpec {
  address: Address;
  endpoint: string;
  loggingProfile: LoggingProfile;
}

export interface ScheduledResult {
  hash: Hex;
  gasUsed: bigint;
  /** When the change takes effect (now + governance delay). */
  effectiveAt: bigint;
}

async function govern(
  clients: ChainClients,
  deployment: Deployment,
  functionName: string,
  args: readonly unknown[],
): Promise<ScheduledResult> {
  const sent = await sendContractCall<bigint>(clients, {
    address: deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName,
    args,
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed, effectiveAt: sent.result };
}

export function addValidator(clients: ChainClients, deployment: Deployment, v: ValidatorSpec): Promise<ScheduledResult> {
  return govern(clients, deployment, "addValidator", [v.address, v.endpoint, loggingProfileCode(v.loggingProfile)]);
}

/** Adds a validator that counts without its own verdict until the bootstrap closes. */
export function bootstrapValidator(clients: ChainClients, deployment: Deployment, v: ValidatorSpec): Promise<ScheduledResult> {
  return govern(clients, deployment, "bootstrapValidator", [v.address, v.endpoint, loggingProfileCode(v.loggingProfile)]);
}

export function removeValidator(clients: ChainClients, deployment: Deployment, validator: Address): Promise<ScheduledResult> {
  return govern(clients, deployment, "removeValidator", [validator]);
}

export function setThreshold(clients: ChainClients, deployment: Deployment, k: number): Promise<ScheduledResult> {
  return govern(clients, deployment, "setThreshold", [k]);
}

export function setValidatorWorkload(clients: ChainClients, deployment: Deployment, workloadId: Hex): Promise<ScheduledResult> {
  return govern(clients, deployment, "setValidatorWorkload", [workloadId]);
}

export function closeBootstrap(clients: ChainClients, deployment: Deployment): Promise<ScheduledResult> {
  return govern(clients, deployment, "closeBootstrap", []);
}

/** Attaches a validator's own (finalized, live) verdict; anyone may send this. */
export async function attachVerdict(
  clients: ChainClients,
  deployment: Deployment,
  validator: Address,
  v: Verdict,
): Promise<{ hash: Hex; gasUsed: bigint }> {
  const sent = await sendContractCall(clients, {
    address: deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "attachVerdict",
    args: [validator, normalizeVerdict(v)],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

/** Lifts a validator's revocation (GOVERNOR_ROLE); it counts again once it attaches a live verdict. */
export async function reinstateValidator(
  clients: ChainClients,
  deployment: Deployment,
  validator: Address,
): Promise<{ hash: Hex; gasUsed: bigint }> {
  const sent = await sendContractCall(clients, {
    address: deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "reinstateValidator",
    args: [validator],
  });
  return { hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

export async function readQuorum(
  clients: Pick<ChainClients, "publicClient">,
  deployment: Deployment,
): Promise<{ validators: Address[]; threshold: number }> {
  try {
    const [validators, threshold] = await Promise.all([
      clients.publicClient.readContract({ address: deployment.contracts.validatorSet, abi: validatorSetAbi, functionName: "validators" }),
      clients.publicClient.readContract({ address: deployment.contracts.validatorSet, abi: validatorSetAbi, functionName: "threshold" }),
    ]);
    return { validators: [...validators], threshold };
  } catch (error) {
    throw chainError(error, "reading the validator set");
  }
}
