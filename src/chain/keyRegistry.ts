/**
 * The KeyRegistry's writes through viem (docs/key-release.md): deploy it beside a keepledger deployment,
 * the owner's key operations, validators' key-service keys and receipt commits — the node's, the CLI's
 * and the tests' plumbing. The reads and the types are the light SDK's (re-exported here, so one import
 * serves); dApps create keys through the SDK's createKey, which sends with any signer.
 */
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import type { ReleaseReceipt } from "@keepledger/sdk/internal/ids/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import type { Deployment } from "@keepledger/sdk/internal/chain/deploymentTypes";
import { keyRegistryAbi, keyRegistryBytecode } from "@keepledger/sdk/internal/chain/generated/index";
import type { ReleasePolicy } from "@keepledger/sdk/internal/chain/keys";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export * from "@keepledger/sdk/internal/chain/keys";

export interface DeployKeyRegistryOptions {
  /** DEFAULT_ADMIN_ROLE (default: the deployer). */
  admin?: Address;
  /** GOVERNOR_ROLE (default: the admin). */
  governor?: Address;
  /** Admin transfer delay in seconds (default 3 days, 0 on dev deployments). */
  adminDelay?: bigint;
}

/** Deploys a KeyRegistry reading the deployment's AttestationRegistry (and through it the other two). */
export async function deployKeyRegistry(
  clients: ChainClients,
  deployment: Deployment,
  options: DeployKeyRegistryOptions = {},
): Promise<{ address: Address; block: bigint; hash: Hex }> {
  const { publicClient, walletClient } = clients;
  const admin = getAddress(options.admin ?? walletClient.account.address);
  const governor = getAddress(options.governor ?? admin);
  const adminDelay = options.adminDelay ?? (deployment.devPoliciesAllowed ? 0n : 3n * 86_400n);
  let hash: Hex;
  try {
    hash = await walletClient.deployContract({
      abi: keyRegistryAbi,
      bytecode: keyRegistryBytecode,
      args: [admin, governor, deployment.contracts.attestationRegistry, Number(adminDelay)],
    });
  } catch (error) {
    throw chainError(error, "deploying the KeyRegistry");
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_MISMATCH, "deploying the KeyRegistry failed", { details: { hash } });
  }
  return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber, hash };
}

export interface CreateKeyVersionInput {
  threshold: number;
  shareholders: readonly Address[];
  shareHashes: readonly Hex[];
}

export async function createKeyOnChain(
  clients: ChainClients,
  keyRegistry: Address,
  input: CreateKeyVersionInput & { workloadId: Hex; name: string; policy: ReleasePolicy },
): Promise<{ keyId: Hex; hash: Hex; gasUsed: bigint }> {
  const sent = await sendContractCall<Hex>(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "createKey",
    args: [input.workloadId, input.name, input.policy, input.threshold, input.shareholders, input.shareHashes],
  });
  return { keyId: sent.result, hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

export async function rotateKeyOnChain(
  clients: ChainClients,
  keyRegistry: Address,
  keyId: Hex,
  input: CreateKeyVersionInput,
): Promise<{ version: number; hash: Hex; gasUsed: bigint }> {
  const sent = await sendContractCall<number>(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "rotateKey",
    args: [keyId, input.threshold, input.shareholders, input.shareHashes],
  });
  return { version: Number(sent.result), hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

export async function retireKeyVersion(clients: ChainClients, keyRegistry: Address, keyId: Hex, version: number): Promise<Hex> {
  const sent = await sendContractCall(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "retireVersion",
    args: [keyId, version],
  });
  return sent.hash;
}

export async function setReleasePolicy(
  clients: ChainClients,
  keyRegistry: Address,
  keyId: Hex,
  policy: ReleasePolicy,
): Promise<{ effectiveAt: bigint; hash: Hex }> {
  const sent = await sendContractCall<bigint>(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "setReleasePolicy",
    args: [keyId, policy],
  });
  return { effectiveAt: sent.result, hash: sent.hash };
}

export async function setKeyServiceKey(clients: ChainClients, keyRegistry: Address, publicKey: Hex): Promise<Hex> {
  const sent = await sendContractCall(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "setKeyServiceKey",
    args: [publicKey],
  });
  return sent.hash;
}

/** Commits receipts from the calling validator; returns their Merkle root and the gas of the commit. */
export async function commitReleaseReceipts(
  clients: ChainClients,
  keyRegistry: Address,
  receipts: readonly ReleaseReceipt[],
): Promise<{ root: Hex; hash: Hex; gasUsed: bigint }> {
  const sent = await sendContractCall<Hex>(clients, {
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "commitReleaseReceipts",
    args: [receipts],
  });
  const [event] = parseEventLogs({ abi: keyRegistryAbi, logs: sent.receipt.logs, eventName: "ReleaseReceiptsCommitted" });
  return { root: event?.args.root ?? sent.result, hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}
