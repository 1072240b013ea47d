/**
 * A deployed keepledger on the in-process EDR chain for contract tests: three contracts wired, a workload
 * with SGX, TDX and debug measurements, bootstrapped validators with deterministic keys, and helpers to
 * build, sign and send verdicts and to assert custom errors. Tests isolate themselves with snapshot().
 */
import { expect } from "vitest";
import { getAddress, keccak256, stringToBytes, type Abi, type Address, type Hex, type TransactionReceipt } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { deployKeepledger, type DeployKeepledgerOptions } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import { attestationRegistryAbi, validatorSetAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { keepledgerClient, type KeepledgerClient } from "../../src/chain/keepledgerClient.ts";
import { sendContractCall, type ChainClients } from "../../src/chain/transactions.ts";
import { bootstrapValidator, setThreshold } from "../../src/chain/validators.ts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { defaultPolicy } from "../../src/policy/types.ts";
import { devAccounts } from "../../src/dev/devAccounts.ts";
import { quorumSignBatch, quorumSignVerdict } from "../../src/dev/quorum.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { TCB_STATUS_CODES, TEE_KIND_CODES, type Verdict, type VerdictGroup } from "@keepledger/sdk/internal/ids/index";

export interface TestbedOptions extends DeployKeepledgerOptions {
  /** How many validators to bootstrap (default 3; 0 for none). */
  validators?: number;
  /** Threshold to set when validators are bootstrapped (default 2). */
  threshold?: number;
  /** Register the "app" workload with measurements (default true). */
  workload?: boolean;
}

export type ContractName = "workloadRegistry" | "validatorSet" | "attestationRegistry";

const ABIS: Record<ContractName, Abi> = {
  workloadRegistry: workloadRegistryAbi,
  validatorSet: validatorSetAbi,
  attestationRegistry: attestationRegistryAbi,
};

export interface Testbed {
  chain: InProcessChain;
  /** Deployer, admin, governor and workload owner. */
  admin: Address;
  /** Another funded account with no role. */
  stranger: Address;
  clients: ChainClients;
  deployment: Deployment;
  client: KeepledgerClient;
  validators: PrivateKeyAccount[];
  workloadId: Hex;
  measurements: { sgx: Hex; tdx: Hex; debug: Hex };
  /** Clients sending from another funded account. */
  as(account: Address): ChainClients;
  /** Lets `account` (e.g. a validator key) send transactions: impersonated and funded. */
  impersonate(account: Address): Promise<ChainClients>;
  /** Sends a call to one of the three contracts (from the admin unless `from` is given). */
  send(contract: ContractName, functionName: string, args: readonly unknown[], from?: Address): Promise<TransactionReceipt>;
  read<T = unknown>(contract: ContractName, functionName: string, args?: readonly unknown[]): Promise<T>;
  /** A verdict on the SGX measurement for `subject`, issued at the latest block time, valid one day. */
  verdict(subject: Address, overrides?: Partial<Verdict>): Promise<Verdict>;
  sign(v: Verdict, signers?: readonly PrivateKeyAccount[]): Promise<Hex>;
  signBatch(root: Hex, count: number, signers?: readonly PrivateKeyAccount[]): Promise<Hex>;
  group(subjects: readonly Address[], overrides?: Partial<VerdictGroup>): Promise<VerdictGroup>;
  /** Snapshot the chain; the returned function restores it. */
  snapshot(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function startTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  const chain = await connectInProcessChain();
  const admin = getAddress(chain.accounts[0] as Address);
  const stranger = getAddress(chain.accounts[1] as Address);
  const as = (account: Address): ChainClients => ({ publicClient: chain.publicClient, walletClient: chain.walletClient(account) });
  const clients = as(admin);
  const { deployment } = await deployKeepledger(clients, { devPoliciesAllowed: true, ...options });
  const client = keepledgerClient(clients, deployment);
  const validators = devAccounts("keepledger.test.validator", Math.max(options.validators ?? 3, 8));
  const active = validators.slice(0, options.validators ?? 3);

  let workloadId: Hex = `0x${"00".repeat(32)}`;
  const measurements = { sgx: workloadId, tdx: workloadId, debug: workloadId };
  if (options.workload ?? true) {
    workloadId = (await registerWorkload(clients, deployment, "app", "ipfs://app")).workloadId;
    measurements.sgx = (
      await addMeasurement(clients, deployment, workloadId, 1, {
        tee: "sgx",
        mrenclave: keccak256(stringToBytes("app enclave")),
        mrsigner: `0x${"00".repeat(32)}`,
        isvProdId: 0,
        minIsvSvn: 0,
      })
    ).measurementHash;
    measurements.tdx = (
      await addMeasurement(clients, deployment, workloadId, 1, {
        tee: "tdx",
        mrtd: `0x${"11".repeat(48)}`,
        rtmr0: `0x${"22".repeat(48)}`,
        rtmr1: `0x${"33".repeat(48)}`,
        rtmr2: `0x${"44".repeat(48)}`,
        rtmr3: `0x${"00".repeat(48)}`,
      })
    ).measurementHash;
    if (deployment.devPoliciesAllowed) {
      measurements.debug = (
        await addMeasurement(clients, deployment, workloadId, 1, { tee: "debug", measurement: keccak256(stringToBytes("app debug")) })
      ).measurementHash;
    }
  }
  for (const v of active) {
    await bootstrapValidator(clients, deployment, {
      address: v.address,
      endpoint: "https://validator.example",
      loggingProfile: "production",
    });
  }
  if (active.length > 0) await setThreshold(clients, deployment, options.threshold ?? 2);
  // Wait out the governance delay (validators, threshold) and the policy delay (the new measurements).
  const wait = [options.governanceDelay ?? 0n, options.policyDelay ?? 0n].reduce((a, b) => (a > b ? a : b));
  if (wait > 0n) await chain.increaseTime(wait);

  const testbed: Testbed = {
    chain,
    admin,
    stranger,
    clients,
    deployment,
    client,
    validators,
    workloadId,
    measurements,
    as,
    async impersonate(account) {
      await chain.testClient.impersonateAccount({ address: account });
      await chain.testClient.setBalance({ address: account, value: 10n ** 20n });
      return as(account);
    },
    async send(contract, functionName, args, from) {
      const sender =
        from === undefined
          ? clients
          : chain.accounts.some((a) => getAddress(a) === getAddress(from))
            ? as(from)
            : await testbed.impersonate(from);
      const sent = await sendContractCall(sender, { address: deployment.contracts[contract], abi: ABIS[contract], functionName, args });
      return sent.receipt;
    },
    async read<T>(contract: ContractName, functionName: string, args: readonly unknown[] = []) {
      return (await chain.publicClient.readContract({
        address: deployment.contracts[contract],
        abi: ABIS[contract],
        functionName,
        args,
      })) as T;
    },
    async verdict(subject, overrides = {}) {
      const block = await chain.publicClient.getBlock();
      return {
        workloadId,
        measurementHash: measurements.sgx,
        tee: TEE_KIND_CODES.sgx,
        tcbStatus: TCB_STATUS_CODES.UpToDate,
        subject,
        evidenceHash: keccak256(stringToBytes(`evidence of ${subject} at ${block.number}`)),
        collateralHash: keccak256(stringToBytes("collateral")),
        issuedAt: block.timestamp,
        expiresAt: block.timestamp + 86_400n,
        freshnessBlock: block.number,
        ...overrides,
      };
    },
    sign: (v, signers = active.slice(0, options.threshold ?? 2)) => quorumSignVerdict(signers, v, client.domain),
    signBatch: (root, count, signers = active.slice(0, options.threshold ?? 2)) => quorumSignBatch(signers, root, count, client.domain),
    async group(subjects, overrides = {}) {
      const block = await chain.publicClient.getBlock();
      return {
        workloadId,
        measurementHash: measurements.sgx,
        tee: TEE_KIND_CODES.sgx,
        tcbStatus: TCB_STATUS_CODES.UpToDate,
        collateralHash: keccak256(stringToBytes("collateral")),
        issuedAt: block.timestamp,
        expiresAt: block.timestamp + 86_400n,
        items: subjects.map((subject, i) => ({
          subject,
          evidenceHash: keccak256(stringToBytes(`batch evidence ${subject} ${i}`)),
          freshnessBlock: block.number,
        })),
        ...overrides,
      };
    },
    async snapshot() {
      const id = await chain.testClient.snapshot();
      return async () => {
        await chain.testClient.revert({ id });
      };
    },
    close: () => chain.close(),
  };
  return testbed;
}

/** A dev policy that also allows the debug kind and, optionally, unbound evidence. */
export function devPolicy(allowUnboundEvidence = false) {
  return { ...defaultPolicy(), allowedTees: ["sgx", "tdx", "sev-snp", "nitro", "debug"] as const, dev: true, allowUnboundEvidence };
}

export { schedulePolicy };

/** Awaits `action` and asserts it reverted with the custom error `errorName` (and `args`, if given). */
export async function expectRevert(action: Promise<unknown>, errorName: string, args?: readonly unknown[]): Promise<void> {
  let failure: unknown;
  try {
    await action;
  } catch (error) {
    failure = error;
  }
  expect(failure, `expected a revert with ${errorName}`).toBeDefined();
  expect(isKeepledgerError(failure) ? failure.code : failure).toBe("CHAIN_REVERTED");
  const details = isKeepledgerError(failure) ? (failure.details as { errorName?: string; args?: readonly unknown[] }) : {};
  expect(details.errorName).toBe(errorName);
  if (args !== undefined) expect(normalize(details.args ?? [])).toEqual(normalize(args));
}

function normalize(values: readonly unknown[]): unknown[] {
  return values.map((v) =>
    typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? getAddress(v) : typeof v === "number" ? BigInt(v) : v,
  );
}

/**
 * Simulates deploying `bytecode` with `args` and, when the constructor reverts, throws the decoded
 * custom error as CHAIN_REVERTED (so expectRevert applies to constructors too).
 */
export async function simulateDeploy(testbed: Testbed, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<void> {
  const { encodeDeployData, decodeErrorResult } = await import("viem");
  const { keepledgerErrorAbi } = await import("@keepledger/sdk/internal/chain/errorsAbi");
  const { UsageError } = await import("@keepledger/sdk/internal/errors/index");
  try {
    await testbed.chain.publicClient.call({ account: testbed.admin, data: encodeDeployData({ abi, bytecode, args }) });
  } catch (error) {
    const data = revertDataOf(error);
    if (!data) throw error;
    const decoded = decodeErrorResult({ abi: [...keepledgerErrorAbi], data });
    throw new UsageError("CHAIN_REVERTED", `constructor reverted with ${decoded.errorName}`, {
      details: { errorName: decoded.errorName, args: decoded.args ?? [] },
    });
  }
}

/** The first revert data (0x + selector at least) found along an error's cause chain. */
function revertDataOf(error: unknown): Hex | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === "object" && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex;
  }
  return undefined;
}
