/**
 * Deploys the keepledger contracts and wires them: WorkloadRegistry and ValidatorSet first, then
 * the AttestationRegistry (which takes both as immutables, keeping them off its hot path's storage),
 * then the one-time setAttestationRegistry on both, the CpakAllowList (which reads the WorkloadRegistry),
 * then the KeyRegistry (which reads all three through the AttestationRegistry). Returns the Deployment
 * description.
 */
import { getAddress, type Address, type Hash, type Hex } from "viem";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import {
  attestationRegistryAbi,
  attestationRegistryBytecode,
  cpakAllowListAbi,
  cpakAllowListBytecode,
  validatorSetAbi,
  validatorSetBytecode,
  workloadRegistryAbi,
  workloadRegistryBytecode,
} from "@keepledger/sdk/internal/chain/generated/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { verifyDeployment, type Deployment } from "./deployment.ts";
import { deployKeyRegistry } from "./keyRegistry.ts";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export interface DeployKeepledgerOptions {
  /**
   * Receives DEFAULT_ADMIN_ROLE on all four contracts (the KeyRegistry's too) (default: the deployer). The role has one holder
   * and moves in two steps (beginDefaultAdminTransfer, then acceptDefaultAdminTransfer after adminDelay).
   */
  admin?: Address;
  /** Receives GOVERNOR_ROLE on all four contracts (default: the admin). */
  governor?: Address;
  /**
   * Allow dev policies, Debug measurements and zero delays. Unsafe: only for development chains.
   * Default false.
   */
  devPoliciesAllowed?: boolean;
  /** ValidatorSet governance delay in seconds (default 2 days, or 0 when dev policies are allowed; production floor 1 day). */
  governanceDelay?: bigint;
  /** WorkloadRegistry policy delay in seconds (default 1 day, or 0 when dev policies are allowed; production floor 1 day). */
  policyDelay?: bigint;
  /** DEFAULT_ADMIN_ROLE transfer delay in seconds on all four contracts (default 3 days, or 0 when dev; production floor 1 day). */
  adminDelay?: bigint;
  /** The designated validator workload, in force at once (default none: set it later by governance). */
  validatorWorkload?: Hex;
  /** Deploy the KeyRegistry too (docs/key-release.md; default true). */
  keyRegistry?: boolean;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;

export function defaultDeployOptions(devPoliciesAllowed = false): Required<Omit<DeployKeepledgerOptions, "admin" | "governor">> {
  return {
    keyRegistry: true,
    devPoliciesAllowed,
    governanceDelay: devPoliciesAllowed ? 0n : 2n * 86_400n,
    policyDelay: devPoliciesAllowed ? 0n : 86_400n,
    adminDelay: devPoliciesAllowed ? 0n : 3n * 86_400n,
    validatorWorkload: ZERO32,
  };
}

export interface DeployKeepledgerResult {
  deployment: Deployment;
  /** The transactions: three deployments, two wiring calls, the CpakAllowList's deployment, then the KeyRegistry's (seven in all). */
  transactions: Hash[];
}

export async function deployKeepledger(clients: ChainClients, options: DeployKeepledgerOptions = {}): Promise<DeployKeepledgerResult> {
  const { publicClient, walletClient } = clients;
  const deployer = getAddress(walletClient.account.address);
  const o = { ...defaultDeployOptions(options.devPoliciesAllowed ?? false), ...stripUndefined(options) };
  const admin = getAddress(options.admin ?? deployer);
  const governor = getAddress(options.governor ?? admin);
  const transactions: Hash[] = [];

  const deploy = async (what: string, request: Parameters<typeof walletClient.deployContract>[0]) => {
    let hash: Hash;
    try {
      hash = await walletClient.deployContract(request);
    } catch (error) {
      throw chainError(error, `deploying the ${what}`);
    }
    transactions.push(hash);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_MISMATCH, `deploying the ${what} failed`, { details: { hash } });
    }
    return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber };
  };

  const workloadRegistry = await deploy("WorkloadRegistry", {
    abi: workloadRegistryAbi,
    bytecode: workloadRegistryBytecode,
    args: [admin, governor, o.devPoliciesAllowed, o.policyDelay, Number(o.adminDelay)],
  });
  const validatorSet = await deploy("ValidatorSet", {
    abi: validatorSetAbi,
    bytecode: validatorSetBytecode,
    args: [admin, governor, o.devPoliciesAllowed, o.governanceDelay, o.validatorWorkload, Number(o.adminDelay)],
  });
  const attestationRegistry = await deploy("AttestationRegistry", {
    abi: attestationRegistryAbi,
    bytecode: attestationRegistryBytecode,
    args: [admin, governor, workloadRegistry.address, validatorSet.address, Number(o.adminDelay)],
  });
  for (const [address, abi] of [
    [workloadRegistry.address, workloadRegistryAbi],
    [validatorSet.address, validatorSetAbi],
  ] as const) {
    const sent = await sendContractCall(clients, {
      address,
      abi,
      functionName: "setAttestationRegistry",
      args: [attestationRegistry.address],
    });
    transactions.push(sent.hash);
  }

  // Arm CCA's per-workload CPAK allow-list: governed by the WorkloadRegistry's owners, governors and delay.
  const cpakAllowList = await deploy("CpakAllowList", {
    abi: cpakAllowListAbi,
    bytecode: cpakAllowListBytecode,
    args: [workloadRegistry.address],
  });

  const core: Deployment = {
    chainId: await publicClient.getChainId(),
    contracts: {
      workloadRegistry: workloadRegistry.address,
      validatorSet: validatorSet.address,
      attestationRegistry: attestationRegistry.address,
      cpakAllowList: cpakAllowList.address,
    },
    deployBlock: workloadRegistry.block,
    deployer,
    devPoliciesAllowed: o.devPoliciesAllowed,
  };
  let deployment = core;
  if (o.keyRegistry) {
    const keyRegistry = await deployKeyRegistry(clients, core, { admin, governor, adminDelay: o.adminDelay });
    transactions.push(keyRegistry.hash);
    deployment = { ...core, contracts: { ...core.contracts, keyRegistry: keyRegistry.address } };
  }
  await verifyDeployment(publicClient, deployment);
  return { deployment, transactions };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
