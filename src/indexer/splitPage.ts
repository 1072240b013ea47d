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

/** The indexer's page sizing by default (IndexerOptions): the first range, the largest, the logs to aim for. */
export const PAGE_DEFAULTS = { firstPageSize: 10, maxPageSize: 100_000, targetLogsPerPage: 5_000 } as const;

/**
 * The next range's size in blocks after a range of `blocks` blocks held `logs` logs: about `targetLogs`
 * logs at that density, at most twice this range (density changes) and at most `maxBlocks`.
 */
export function nextRangeSize(blocks: number, logs: number, targetLogs: number, maxBlocks: number): number {
  return Math.max(1, Math.min(maxBlocks, blocks * 2, Math.floor((blocks * targetLogs) / Math.max(1, logs))));
}

/**
 * The end of [from, to] cut to an eighth, after the node refused the range as too large: an eighth, not a
 * half, because each refusal cost the node the whole range, and a short range costs one round trip.
 */
export function shrunkRangeEnd(from: number, to: number): number {
  return from + Math.floor((to - from) / 8);
}
