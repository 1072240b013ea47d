/**
 * Reorgs on the in-process chain: snapshot, mine a branch, index it, revert to the snapshot, mine a
 * different branch — the indexer finds the fork point, rolls its entities back and replays the new
 * branch, on SQLite and on PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import type { ChainClients } from "../../src/chain/transactions.ts";
import { registerWorkload } from "../../src/chain/workloads.ts";
import { entityModel } from "../../src/indexer/entityModel.ts";
import { EntityBatch } from "../../src/indexer/EntityStore.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import { workloadId } from "@keepledger/sdk/internal/ids/index";
import type { Database } from "../../src/store/Database.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { connectRegistryChain, type RegistryChain } from "../support/registry-chain.ts";
import { dumpEntities } from "./helpers.ts";

const model = entityModel();

describe.each(TEST_DATABASES)("reorgs on $name", (store) => {
  let chain: RegistryChain;
  let clients: ChainClients;
  let deployment: Deployment;
  let owner: Address;
  let db: Database;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    chain = await connectRegistryChain();
    owner = getAddress(chain.accounts[0] as Address);
    clients = { publicClient: chain.publicClient, walletClient: chain.walletClient(owner) };
    deployment = (await deployKeepledger(clients, { devPoliciesAllowed: true })).deployment;
    await registerWorkload(clients, deployment, "common", "");
    ({ db, drop } = await store.open());
  });
  afterEach(async () => {
    await drop();
    await chain.close();
  });

  const workloadNames = async () =>
    (await db.query<{ name: string }>(`SELECT "name" FROM reg_workload WHERE "_block_to" IS NULL ORDER BY "name"`)).map((r) => r.name);

  it("rolls back a replaced branch and replays the new one", async () => {
    const indexer = await createIndexer({ db, chain: chain.provider, deployment });
    await indexer.catchUp();
    const snapshot = await chain.snapshotId();
    await registerWorkload(clients, deployment, "branch-a", "ipfs://a");
    await chain.mine(2);
    await indexer.catchUp();
    expect(await workloadNames()).toEqual(["branch-a", "common"]);

    await chain.revertTo(snapshot);
    await chain.mine(1);
    await registerWorkload(clients, deployment, "branch-b", "ipfs://b");
    await chain.mine(3);
    const first = await indexer.step();
    expect(first.rolledBackTo).toBeDefined();
    await indexer.catchUp();
    expect(await workloadNames()).toEqual(["branch-b", "common"]);
    expect(await new EntityBatch(db, model).load("Workload", workloadId(owner, "branch-a"))).toBeNull();
    // No trace of branch A: not even closed versions.
    const all = await db.query(`SELECT "name" FROM reg_workload WHERE "name" = 'branch-a'`);
    expect(all).toEqual([]);

    // The same chain indexed from scratch gives the same store.
    const fresh = await TEST_DATABASES[0]!.open();
    await (await createIndexer({ db: fresh.db, chain: chain.provider, deployment })).catchUp();
    expect(await dumpEntities(db)).toEqual(await dumpEntities(fresh.db));
    await fresh.drop();
  });

  it("rolls back when the new branch is shorter than the indexed one", async () => {
    const indexer = await createIndexer({ db, chain: chain.provider, deployment });
    await indexer.catchUp();
    const snapshot = await chain.snapshotId();
    await registerWorkload(clients, deployment, "long-branch", "");
    await chain.mine(5);
    const before = (await indexer.catchUp()) as number;
    await chain.revertTo(snapshot);
    await chain.mine(1);
    const head = Number(await chain.publicClient.getBlockNumber());
    expect(head).toBeLessThan(before);
    await indexer.catchUp();
    expect(await workloadNames()).toEqual(["common"]);
    expect((await indexer.cursor())!.number).toBe(head);
  });

  it("does not index blocks within the confirmation depth, so a shallow reorg never reaches the store", async () => {
    const indexer = await createIndexer({ db, chain: chain.provider, deployment, confirmations: 3 });
    const snapshot = await chain.snapshotId();
    await registerWorkload(clients, deployment, "shallow", "");
    await indexer.catchUp();
    expect(await workloadNames()).toEqual([]);
    await chain.revertTo(snapshot);
    await chain.mine(4);
    const r = await indexer.step();
    expect(r.rolledBackTo).toBeUndefined();
    await indexer.catchUp();
    expect(await workloadNames()).toEqual(["common"]);
  });
});
