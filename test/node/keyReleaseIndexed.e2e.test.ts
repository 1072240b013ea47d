/**
 * A release on a 3-validator network (anvil, the KeyRegistry from the deployment, nodes that attest
 * themselves and bind their key-service keys) appears in GraphQL once the validators commit their
 * receipts: Key, KeyVersion and KeyRelease, each receipt provable against its batch root with the
 * contract's own verifyReleaseReceipt. Then a version split for a set that loses a shareholder is flagged
 * belowThreshold in GraphQL and in `keepledger key list` alike.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createRegistryApi, type RegistryApi } from "../../src/api/createRegistryApi.ts";
import { keyRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { defaultReleasePolicy, keyServiceKeyOf } from "../../src/chain/keyRegistry.ts";
import { removeValidator } from "../../src/chain/validators.ts";
import { verdictFromJson, type VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { batchProof, receiptLeaf } from "@keepledger/sdk/internal/ids/index";
import { keyReleaseEntityId, keyVersionEntityId } from "../../src/indexer/entityIds.ts";
import { createIndexer, type Indexer } from "../../src/indexer/Indexer.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import type { Database } from "../../src/store/Database.ts";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

let net: NodeNetwork;
let keyRegistry: Address;
let db: Database;
let indexer: Indexer;
let api: RegistryApi;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function query<T>(q: string): Promise<T> {
  await indexer.catchUp();
  const r = await api.execute(q);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as T;
}

/** Polls the index until `done` holds (receipts are committed on the nodes' interval). */
async function until<T>(q: string, done: (data: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const data = await query<T>(q);
    if (done(data)) return data;
    if (Date.now() > deadline) throw new Error(`not indexed in time: ${JSON.stringify(data)}`);
    await sleep(250);
  }
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(process.cwd(), "bin", "keepledger.mjs"), ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  net = await startNodeNetwork();
  keyRegistry = net.deployment.contracts.keyRegistry!;
  expect(keyRegistry).toBeDefined();
  for (const n of net.nodes) n.config.keyService = { registry: keyRegistry, receiptIntervalMs: 500, maxRequestAgeBlocks: 64 };
  for (let i = 0; i < 3; i++) await net.startNode(i);
  // Each node publishes its key-service key and binds it into its next self-attestation.
  const deadline = Date.now() + 60_000;
  for (const n of net.nodes) {
    while (!(await keyServiceKeyOf(net, keyRegistry, n.account.address)).attested) {
      if (Date.now() > deadline) throw new Error(`validator ${n.account.address}'s key-service key was not attested in time`);
      await sleep(250);
    }
  }
  db = openDatabase(":memory:");
  const chain = { request: (args: { method: string; params?: unknown }) => net.publicClient.request(args as never) };
  indexer = await createIndexer({ db, chain, deployment: net.deployment });
  api = createRegistryApi({ db, chain });
}, 180_000);
afterAll(async () => {
  await db?.close();
  await net?.stop();
});

describe("key release in the registry", () => {
  it("a release to a Keep with a live verdict appears as Key, KeyVersion and KeyRelease, provable on-chain", async () => {
    const shareholders = net.nodes.map((n) => getAddress(n.account.address));
    const { keyId, secret } = await createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: net.workloadId,
      name: "indexed key",
      shareholders,
      threshold: 2,
      // The network's app workload is a dev-policy workload of debug Keeps.
      policy: { ...defaultReleasePolicy(), allowDebug: true },
    });
    const keep = await net.debugKeep(net.nodes[0]!.url);
    const posted = await net.post(net.nodes[0]!.url, keep.body);
    const view = await net.waitSettled(net.nodes[0]!.url, posted.json.verdictId as Hex);
    const released = await releaseKey({
      publicClient: net.publicClient,
      deployment: net.deployment,
      keyRegistry,
      keyId,
      account: privateKeyToAccount(keep.privateKey),
      verdict: verdictFromJson(view.verdict as VerdictJson),
    });
    expect(Buffer.from(released.secret)).toEqual(Buffer.from(secret!));
    const served = released.shares.filter((s) => s.ok).map((s) => s.validator.toLowerCase());
    expect(served.length).toBeGreaterThanOrEqual(2);

    type Release = {
      id: string;
      subject: string;
      version: number;
      validator: { id: string };
      releasedAt: string;
      requestHash: Hex;
      leaf: Hex;
      batchRoot: Hex;
      leafIndex: number;
      batchCount: number;
      keyVersion: { id: string };
    };
    const q = `{ key(id: "${keyId.toLowerCase()}") {
      name status latestVersion workload { id } allowDebug acceptedTcbStatuses
      versions { id version threshold status liveShareholders belowThreshold shareholders { id } }
      releases(first: 100) { id subject version validator { id } releasedAt requestHash leaf batchRoot leafIndex batchCount keyVersion { id } }
    } }`;
    const data = await until<{ key: { releases: Release[] } & Record<string, unknown> } | { key: null }>(
      q,
      (d) => d.key !== null && served.every((v) => d.key!.releases.some((r) => r.validator.id === v)),
    );
    const key = data.key!;
    expect(key).toMatchObject({
      name: "indexed key",
      status: "CREATED",
      latestVersion: 1,
      workload: { id: net.workloadId.toLowerCase() },
      allowDebug: true,
      acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
      versions: [
        {
          id: keyVersionEntityId(keyId, 1),
          version: 1,
          threshold: 2,
          status: "ACTIVE",
          liveShareholders: 3,
          belowThreshold: false,
          shareholders: shareholders.map((a) => ({ id: a.toLowerCase() })),
        },
      ],
    });
    for (const r of key.releases) {
      expect(r).toMatchObject({ subject: keep.subject.toLowerCase(), version: 1, keyVersion: { id: keyVersionEntityId(keyId, 1) } });
      expect(r.id).toBe(keyReleaseEntityId(r.batchRoot, r.leafIndex));
      const validator = getAddress(r.validator.id);
      const receipt = { keyId, version: 1, subject: keep.subject, releasedAt: BigInt(r.releasedAt), requestHash: r.requestHash };
      expect(r.leaf).toBe(receiptLeaf(validator, receipt).toLowerCase());
      // The batch's leaves, in order, from the index: the proof the contract checks against the committed root.
      const batch = await query<{ keyReleases: { leaf: Hex }[] }>(
        `{ keyReleases(where: { batchRoot: "${r.batchRoot}" }, orderBy: leafIndex) { leaf } }`,
      );
      expect(batch.keyReleases).toHaveLength(r.batchCount);
      const proof = batchProof(
        batch.keyReleases.map((b) => b.leaf),
        r.leafIndex,
      );
      expect(
        await net.publicClient.readContract({
          address: keyRegistry,
          abi: keyRegistryAbi,
          functionName: "verifyReleaseReceipt",
          args: [validator, receipt, r.batchRoot, proof],
        }),
      ).toBe(true);
    }
  }, 120_000);

  it("flags a version whose shareholders fall below its threshold, in GraphQL and in `keepledger key list`", async () => {
    const shareholders = net.nodes.map((n) => getAddress(n.account.address));
    // Version 2, 3 of 3: removing one validator leaves it unrecoverable; version 1 (2 of 3) is still fine.
    const { keyId, version } = await createKey({
      clients: net.clients,
      deployment: net.deployment,
      keyRegistry,
      workloadId: net.workloadId,
      name: "indexed key",
      shareholders,
      threshold: 3,
      secret: new Uint8Array(32).fill(7),
      policy: { ...defaultReleasePolicy(), allowDebug: true },
    });
    expect(version).toBe(2);
    const versions = `{ keyVersions(where: { key: "${keyId.toLowerCase()}" }, orderBy: version) { version liveShareholders belowThreshold } }`;
    expect((await query<{ keyVersions: unknown[] }>(versions)).keyVersions).toEqual([
      { version: 1, liveShareholders: 3, belowThreshold: false },
      { version: 2, liveShareholders: 3, belowThreshold: false },
    ]);
    // The dev deployment has no governance delay: the removal is in force at once.
    await removeValidator(net.clients, net.deployment, shareholders[2]!);
    const after = await until<{ keyVersions: { version: number; liveShareholders: number; belowThreshold: boolean }[] }>(
      versions,
      (d) => d.keyVersions[0]?.liveShareholders === 2,
    );
    expect(after.keyVersions).toEqual([
      { version: 1, liveShareholders: 2, belowThreshold: false },
      { version: 2, liveShareholders: 2, belowThreshold: true },
    ]);
    expect((await query<{ key: unknown }>(`{ key(id: "${keyId.toLowerCase()}") { status latestVersion } }`)).key).toEqual({
      status: "ROTATED",
      latestVersion: 2,
    });
    // The CLI reads the contract (KeyRegistry.liveShareholders) and the KeyRegistry from the deployment file.
    const listed = await cli(["key", "list", "--json", "--rpc", net.anvil.url, "--deployment", join(net.dir, "deployment.json")]);
    expect(listed.code, listed.stderr).toBe(0);
    const cliKey = (
      JSON.parse(listed.stdout) as {
        keys: { keyId: string; versions: { version: number; liveShareholders: number; belowThreshold: boolean }[] }[];
      }
    ).keys.find((k) => k.keyId.toLowerCase() === keyId.toLowerCase())!;
    expect(
      cliKey.versions.map((v) => ({ version: v.version, liveShareholders: v.liveShareholders, belowThreshold: v.belowThreshold })),
    ).toEqual(after.keyVersions);
    const text = await cli(["key", "list", "--rpc", net.anvil.url, "--deployment", join(net.dir, "deployment.json")]);
    expect(text.stdout).toMatch(/^ {2}v2: 3-of-3, 2 live, BELOW THRESHOLD — AT RISK \(fewer than t live shareholders\)$/m);
    expect(text.stdout).toMatch(/^ {2}v1: 2-of-3, 2 live$/m);
  }, 120_000);
});
