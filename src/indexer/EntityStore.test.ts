import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_DATABASES } from "../../test/support/databases.ts";
import type { Database } from "../store/Database.ts";
import { entityModel } from "./entityModel.ts";
import { EntityBatch, rollbackEntities } from "./EntityStore.ts";
import { ensureRegistrySchema } from "./registrySchema.ts";

const model = entityModel();
const W = `0x${"aa".repeat(32)}`;

function workload(over: Record<string, unknown> = {}) {
  return {
    name: "app",
    owner: `0x${"11".repeat(20)}`,
    pendingOwner: null,
    metadataURI: "ipfs://one",
    policy: null,
    policyCount: 0,
    createdAt: 1_000n,
    createdAtBlock: 5n,
    txHash: `0x${"22".repeat(32)}`,
    ...over,
  };
}

async function versions(db: Database) {
  return db.query<{ _block_from: number; _block_to: number | null; metadataURI: string }>(
    `SELECT "_block_from", "_block_to", "metadataURI" FROM reg_workload WHERE "id" = $1 ORDER BY "_block_from"`,
    [W],
  );
}

describe.each(TEST_DATABASES)("versioned entity store on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await store.open());
    await ensureRegistrySchema(db, model);
  });
  afterAll(() => drop());

  it("a batch built while the previous one commits sees its entities and closes their versions", async () => {
    const V = `0x${"bb".repeat(32)}`;
    const a = new EntityBatch(db, model);
    a.create("Workload", V, workload(), 20);
    // Handled before a's transaction: the store does not have V yet, the snapshot does.
    const b = new EntityBatch(db, model, a.snapshot());
    const seen = await b.load("Workload", V);
    expect(seen?.metadataURI).toBe("ipfs://one");
    b.save("Workload", V, { ...seen, metadataURI: "ipfs://two" }, 21);
    await db.commitWrites(a.writes(db.dialect));
    await db.commitWrites(b.writes(db.dialect));
    const rows = await db.query(
      `SELECT "_block_from", "_block_to", "metadataURI" FROM reg_workload WHERE "id" = $1 ORDER BY "_block_from"`,
      [V],
    );
    expect(rows).toEqual([
      { _block_from: 20, _block_to: 21, metadataURI: "ipfs://one" },
      { _block_from: 21, _block_to: null, metadataURI: "ipfs://two" },
    ]);
  });

  it("closes the current version and opens a new one per block, and updates in place within a block", async () => {
    const a = new EntityBatch(db, model);
    a.create("Workload", W, workload(), 5);
    a.save("Workload", W, workload({ metadataURI: "ipfs://two" }), 7);
    a.save("Workload", W, workload({ metadataURI: "ipfs://three" }), 7);
    await db.commitWrites(a.writes(db.dialect));
    const b = new EntityBatch(db, model);
    const loaded = await b.load("Workload", W);
    expect(loaded?.metadataURI).toBe("ipfs://three");
    expect(loaded?.createdAt).toBe(1_000n);
    b.save("Workload", W, { ...loaded, metadataURI: "ipfs://four" }, 9);
    await db.commitWrites(b.writes(db.dialect));
    expect(await versions(db)).toEqual([
      { _block_from: 5, _block_to: 7, metadataURI: "ipfs://one" },
      { _block_from: 7, _block_to: 9, metadataURI: "ipfs://three" },
      { _block_from: 9, _block_to: null, metadataURI: "ipfs://four" },
    ]);
  });

  it("rolls back to a block: later versions go, the version current then reopens", async () => {
    await db.transaction((tx) => rollbackEntities(tx, model, 8));
    expect(await versions(db)).toEqual([
      { _block_from: 5, _block_to: 7, metadataURI: "ipfs://one" },
      { _block_from: 7, _block_to: null, metadataURI: "ipfs://three" },
    ]);
    await db.transaction((tx) => rollbackEntities(tx, model, 4));
    expect(await versions(db)).toEqual([]);
  });

  it("loads many entities in one prefetch and knows which are absent", async () => {
    const a = new EntityBatch(db, model);
    const ids = Array.from({ length: 1_200 }, (_, i) => `0x${i.toString(16).padStart(64, "0")}`);
    for (const id of ids.slice(0, 600)) a.create("Workload", id, workload(), 10);
    await db.commitWrites(a.writes(db.dialect));
    const b = new EntityBatch(db, model);
    await b.prefetch("Workload", ids);
    expect(await b.exists("Workload", ids[599]!)).toBe(true);
    expect(await b.exists("Workload", ids[600]!)).toBe(false);
    expect(b.size).toBe(0);
  });

  it("stores BigInt values up to 2^64 - 1 exactly and lists as JSON", async () => {
    const id = `0x${"bb".repeat(32)}00000000`;
    const a = new EntityBatch(db, model);
    a.create(
      "Policy",
      id,
      {
        workload: W,
        allowedTees: ["sgx", "tdx"],
        acceptedTcbStatuses: ["UpToDate"],
        deniedAdvisories: ['INTEL-SA-0"1'],
        deniedFmspcs: [],
        deniedAmdProductLines: [],
        dev: false,
        allowUnboundEvidence: false,
        maxEvidenceAge: 2n ** 64n - 1n,
        verdictLifetime: 86_400n,
        tcbGracePeriod: 0n,
        effectiveAt: 1n,
        replaced: false,
        scheduledAt: 1n,
        actor: `0x${"11".repeat(20)}`,
        txHash: `0x${"22".repeat(32)}`,
        blockNumber: 11n,
      },
      11,
    );
    await db.commitWrites(a.writes(db.dialect));
    const p = await new EntityBatch(db, model).load("Policy", id);
    expect(p?.maxEvidenceAge).toBe(2n ** 64n - 1n);
    expect(p?.deniedAdvisories).toEqual(['INTEL-SA-0"1']);
    expect(p?.dev).toBe(false);
  });
});
