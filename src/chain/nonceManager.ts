/**
 * Transaction nonces for one sending key: one component owns the key's nonce, so concurrent submissions
 * never race for the same number. The nonce starts from the chain's pending count (so a restart after
 * kill -9 picks up where the mempool is), advances only when a broadcast succeeds, and is re-read from
 * the chain after any failure or a "nonce too low" answer. Broadcasts are serialized; receipts are not,
 * so several transactions can be in flight.
 */
import type { Address, Chain, PublicClient, Transport } from "viem";
import { chainError } from "./transactions.ts";

export interface NonceManager {
  readonly address: Address;
  /**
   * Runs `broadcast` with the next nonce while holding the key: the nonce advances when it resolves; on
   * a failure the nonce is re-read from the chain before the next broadcast and the error is rethrown.
   */
  withNonce<T>(broadcast: (nonce: number) => Promise<T>): Promise<T>;
  /**
   * Forgets the local nonce; the next broadcast re-reads the chain's pending count, or with `mined` the
   * count of mined transactions (after a drop: pending transactions above the freed nonce wait behind it).
   */
  resync(options?: { mined?: boolean }): void;
  /** The nonce the next broadcast would use, if known. */
  peek(): number | undefined;
}

export function createNonceManager(publicClient: PublicClient<Transport, Chain>, address: Address): NonceManager {
  let next: number | undefined;
  let fromMined = false;
  let queue: Promise<unknown> = Promise.resolve();
  const load = async (): Promise<number> => {
    try {
      const blockTag = fromMined ? "latest" : "pending";
      fromMined = false;
      return await publicClient.getTransactionCount({ address, blockTag });
    } catch (error) {
      throw chainError(error, "reading the pending nonce");
    }
  };
  return {
    address,
    withNonce<T>(broadcast: (nonce: number) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        const nonce = next ?? (await load());
        try {
          const out = await broadcast(nonce);
          next = nonce + 1;
          return out;
        } catch (error) {
          next = undefined;
          throw error;
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    resync(options = {}) {
      next = undefined;
      if (options.mined) fromMined = true;
    },
    peek: () => next,
  };
}
