/**
 * A contract call the SDK sends through a caller's signer (sdk/signer.ts): simulated first at the pending
 * block (the block it will run in), so a refusal is the contract's custom error (CHAIN_REVERTED) before
 * anything is signed, and its return value is known; then sent, and its receipt awaited.
 */
import { CHAIN_CODES } from "../chain/codes.ts";
import { rpcError, type Receipt } from "../chain/rpc.ts";
import { InfrastructureError } from "../errors/KeepledgerError.ts";
import { decodeFunctionResult, encodeFunctionData, type Abi } from "../util/abi.ts";
import type { Address, Hex } from "../util/hex.ts";
import type { Signer } from "./signer.ts";

export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
}

export interface SentCall<T> {
  hash: Hex;
  receipt: Receipt;
  /** The function's return value, as simulated just before sending. */
  result: T;
}

/** Simulates, sends and waits; a mined but reverted transaction is `failedCode` (InfrastructureError) with details.txHash. */
export async function sendCall<T = unknown>(
  signer: Signer,
  call: ContractCall,
  failedCode: string = CHAIN_CODES.CHAIN_TRANSACTION_FAILED,
): Promise<SentCall<T>> {
  const rpc = signer.rpc();
  const what = call.functionName;
  const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] });
  const from = await signer.address();
  const simulated = await rpc.call({ from, to: call.address, data }, "pending", call.abi, what);
  let result: T;
  try {
    result = (simulated === "0x" ? undefined : decodeFunctionResult({ abi: call.abi, functionName: what, data: simulated })) as T;
  } catch (error) {
    throw rpcError(error, `decoding ${what}'s simulated result`);
  }
  let hash: Hex;
  try {
    hash = await signer.sendTransaction({ to: call.address, data });
  } catch (error) {
    throw rpcError(error, `sending ${what}`, call.abi);
  }
  const receipt = await rpc.waitForReceipt(hash);
  if (receipt.status !== "success") {
    throw new InfrastructureError(failedCode, `${what} transaction ${hash} reverted`, { details: { txHash: hash, hash } });
  }
  return { hash, receipt, result };
}
