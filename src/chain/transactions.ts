/**
 * Sending a contract call and waiting for it through viem (the node's, the CLI's and the tests' plumbing;
 * the light SDK sends through its own signer layer, packages/sdk/src/chain/signer.ts), with the
 * contract's custom error decoded: a refused call becomes a UsageError CHAIN_REVERTED whose details
 * carry the error name and arguments.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { InfrastructureError, UsageError, isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { keepledgerErrorAbi } from "@keepledger/sdk/internal/chain/errorsAbi";

export interface ChainClients {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
}

export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

export interface SendResult<T = unknown> {
  hash: Hash;
  receipt: TransactionReceipt;
  /** The function's return value, as simulated just before sending. */
  result: T;
}

/** The custom error of a reverted call, when the revert data decodes against the ABI. */
export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
}

export function decodeRevert(error: unknown): DecodedRevert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data === undefined) return undefined;
  return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
}

/** Wraps any failure of a chain call into the keepledger error it stands for. */
export function chainError(error: unknown, what: string): KeepledgerError {
  if (isKeepledgerError(error)) return error;
  const revert = decodeRevert(error);
  if (revert) {
    return new UsageError(CHAIN_CODES.CHAIN_REVERTED, `${what} reverted with ${revert.errorName}`, {
      details: { errorName: revert.errorName, args: revert.args },
      cause: error,
    });
  }
  const short = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
  return new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `${what} failed: ${short}`, { cause: error });
}

/** Simulates the call (to decode a revert), sends it and waits for a successful receipt. */
export async function sendContractCall<T = unknown>(clients: ChainClients, call: ContractCall): Promise<SendResult<T>> {
  const what = call.functionName;
  let hash: Hash;
  let result: T;
  try {
    const simulated = await clients.publicClient.simulateContract({
      address: call.address,
      // The target's ABI plus every keepledger error, so a revert from a hook in another contract decodes.
      abi: [...call.abi, ...keepledgerErrorAbi],
      functionName: call.functionName,
      args: call.args ?? [],
      account: clients.walletClient.account,
      // The transaction executes in the next block; simulate there (block.number and timestamp as it will see them).
      blockTag: "pending",
    } as Parameters<typeof clients.publicClient.simulateContract>[0]);
    result = simulated.result as T;
    hash = await clients.walletClient.writeContract(simulated.request as Parameters<typeof clients.walletClient.writeContract>[0]);
  } catch (error) {
    throw chainError(error, what);
  }
  let receipt: TransactionReceipt;
  try {
    receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  } catch (error) {
    throw chainError(error, what);
  }
  if (receipt.status !== "success") {
    throw new InfrastructureError(CHAIN_CODES.CHAIN_TRANSACTION_FAILED, `${what} transaction ${hash} did not succeed`, {
      details: { hash, status: receipt.status },
    });
  }
  return { hash, receipt, result };
}
