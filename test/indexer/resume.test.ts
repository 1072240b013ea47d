/**
 * Resumable, idempotent, paged: a restarted indexer continues after its last committed block; a page
 * that fails half-way leaves nothing behind; a node that refuses large ranges gets smaller ones; and
 * whatever the path, the store ends up exactly as one clean run makes it — on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { dumpEntities, recordingSource } from "./helpers.ts";
import { runScenario, type Scenario } from "./scenario.ts";

let scenario: Scenario;
let clean: Record<string, unknown[]>;

beforeAll(async () => {
  scenario = await runScenario();
  const { db, drop } = await TEST_DATABASES[0]!.open();
  await (await createIndexer({ db, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
  clean = await dumpEntities(db);
  await drop();
});
afterAll(() => scenario.close());

/** A failed page wrote nothing: every stored entity version is from a block at or before the cursor. */
async function expectNothingPast(db: Database, cursor: number): Promise<void> {
  for (const rows of Object.values(await dumpEntities(db)))
    for (const r of rows as { _block_from: number }[]) expect(r._block_from).toBeLessThanOrEqual(cursor);
}

describe.each(TEST_DATABASES)("resuming and paging on $name", (store) => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await store.open());
  });
  afterAll(() => drop());

  it("resumes after the last committed block when restarted, and ends where one clean run ends", async () => {
    const stop = scenario.checkpoints.afterSingles!;
    const capped = recordingSource(scenario.chain.provider, (args) =>
      args.method === "eth_blockNumber" ? `0x${stop.toString(16)}` : undefined,
    );
    const first = await createIndexer({ db, chain: capped, deployment: scenario.deployment, pageSize: 10 });
    expect(await first.catchUp()).toBe(stop);
    await first.stop();

    const source = recordingSource(scenario.chain.provider);
    const second = await createIndexer({ db, chain: source, deployment: scenario.deployment, pageSize: 10 });
    await second.catchUp();
    const firstGetLogs = source.calls.find((c) => c.method === "eth_getLogs")!.params as [{ fromBlock: string }];
    expect(Number(BigInt(firstGetLogs[0].fromBlock))).toBe(stop + 1);
    expect(await dumpEntities(db)).toEqual(clean);
    // Nothing left to do: a further run reads no logs.
    const again = recordingSource(scenario.chain.provider);
    await (await createIndexer({ db, chain: again, deployment: scenario.deployment })).catchUp();
    expect(again.calls.filter((c) => c.method === "eth_getLogs")).toEqual([]);
  });

  it("leaves no trace of a page that failed half-way, and the retry completes it", async () => {
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
      const indexer = await createIndexer({ db: other, chain: flaky, deployment: scenario.deployment, pageSize: 20 });
      await expect(indexer.catchUp()).rejects.toMatchObject({ code: "INDEXER_RPC" });
      const cursor = (await indexer.cursor())?.number ?? -1;
      await expectNothingPast(other, cursor);
      await indexer.catchUp();
      expect(await dumpEntities(other)).toEqual(clean);
    } finally {
      await dropOther();
    }
  });

  it("leaves no trace of a page whose commit failed (with the next page already handled), and the retry completes it", async () => {
    const { db: other, drop: dropOther } = await store.open();
    try {
      // The store refuses the fourth page's commit: the fifth page is being read and handled meanwhile,
      // on the third page's snapshot.
      let commits = 0;
      const failing: Database = {
        ...other,
        dialect: other.dialect,
        description: other.description,
        query: (sql, params, options) => other.query(sql, params, options),
        execute: (sql, params) => other.execute(sql, params),
        executeMany: (sql, rows) => other.executeMany(sql, rows),
        exec: (script) => other.exec(script),
        close: () => other.close(),
        transaction: (fn) => other.transaction(fn),
        commitWrites: async (statements) => {
          if (++commits === 4) throw new Error("disk full");
          return other.commitWrites(statements);
        },
      };
      const indexer = await createIndexer({ db: failing, chain: scenario.chain.provider, deployment: scenario.deployment, pageSize: 3 });
      await expect(indexer.catchUp()).rejects.toThrow("disk full");
      const cursor = (await indexer.cursor())?.number ?? -1;
      await expectNothingPast(other, cursor);
      await indexer.catchUp();
      expect(await dumpEntities(other)).toEqual(clean);
    } finally {
      await dropOther();
    }
  });

  it("cuts a fetch with more logs than a page holds into pages, without asking for any block twice", async () => {
    const { db: other, drop: dropOther } = await store.open();
    try {
      const source = recordingSource(scenario.chain.provider);
      const indexer = await createIndexer({
        db: other,
        chain: source,
        deployment: scenario.deployment,
        pageSize: 1_000,
        maxLogsPerPage: 3,
      });
      const steps: number[] = [];
      for (;;) {
        const r = await indexer.step();
        steps.push(r.logs);
        if (r.cursor >= r.target) break;
      }
      expect(await dumpEntities(other)).toEqual(clean);
      // Pages of at most 3 logs, unless one block has more: several pages came out of one fetch.
      const ranges = source.calls
        .filter((c) => c.method === "eth_getLogs")
        .map((c) => (c.params as [{ fromBlock: string; toBlock: string }])[0])
        .map((p) => [Number(BigInt(p.fromBlock)), Number(BigInt(p.toBlock))] as const);
      expect(steps.length).toBeGreaterThan(ranges.length);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
    } finally {
      await dropOther();
    }
  });

  it("shrinks the range when the node refuses it, and still indexes everything", async () => {
    const { db: other, drop: dropOther } = await store.open();
    try {
      const strict = recordingSource(scenario.chain.provider, (args) => {
        if (args.method !== "eth_getLogs") return undefined;
        const [{ fromBlock, toBlock }] = args.params as [{ fromBlock: string; toBlock: string }];
        if (Number(BigInt(toBlock)) - Number(BigInt(fromBlock)) + 1 > 4) throw new Error("query exceeds max block range 4");
        return undefined;
      });
      const lines: string[] = [];
      const indexer = await createIndexer({
        db: other,
        chain: strict,
        deployment: scenario.deployment,
        pageSize: 1_000,
        progressIntervalMs: 0,
        log: (l) => lines.push(l),
      });
      await indexer.catchUp();
      expect(await dumpEntities(other)).toEqual(clean);
      expect(lines.some((l) => /^indexing: block [\d,]+ of [\d,]+ \(\d+\.\d%\), [\d,]+ blocks\/s, [\d,]+ events\/s, ETA /.test(l))).toBe(
        true,
      );
    } finally {
      await dropOther();
    }
  });

  it("refuses a database that indexes another deployment", async () => {
    const other = {
      ...scenario.deployment,
      contracts: { ...scenario.deployment.contracts, attestationRegistry: scenario.deployment.contracts.validatorSet },
    };
    await expect(createIndexer({ db, chain: scenario.chain.provider, deployment: other })).rejects.toMatchObject({
      code: "INDEXER_DEPLOYMENT_MISMATCH",
    });
  });
});
