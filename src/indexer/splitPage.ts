/**
 * Cutting one eth_getLogs answer into pages the indexer commits one at a time: a fetch that found more
 * logs than a page should hold is kept and cut, not asked for again in smaller ranges.
 */
import type { RawLog } from "./decodeLogs.ts";

/** The logs of the blocks [from, to], as eth_getLogs returned them. */
export interface FetchedPage {
  from: number;
  to: number;
  logs: RawLog[];
}

/**
 * The range's logs as contiguous pages covering [from, to], each of at most `limit` logs, cut at block
 * boundaries: one block's logs are never split, so a block with more than `limit` logs is a page alone.
 */
export function splitPage(from: number, to: number, logs: RawLog[], limit: number): FetchedPage[] {
  if (logs.length <= limit) return [{ from, to, logs }];
  const byBlock = new Map<number, RawLog[]>();
  for (const l of logs) {
    const n = Number(BigInt(l.blockNumber));
    const list = byBlock.get(n);
    if (list) list.push(l);
    else byBlock.set(n, [l]);
  }
  const pages: FetchedPage[] = [];
  let current: FetchedPage = { from, to, logs: [] };
  for (const [block, blockLogs] of [...byBlock].sort((a, b) => a[0] - b[0])) {
    if (current.logs.length > 0 && current.logs.length + blockLogs.length > limit) {
      current.to = block - 1;
      pages.push(current);
      current = { from: block, to, logs: [] };
    }
    for (const l of blockLogs) current.logs.push(l);
  }
  pages.push(current);
  return pages;
}
