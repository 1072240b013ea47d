/**
 * Catch-up into an empty index runs without the query indexes and builds them when it has caught up —
 * also when a page fails — so the store ends with every index the schema declares, on SQLite and
 * PostgreSQL. An indexer a few blocks behind keeps them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entityModel } from "../../src/indexer/entityModel.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import { secondaryIndexes } from "../../src/indexer/registrySchema.ts";
import type { Database } from "../../src/store/Database.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { recordingSource } from "./helpers.ts";
import { runScenario, type Scenario } from "./scenario.ts";

let scenario: Scenario;
const wanted = secondaryIndexes(entityModel()).map((i) => i.name);

beforeAll(async () => {
  scenario = await runScenario();
}, 120_000);
afterAll(() => scenario.close());

async function presentIndexes(db: Database): Promise<string[]> {
  const rows =
    db.dialect === "sqlite"
      ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
      : await db.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()");
  const names = new Set(rows.map((r) => r.name));
  return wanted.filter((n) => names.has(n));
}

describe.each(TEST_DATABASES)("deferred query indexes on $name", (store) => {
  it("are deferred by default on PostgreSQL only (an SQLite file's writer thread keeps them up to date)", async () => {
    const { db: fresh, drop: dropFresh } = await store.open();
    try {
      let dropped = false;
      const indexer = await createIndexer({
        db: fresh,
        chain: scenario.chain.provider,
        deployment: scenario.deployment,
        log: (line) => (dropped ||= line.includes("dropped")),
      });
      await indexer.catchUp();
      expect(dropped).toBe(store.name === "postgres");
      expect(await presentIndexes(fresh)).toEqual(wanted);
    } finally {
      await dropFresh();
    }
  });

  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await store.open());
  });
  afterAll(() => drop());

  it("drops them while catching up into an empty index and builds them all at the end", async () => {
    expect(wanted.length).toBeGreaterThan(5);
    const duringPages: number[] = [];
    const indexer = await createIndexer({
      db,
      chain: scenario.chain.provider,
      deployment: scenario.deployment,
      pageSize: 10,
      maxPageSize: 10,
      deferIndexesBehind: 10_000,
      onProgress: () => void presentIndexes(db).then((p) => duringPages.push(p.length)),
    });
    await indexer.catchUp();
    await new Promise((r) => setTimeout(r, 50));
    expect(duringPages.length).toBeGreaterThan(2);
    // The last page's look may land after the build (PostgreSQL answers asynchronously): the others not.
    expect(duringPages.slice(0, -1).every((n) => n === 0)).toBe(true);
    expect(await presentIndexes(db)).toEqual(wanted);
  });

  it("builds them when a page fails half-way, and keeps them when resuming a little behind", async () => {
    const { db: other, drop: dropOther } = await store.open();
    try {
      let failed = false;
      const flaky = recordingSource(scenario.chain.provider, (args, n) => {
        if (!failed && args.method === "eth_getBlockByNumber" && n > 12) {
          failed = true;
          throw new Error("connection reset");
        }
        return undefined;
      });
      const indexer = await createIndexer({
        db: other,
        chain: flaky,
        deployment: scenario.deployment,
        pageSize: 20,
        deferIndexesBehind: 10_000,
      });
      await expect(indexer.catchUp()).rejects.toMatchObject({ code: "INDEXER_RPC" });
      expect(await presentIndexes(other)).toEqual(wanted);
      // A first run that stops part-way (the head capped), then a resumed one: the index is no longer
      // empty and far fewer than 10,000 blocks behind, so the resumed run keeps the indexes.
      const stop = scenario.checkpoints.afterSingles!;
      const capped = recordingSource(scenario.chain.provider, (args) =>
        args.method === "eth_blockNumber" ? `0x${stop.toString(16)}` : undefined,
      );
      const { db: third, drop: dropThird } = await store.open();
      try {
        await (await createIndexer({ db: third, chain: capped, deployment: scenario.deployment, deferIndexesBehind: 10_000 })).catchUp();
        let dropped = false;
        const resumed = await createIndexer({
          db: third,
          chain: scenario.chain.provider,
          deployment: scenario.deployment,
          deferIndexesBehind: 10_000,
          log: (line) => (dropped ||= line.includes("dropped")),
        });
        await resumed.catchUp();
        expect(dropped).toBe(false);
        expect(await presentIndexes(third)).toEqual(wanted);
      } finally {
        await dropThird();
      }
    } finally {
      await dropOther();
    }
  });
});
