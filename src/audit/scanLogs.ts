/** eth_getLogs over a block range with topic filters, halving the range when the node refuses it. */
import type { Hex } from "viem";
import { getLogs, RangeTooLargeError, type ChainSource } from "../indexer/chainSource.ts";
import type { RawLog } from "../indexer/decodeLogs.ts";

export interface LogFilter {
  address: Hex | Hex[];
  /** topic0 and the indexed arguments; null matches anything. */
  topics: (Hex | null)[];
  fromBlock: number;
  toBlock: number;
}

export async function scanLogs(chain: ChainSource, filter: LogFilter): Promise<RawLog[]> {
  const out: RawLog[] = [];
  let from = filter.fromBlock;
  let span = filter.toBlock - filter.fromBlock + 1;
  while (from <= filter.toBlock) {
    const to = Math.min(filter.toBlock, from + span - 1);
    try {
      const logs = await getLogs(chain, Array.isArray(filter.address) ? filter.address : [filter.address], from, to, filter.topics);
      out.push(...logs.filter((l) => !l.removed));
      from = to + 1;
    } catch (error) {
      if (!(error instanceof RangeTooLargeError)) throw error;
      span = Math.max(1, Math.floor(span / 2));
    }
  }
  return out;
}
