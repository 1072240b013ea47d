import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/support/databases.ts";
import type { Database } from "../store/Database.ts";
import { entityModel, type EntityData } from "./entityModel.ts";
import { EntityBatch } from "./EntityStore.ts";
import { ensureRegistrySchema } from "./registrySchema.ts";
import { loadStoredIdFilter, StoredIdFilter } from "./storedIdFilter.ts";

const model = entityModel();
const hexId = () => `0x${randomBytes(32).toString("hex")}`;

describe("StoredIdFilter", () => {
  it("never rules out an id it was given, and rules out nearly all others", () => {
    const filter = new StoredIdFilter(50_000);
    // Hash ids, other names, and 0x strings of a hash's length that are not hex (another hashing path).
    const odd = (i: number) => `0x${"z".repeat(58)}${String(i).padStart(6, "0")}`;
    const added = Array.from({ length: 50_000 }, (_, i) => (i % 10 === 0 ? `workload-${i}-name` : i % 10 === 1 ? odd(i) : hexId()));
    for (const id of added) filter.add(id);
    expect(added.every((id) => filter.mightContain(id))).toBe(true);
    expect(filter.count).toBe(50_000);
    const others = Array.from({ length: 50_000 }, (_, i) => (i % 10 === 0 ? `other-${i}` : hexId()));
    const maybes = others.filter((id) => filter.mightContain(id)).length;
    // 10 bits and 7 hashes per id: 0.8 % expected at capacity.
    expect(maybes / others.length).toBeLessThan(0.02);
  });

  it("an empty filter rules out everything", () => {
    const filter = new StoredIdFilter(10);
    expect(filter.mightContain(hexId())).toBe(false);
    expect(filter.mightContain("")).toBe(false);
  });
});

function verdictRow(id: string, block: number): EntityData {
  return {
    workload: `0x${"aa".repeat(32)}`,
    measurement: "m",
    measurementHash: `0x${"bb".repeat(32)}`,
    measurementSerial: 1,
    tee: "TDX",
    subject: `0x${"cc".repeat(20)}`,
    tcbStatus: "UP_TO_DATE",
    evidenceHash: `0x${"dd".repeat(32)}`,
    collateralHash: `0x${"ee".repeat(32)}`,
    issuedAt: 1n,
    expiresAt: 2n,
    freshnessBlock: 0n,
    unbound: true,
    status: "FINALIZED",
    revoked: false,
    revocation: null,
    signers: [],
    batch: null,
    leafIndex: null,
    materialized: true,
    materializedAt: null,
    materializedBlock: null,
    materializedLogIndex: null,
    finalizedAt: 1n,
    txHash: `0x${"ff".repeat(32)}`,
    blockNumber: BigInt(block),
    logIndex: 0,
    id,
  };
}

describe.each(TEST_DATABASES)("stored id filters on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  const stored = Array.from({ length: 2_500 }, hexId);
  beforeAll(async () => {
    ({ db, drop } = await store.open());
    await ensureRegistrySchema(db, model);
    const batch = new EntityBatch(db, model);
    for (const id of stored) batch.create("Verdict", id, verdictRow(id, 3), 3);
    // A second version of one: the filter reads each id once.
    batch.save("Verdict", stored[0]!, verdictRow(stored[0]!, 4), 4);
    await db.commitWrites(batch.writes(db.dialect));
  });
  afterAll(() => drop());

  it("is filled with every id of the table, read a chunk at a time", async () => {
    const filter = await loadStoredIdFilter(db, model.entity("Verdict"), { capacity: 5_000, chunk: 1_000 });
    expect(filter).toBeDefined();
    expect(filter!.count).toBe(stored.length);
    expect(stored.every((id) => filter!.mightContain(id))).toBe(true);
  });

  it("is not made for a table holding more versions than its capacity", async () => {
    expect(await loadStoredIdFilter(db, model.entity("Verdict"), { capacity: 1_000 })).toBeUndefined();
  });

  it("lets a batch skip the lookup of an id it rules out, and look up the others", async () => {
    const filter = await loadStoredIdFilter(db, model.entity("Verdict"), { capacity: 5_000 });
    const queries: string[] = [];
    const counting: Database = {
      ...db,
      query: (sql, params, options) => {
        queries.push(sql);
        return db.query(sql, params, options);
      },
    };
    const batch = new EntityBatch(counting, model, undefined, new Map([["Verdict", filter!]]));
    const fresh = Array.from({ length: 100 }, hexId).filter((id) => !filter!.mightContain(id));
    await batch.prefetch("Verdict", fresh);
    expect(queries).toEqual([]);
    expect(await batch.load("Verdict", fresh[0]!)).toBeNull();
    // A stored id is looked up and found, and saving it closes its stored version.
    const known = stored[1]!;
    expect((await batch.load("Verdict", known))?.id).toBe(known);
    expect(queries).toHaveLength(1);
    batch.save("Verdict", known, { ...verdictRow(known, 9), materialized: false }, 9);
    batch.create("Verdict", fresh[0]!, verdictRow(fresh[0]!, 9), 9);
    expect([...batch.savedIds("Verdict")].sort()).toEqual([known, fresh[0]!].sort());
    await db.commitWrites(batch.writes(db.dialect));
    const rows = await db.query<{ _block_from: number; _block_to: number | null }>(
      `SELECT "_block_from", "_block_to" FROM reg_verdict WHERE "id" = $1 ORDER BY "_block_from"`,
      [known],
    );
    expect(rows.map((r) => [Number(r._block_from), r._block_to === null ? null : Number(r._block_to)])).toEqual([
      [3, 9],
      [9, null],
    ]);
  });
});
