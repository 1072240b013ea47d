/**
 * Backup and restore of a validator's SQLite store (docs/operator-guide.md, "Backup and restore"): an
 * online backup taken while the node runs, with one verdict finalized and one pending; the node then
 * finalizes the pending one and its machine is lost; the backup is restored onto a fresh data directory
 * and the node resumes from it — the verdict pending in the backup is recognised as finalized on-chain
 * (no second finalization), nothing is lost from what the backup held, and new work finalizes once.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { backupSqliteStore, restoreSqliteStore } from "../../src/store/sqliteBackup.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

async function finalizations(net: NodeNetwork, verdictId: Hex): Promise<number> {
  const logs = await net.publicClient.getLogs({ address: net.deployment.contracts.attestationRegistry, fromBlock: 0n, toBlock: "latest" });
  return parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs }).filter((e) => e.args.verdictId === verdictId)
    .length;
}

describe("a validator's store restored from an online backup onto a fresh data directory", () => {
  let net: NodeNetwork;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false });
  }, 60_000);
  afterAll(async () => {
    for (let i = 0; i < 3; i++) await net?.stopNode(i);
    await net?.stop();
  });

  it("resumes without losing or duplicating verdicts", async () => {
    for (let i = 0; i < 3; i++) await net.startNode(i);
    const url = net.nodes[0]!.url;
    const storePath = net.nodes[0]!.config.store.replace(/^sqlite:/, "");

    const first = await net.debugKeep(url);
    const firstId = (await net.post(url, first.body)).json.verdictId as Hex;
    expect((await net.waitSettled(url, firstId, 60_000)).status).toBe("finalized");

    // The peers go away: the next verdict stays pending on the collector.
    await net.stopNode(1);
    await net.stopNode(2);
    const second = await net.debugKeep(url);
    const posted = await net.post(url, second.body);
    expect(posted.status).toBe(202);
    const secondId = posted.json.verdictId as Hex;

    // Online backup while the node runs and holds the verdict pending.
    const backupPath = join(net.dir, "backups", "node-0.db");
    const backup = await backupSqliteStore(storePath, backupPath);
    expect(backup.versions).toEqual({ evidence: 2, node: 2 });
    await expect(backupSqliteStore(storePath, backupPath)).rejects.toMatchObject({ code: "BACKUP_TARGET_EXISTS" });
    const copy = new DatabaseSync(backupPath, { readOnly: true });
    expect(copy.prepare("SELECT status FROM node_verdict WHERE verdict_id = ?").all(secondId.toLowerCase())).toEqual([
      { status: "pending" },
    ]);
    copy.close();

    // After the backup the node finalizes the pending verdict; then its machine is lost.
    await net.startNode(1);
    await net.startNode(2);
    expect((await net.waitSettled(url, secondId, 60_000)).status).toBe("finalized");
    await net.stopNode(0);
    rmSync(storePath);
    expect(await finalizations(net, secondId)).toBe(1);

    // Restore onto a fresh data directory and start the node from it.
    const freshDir = join(net.dir, "fresh-data-dir");
    const freshStore = join(freshDir, "node.db");
    const restored = await restoreSqliteStore(backupPath, freshStore);
    expect(restored.versions).toEqual({ evidence: 2, node: 2 });
    await expect(restoreSqliteStore(backupPath, freshStore)).rejects.toMatchObject({ code: "BACKUP_TARGET_EXISTS" });
    net.nodes[0]!.config = { ...net.nodes[0]!.config, dataDir: freshDir, store: `sqlite:${freshStore}` };
    const node = await net.startNode(0);

    // The verdict pending in the backup is found finalized on-chain and settled without a second finalization.
    expect((await net.waitSettled(url, secondId, 60_000)).status).toBe("finalized");
    expect(await finalizations(net, secondId)).toBe(1);
    expect(await finalizations(net, firstId)).toBe(1);
    expect((await node.store.verdict(firstId))?.state).toBe("finalized");
    expect((await node.store.verdict(secondId))?.state).toBe("finalized");
    // The evidence behind both is in the restored store (what audits need).
    for (const keep of [first, second]) {
      const link = await node.store.evidence.verdictLink(keep === first ? firstId : secondId);
      expect(await node.store.evidence.getEvidence(link!.evidenceHash)).toBeDefined();
    }

    // And it keeps working: new evidence finalizes once.
    const third = await net.debugKeep(url);
    const thirdId = (await net.post(url, third.body)).json.verdictId as Hex;
    expect((await net.waitSettled(url, thirdId, 60_000)).status).toBe("finalized");
    expect(await finalizations(net, thirdId)).toBe(1);
    expect(existsSync(storePath)).toBe(false);
  }, 180_000);
});
