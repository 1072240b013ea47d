/**
 * Sending contract calls from a validator's own key with managed nonces, retries and confirmations:
 * estimate (which also decodes a refusal), sign locally, broadcast under the key's nonce manager, then
 * poll for the receipt until it is `confirmations` deep. A contract refusal is returned as an answer
 * (never retried); RPC failures are InfrastructureErrors retried with backoff and jitter.
 */
import {
  BaseError,
  decodeErrorResult,
  encodeFunctionData,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { InfrastructureError, UsageError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { keepledgerErrorAbi } from "@keepledger/sdk/internal/chain/errorsAbi";
import { createNonceManager, type NonceManager } from "./nonceManager.ts";
import { abortableSleep, withRetry, type RetryOptions } from "./retry.ts";
import { chainError, decodeRevert, type ContractCall, type DecodedRevert } from "./transactions.ts";

export interface TransactionSenderOptions {
  /** Blocks a receipt must be deep (1 = included) before a send resolves. Default 1. */
  confirmations?: number;
  /** How long to wait for a receipt before giving up with an InfrastructureError. Default 120 s. */
  receiptTimeoutMs?: number;
  /** How often to poll for receipts and confirmations. Default 250 ms. */
  pollMs?: number;
  /**
   * A broadcast transaction the RPC node no longer knows (no receipt, not pending) for this long was
   * dropped — by a reorg or by the mempool — and the send fails as retryable so that the caller sends
   * again with a fresh nonce. Default 3 s.
   */
  droppedAfterMs?: number;
  /** Gas limit = estimate × this. Default 1.25. */
  gasMultiplier?: number;
  /** Retries of estimation and broadcast on RPC failures. Default 5 attempts after the first. */
  retry?: RetryOptions;
  /** Aborting stops waiting (for shutdown); the send rejects with an InfrastructureError. */
  signal?: AbortSignal;
}

export function defaultTransactionSenderOptions(): Required<Omit<TransactionSenderOptions, "retry" | "signal">> {
  return { confirmations: 1, receiptTimeoutMs: 120_000, pollMs: 250, droppedAfterMs: 3_000, gasMultiplier: 1.25 };
}

export type SendOutcome =
  | { ok: true; hash: Hex; receipt: TransactionReceipt; gasUsed: bigint }
  /** The contract refused the call (at estimation, or the mined transaction reverted). */
  | { ok: false; hash?: Hex; revert?: DecodedRevert; error: KeepledgerError };

export interface SendHooks {
  /** Called once the transaction is broadcast, before waiting: persist the hash to survive a crash. */
  onBroadcast?(hash: Hex, nonce: number): Promise<void> | void;
}

export interface TransactionSender {
  readonly account: LocalAccount;
  readonly nonces: NonceManager;
  send(call: ContractCall, hooks?: SendHooks): Promise<SendOutcome>;
  /** Polls for the receipt of an already broadcast transaction; undefined when it is unknown to the node. */
  findReceipt(hash: Hex): Promise<TransactionReceipt | undefined>;
}

const NONCE_TROUBLE = /nonce too low|nonce has already been used|already known|replacement transaction underpriced|nonce too high/i;

export function createTransactionSender(
  publicClient: PublicClient<Transport, Chain>,
  account: LocalAccount,
  options: TransactionSenderOptions = {},
): TransactionSender {
  const o = { ...defaultTransactionSenderOptions(), ...options };
  const nonces = createNonceManager(publicClient, account.address);
  const chainId = publicClient.chain.id;
  // Fee estimates are reused for a second: a burst of finalizations need not ask for each.
  let fees: { at: number; value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> } | undefined;
  const currentFees = () => {
    if (!fees || Date.now() - fees.at > 1_000) {
      const value = publicClient.estimateFeesPerGas();
      fees = { at: Date.now(), value };
      value.catch(() => (fees = undefined));
    }
    return fees.value;
  };

  const estimate = async (call: ContractCall, data: Hex): Promise<{ gas: bigint } | { revert: DecodedRevert; error: KeepledgerError }> => {
    try {
      const gas = await publicClient.estimateGas({ account: account.address, to: call.address, data, blockTag: "pending" });
      return { gas };
    } catch (error) {
      const decoded = decodeCallRevert(error, call, data);
      if (decoded) return decoded;
      throw chainError(error, `estimating ${call.functionName}`);
    }
  };

  const broadcast = async (call: ContractCall, data: Hex, gas: bigint): Promise<{ hash: Hex; nonce: number }> =>
    nonces.withNonce(async (nonce) => {
      try {
        const { maxFeePerGas, maxPriorityFeePerGas } = await currentFees();
        const serialized = await account.signTransaction({
          chainId,
          type: "eip1559",
          to: call.address,
          data,
          gas,
          nonce,
          maxFeePerGas,
          maxPriorityFeePerGas,
        });
        const hash = await publicClient.sendRawTransaction({ serializedTransaction: serialized });
        return { hash, nonce };
      } catch (error) {
        const message = error instanceof BaseError ? error.details || error.shortMessage : String(error);
        if (NONCE_TROUBLE.test(message)) {
          throw new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `${call.functionName}: the nonce was taken (${message}); resynchronizing`, {
            cause: error,
          });
        }
        throw chainError(error, `sending ${call.functionName}`);
      }
    });

  const waitForReceipt = async (hash: Hex, what: string): Promise<TransactionReceipt> => {
    const deadline = Date.now() + o.receiptTimeoutMs;
    let unknownSince: number | undefined;
    while (Date.now() < deadline) {
      if (o.signal?.aborted) break;
      const receipt = await findReceipt(hash);
      if (!receipt && (await isUnknown(hash))) {
        unknownSince ??= Date.now();
        if (Date.now() - unknownSince >= o.droppedAfterMs) {
          // The nonce it held is free again (a reorg dropped it, or the mempool evicted it): the next
          // broadcast must reuse it, or every later transaction of this key waits behind the gap.
          nonces.resync({ mined: true });
          throw new InfrastructureError(CHAIN_CODES.CHAIN_TRANSACTION_DROPPED, `${what} transaction ${hash} was dropped; send it again`, {
            details: { hash, unknownForMs: Date.now() - unknownSince },
          });
        }
      } else {
        unknownSince = undefined;
      }
      if (receipt) {
        if (o.confirmations <= 1) return receipt;
        try {
          const head = await publicClient.getBlockNumber({ cacheTime: 0 });
          if (head - receipt.blockNumber + 1n >= BigInt(o.confirmations)) {
            // Re-read: a reorganization may have moved or dropped the transaction meanwhile.
            const again = await findReceipt(hash);
            if (again && again.blockHash === receipt.blockHash) return again;
          }
        } catch {
          // An RPC hiccup while counting confirmations: poll again.
        }
      }
      // Waiters poll on a shared clock (multiples of pollMs), so the receipt reads of many transactions
      // in flight go out together (one HTTP request with a batching transport).
      await abortableSleep(o.pollMs - (Date.now() % o.pollMs), o.signal);
    }
    throw new InfrastructureError(CHAIN_CODES.CHAIN_TRANSACTION_FAILED, `${what} transaction ${hash} was not confirmed in time`, {
      details: { hash, confirmations: o.confirmations, timeoutMs: o.receiptTimeoutMs },
    });
  };

  /** The RPC node answers that it has never heard of the transaction (not mined, not pending). */
  const isUnknown = async (hash: Hex): Promise<boolean> => {
    try {
      return (await publicClient.request({ method: "eth_getTransactionByHash", params: [hash] })) === null;
    } catch {
      // Unreachable RPC: that says nothing about the transaction.
      return false;
    }
  };

  const findReceipt = async (hash: Hex): Promise<TransactionReceipt | undefined> => {
    try {
      return await publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if (error instanceof BaseError && error.name === "TransactionReceiptNotFoundError") return undefined;
      // Unreachable RPC: the caller keeps polling until its deadline.
      return undefined;
    }
  };

  return {
    account,
    nonces,
    findReceipt,
    async send(call, hooks = {}) {
      const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args ?? [] } as Parameters<
        typeof encodeFunctionData
      >[0]);
      const estimated = await withRetry(() => estimate(call, data), { ...o.retry, ...(o.signal ? { signal: o.signal } : {}) });
      if ("revert" in estimated) return { ok: false, revert: estimated.revert, error: estimated.error };
      const gas = (estimated.gas * BigInt(Math.round(o.gasMultiplier * 100))) / 100n;
      const { hash, nonce } = await withRetry(() => broadcast(call, data, gas), { ...o.retry, ...(o.signal ? { signal: o.signal } : {}) });
      await hooks.onBroadcast?.(hash, nonce);
      const receipt = await waitForReceipt(hash, call.functionName);
      if (receipt.status === "success") return { ok: true, hash, receipt, gasUsed: receipt.gasUsed };
      // Mined but reverted: the state changed after estimation (e.g. another collector finalized first).
      // Estimating again now names the reason when the contract still refuses.
      const again = await estimate(call, data).catch(() => undefined);
      if (again && "revert" in again) return { ok: false, hash, revert: again.revert, error: again.error };
      return {
        ok: false,
        hash,
        error: new InfrastructureError(CHAIN_CODES.CHAIN_TRANSACTION_FAILED, `${call.functionName} transaction ${hash} reverted`, {
          details: { hash, blockNumber: receipt.blockNumber },
        }),
      };
    },
  };
}

/** A revert whose data decodes against the call's ABI or any keepledger contract's errors. */
function decodeCallRevert(error: unknown, call: ContractCall, data: Hex): { revert: DecodedRevert; error: KeepledgerError } | undefined {
  const revert = decodeRevert(error) ?? decodeRawRevert(error, call);
  if (!revert) return undefined;
  return {
    revert,
    error: new UsageError(CHAIN_CODES.CHAIN_REVERTED, `${call.functionName} reverted with ${revert.errorName}`, {
      details: { errorName: revert.errorName, args: revert.args, selector: data.slice(0, 10) },
      cause: error,
    }),
  };
}

/** estimateGas reports revert data as raw bytes; decode them against the known errors. */
function decodeRawRevert(error: unknown, call: ContractCall): DecodedRevert | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === "object" && depth < 12;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const raw = (e as { data?: unknown }).data;
    const hex =
      typeof raw === "string"
        ? raw
        : typeof raw === "object" && raw !== null && typeof (raw as { data?: unknown }).data === "string"
          ? (raw as { data: string }).data
          : undefined;
    if (hex && /^0x[0-9a-fA-F]{8,}$/.test(hex)) {
      try {
        return decodeRevertData(hex as Hex, call);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function decodeRevertData(data: Hex, call: ContractCall): DecodedRevert {
  const decoded = decodeErrorResult({ abi: [...call.abi.filter((i) => i.type === "error"), ...keepledgerErrorAbi], data });
  return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] };
}
