import { describe, expect, it } from "vitest";
import type { RawLog } from "./decodeLogs.ts";
import { nextRangeSize, shrunkRangeEnd, splitPage } from "./splitPage.ts";

/** Logs at the given block numbers, with their position as log index (to check order). */
function logsAt(blocks: number[]): RawLog[] {
  return blocks.map((b, i) => ({
    address: "0x00",
    topics: [],
    data: "0x",
    blockNumber: `0x${b.toString(16)}`,
    blockHash: "0x00",
    transactionHash: "0x00",
    logIndex: `0x${i.toString(16)}`,
  }));
}

const shape = (pages: ReturnType<typeof splitPage>) =>
  pages.map((p) => ({ from: p.from, to: p.to, blocks: p.logs.map((l) => Number(BigInt(l.blockNumber))) }));

describe("splitPage", () => {
  const cases: { name: string; from: number; to: number; blocks: number[]; limit: number; want: ReturnType<typeof shape> }[] = [
    { name: "within the limit: one page", from: 5, to: 9, blocks: [5, 7, 7], limit: 3, want: [{ from: 5, to: 9, blocks: [5, 7, 7] }] },
    { name: "no logs: one empty page", from: 5, to: 9, blocks: [], limit: 3, want: [{ from: 5, to: 9, blocks: [] }] },
    {
      name: "cut before the block that would overflow; the pages cover the range",
      from: 1,
      to: 10,
      blocks: [2, 2, 3, 4, 4, 4, 9],
      limit: 3,
      want: [
        { from: 1, to: 3, blocks: [2, 2, 3] },
        { from: 4, to: 8, blocks: [4, 4, 4] },
        { from: 9, to: 10, blocks: [9] },
      ],
    },
    {
      name: "a block over the limit is a page alone",
      from: 1,
      to: 3,
      blocks: [1, 2, 2, 2, 2, 3],
      limit: 2,
      want: [
        { from: 1, to: 1, blocks: [1] },
        { from: 2, to: 2, blocks: [2, 2, 2, 2] },
        { from: 3, to: 3, blocks: [3] },
      ],
    },
    {
      name: "logs out of block order come back in block order, in their order within a block",
      from: 1,
      to: 4,
      blocks: [3, 1, 3, 1],
      limit: 2,
      want: [
        { from: 1, to: 2, blocks: [1, 1] },
        { from: 3, to: 4, blocks: [3, 3] },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pages = splitPage(c.from, c.to, logsAt(c.blocks), c.limit);
      expect(shape(pages)).toEqual(c.want);
      // Nothing lost or repeated.
      expect(pages.flatMap((p) => p.logs).length).toBe(c.blocks.length);
    });
  }

  it("keeps each block's logs in the order the node gave them", () => {
    const pages = splitPage(1, 2, logsAt([2, 1, 2, 1, 2]), 2);
    expect(pages.map((p) => p.logs.map((l) => Number(BigInt(l.logIndex))))).toEqual([
      [1, 3],
      [0, 2, 4],
    ]);
  });
});

describe("range sizing", () => {
  it("aims the next range at the target number of logs, at most twice this range and the largest size", () => {
    // 100 blocks held 10,000 logs: 5,000 logs take 50 blocks.
    expect(nextRangeSize(100, 10_000, 5_000, 100_000)).toBe(50);
    // An empty range doubles; the largest size caps it.
    expect(nextRangeSize(100, 0, 5_000, 100_000)).toBe(200);
    expect(nextRangeSize(80_000, 0, 5_000, 100_000)).toBe(100_000);
    // One block with more logs than the target: still one block.
    expect(nextRangeSize(1, 50_000, 5_000, 100_000)).toBe(1);
  });

  it("cuts a refused range to an eighth, never below its first block", () => {
    expect(shrunkRangeEnd(100, 899)).toBe(199);
    expect(shrunkRangeEnd(100, 103)).toBe(100);
    expect(shrunkRangeEnd(7, 7)).toBe(7);
  });
});
