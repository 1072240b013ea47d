import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entityModel } from "../indexer/entityModel.ts";
import { ensureRegistrySchema } from "../indexer/registrySchema.ts";
import type { BlockHeader } from "../indexer/chainSource.ts";
import { blocksWrite, writeCursor } from "../indexer/registryState.ts";
import type { Database } from "../store/Database.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { BlockClock, interruptible, RegistryReader } from "./RegistryReader.ts";

const hash = (n: number, fork = 0): `0x${string}` => `0x${n.toString(16).padStart(2, "0")}${fork.toString(16).padStart(62, "0")}`;

describe("the latest block of a request", () => {
  const model = entityModel();
  let db: Database;
  let clock: BlockClock;
  const latest = () => new RegistryReader({ db, model, clock }).latest();
  const saveBlocks = (blocks: BlockHeader[]) => db.commitWrites([blocksWrite(blocks)]);

  beforeEach(async () => {
    db = openDatabase(":memory:");
    await ensureRegistrySchema(db, model);
    clock = new BlockClock(db);
  });
  afterEach(() => db.close());

  it("follows the cursor on every request, with its block's time, through a reorg of the cursor's block", async () => {
    await saveBlocks([
      { number: 1, hash: hash(1), parentHash: hash(0), timestamp: 100 },
      { number: 2, hash: hash(2), parentHash: hash(1), timestamp: 200 },
    ]);
    await writeCursor(db, { number: 2, hash: hash(2) });
    expect(await latest()).toEqual({ number: 2, timestamp: 200 });
    expect(await latest()).toEqual({ number: 2, timestamp: 200 });
    // Block 2 is replaced by another block 2 with another time: the new hash names it.
    await saveBlocks([{ number: 2, hash: hash(2, 1), parentHash: hash(1), timestamp: 205 }]);
    await writeCursor(db, { number: 2, hash: hash(2, 1) });
    expect(await latest()).toEqual({ number: 2, timestamp: 205 });
    await writeCursor(db, { number: 1, hash: hash(1) });
    expect(await latest()).toEqual({ number: 1, timestamp: 100 });
  });

  it("takes the nearest stored block's time when the cursor's block is not stored", async () => {
    await saveBlocks([{ number: 1, hash: hash(1), parentHash: hash(0), timestamp: 100 }]);
    await writeCursor(db, { number: 3, hash: hash(3) });
    expect(await latest()).toEqual({ number: 3, timestamp: 100 });
    await saveBlocks([{ number: 3, hash: hash(3), parentHash: hash(2), timestamp: 300 }]);
    expect(await latest()).toEqual({ number: 3, timestamp: 300 });
  });

  it("answers NOT_INDEXED_YET before the first block", async () => {
    await expect(latest()).rejects.toMatchObject({ extensions: { code: "NOT_INDEXED_YET" } });
  });
});

describe("interruptible", () => {
  it("puts the liveness check first in the WHERE of every part of a UNION, and nowhere else", () => {
    const sql =
      `SELECT 0, t."id" FROM reg_measurement t WHERE t."id" IN (SELECT value FROM json_each($1)) ` +
      `UNION ALL SELECT 1, t."subject" FROM reg_subjectrevocation t WHERE t."active" = 1 AND EXISTS (SELECT 1 FROM reg_workload t_w WHERE t_w."id" = t."workload")`;
    const live = interruptible(sql);
    expect(live.match(/t WHERE \(t\.rowid % 64 <> 0 OR kl_live\(\)\) AND /g)).toHaveLength(2);
    expect(live).toContain('t_w WHERE t_w."id"');
  });
});
