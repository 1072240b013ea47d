/**
 * The KeyRegistry at the chain edge (docs/key-release.md): deploy it beside a keepledger deployment, the
 * owner's key operations, validators' key-service keys and receipt commits, and the reads every validator
 * makes before releasing a share. Pure data in and out; the codecs are in packages/sdk/src/ids/keyIds.ts.
 */
import { getAddress, parseEventLogs, type Address, type Hex } from "viem";
import { UsageError } from "../errors/index.ts";
import { releaseRefusalName, type ReleaseReceipt, type ReleaseRefusal, type Verdict } from "../ids/index.ts";
import { CHAIN_CODES } from "./codes.ts";
import type { Deployment } from "./deploymentTypes.ts";
import { keyRegistryAbi, keyRegistryBytecode } from "./generated/index.ts";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

/** Who may receive a key (KeyRegistry.ReleasePolicy). */
export interface ReleasePolicy {
  /** Keeps of this workload may receive the key too; zero: none. */
  secondWorkloadId: Hex;
  /** Bitmask of 1 << TcbStatus code; never Unknown (0) or Revoked (7). */
  acceptedTcbStatuses: number;
  /** Only on dev deployments. */
  allowDebug: boolean;
}

export interface KeyVersionInfo {
  threshold: number;
  createdAt: bigint;
  retiredAt: bigint;
  shareCommitment: Hex;
  shareholders: Address[];
}

export interface KeyInfo {
  workloadId: Hex;
  latestVersion: number;
  createdAt: bigint;
  name: string;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** The default release policy: UpToDate and NotApplicable (as the default workload policy), no debug. */
export function defaultReleasePolicy(): ReleasePolicy {
  return { secondWorkloadId: ZERO32, acceptedTcbStatuses: 0x102, allowDebug: false };
}

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

/** KeyRegistry.releaseCheck at the latest block (or `blockNumber`): the refusal's name, "None" to release. */
export async function releaseCheck(
  clients: Pick<ChainClients, "publicClient">,
  keyRegistry: Address,
  keyId: Hex,
  version: number,
  verdict: Verdict,
  blockNumber?: bigint,
): Promise<ReleaseRefusal> {
  try {
    const code = await clients.publicClient.readContract({
      address: keyRegistry,
      abi: keyRegistryAbi,
      functionName: "releaseCheck",
      args: [keyId, version, verdict],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    });
    return releaseRefusalName(Number(code));
  } catch (error) {
    throw chainError(error, "reading KeyRegistry.releaseCheck");
  }
}

export async function keyOf(clients: Pick<ChainClients, "publicClient">, keyRegistry: Address, keyId: Hex): Promise<KeyInfo> {
  const k = await clients.publicClient.readContract({ address: keyRegistry, abi: keyRegistryAbi, functionName: "keyOf", args: [keyId] });
  return { workloadId: k.workloadId, latestVersion: Number(k.latestVersion), createdAt: k.createdAt, name: k.name };
}

export async function keyVersionOf(
  clients: Pick<ChainClients, "publicClient">,
  keyRegistry: Address,
  keyId: Hex,
  version: number,
): Promise<KeyVersionInfo> {
  const v = await clients.publicClient.readContract({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "versionOf",
    args: [keyId, version],
  });
  return {
    threshold: Number(v.threshold),
    createdAt: v.createdAt,
    retiredAt: v.retiredAt,
    shareCommitment: v.shareCommitment,
    shareholders: v.shareholders.map((a) => getAddress(a)),
  };
}

export async function keyServiceKeyOf(
  clients: Pick<ChainClients, "publicClient">,
  keyRegistry: Address,
  validator: Address,
): Promise<{ publicKey: Hex; setAt: bigint; attested: boolean }> {
  const [publicKey, setAt, attested] = await clients.publicClient.readContract({
    address: keyRegistry,
    abi: keyRegistryAbi,
    functionName: "keyServiceKeyOf",
    args: [validator],
  });
  return { publicKey, setAt, attested };
}
