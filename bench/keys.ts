// npm run bench:keys [-- --keeps 8 --releases 200 --concurrency 8]
// Attested key release on a 3-validator network (t = 2, anvil, nodes in this process): releases per
// second and release latency as a Keep sees it (releaseKey: sign three requests, three validators each
// check KeyRegistry.releaseCheck at the head and re-seal their share, open, verify, combine), then the gas
// per release receipt when each validator commits its receipts. Writes bench/results/keys.json.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { defaultReleasePolicy, deployKeyRegistry } from "../src/chain/keyRegistry.ts";
import { verdictFromJson, type VerdictJson } from "@keepledger/sdk/internal/chain/verdictView";
import { createKey } from "@keepledger/sdk/internal/sdk/keys/createKey";
import { releaseKey } from "@keepledger/sdk/internal/sdk/keys/releaseKey";
import { startNodeNetwork } from "../test/node/support/nodeNetwork.ts";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const keeps = arg("keeps", 8);
const releases = arg("releases", 200);
const concurrency = arg("concurrency", 8);

const net = await startNodeNetwork({ validatorWorkload: false, loggingProfile: "production" });
try {
  const keyRegistry = (await deployKeyRegistry(net.clients, net.deployment)).address;
  for (const n of net.nodes) n.config.keyService = { registry: keyRegistry, receiptIntervalMs: 3_600_000, maxRequestAgeBlocks: 64 };
  for (let i = 0; i < 3; i++) await net.startNode(i);
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const { keyId } = await createKey({
    clients: net.clients,
    deployment: net.deployment,
    keyRegistry,
    workloadId: net.workloadId,
    name: "bench key",
    shareholders: net.nodes.map((n) => getAddress(n.account.address)),
    threshold: 2,
    secret,
    policy: { ...defaultReleasePolicy(), allowDebug: true },
    // This network does not attest itself (validatorWorkload: false); the bench measures release, not binding.
    dangerouslyAllowUnattestedKeyService: true,
  });
  const attested = await Promise.all(
    Array.from({ length: keeps }, async (_, i) => {
      const url = net.nodes[i % 3]!.url;
      const keep = await net.debugKeep(url);
      const posted = await net.post(url, keep.body);
      const view = await net.waitSettled(url, posted.json.verdictId as Hex, 60_000);
      return { account: privateKeyToAccount(keep.privateKey), verdict: verdictFromJson(view.verdict as VerdictJson) };
    }),
  );

  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < releases; i = next++) {
        const keep = attested[i % keeps]!;
        const t0 = performance.now();
        const got = await releaseKey({
          publicClient: net.publicClient,
          deployment: net.deployment,
          keyRegistry,
          keyId,
          account: keep.account,
          verdict: keep.verdict,
        });
        latencies.push(performance.now() - t0);
        if (toHex(got.secret) !== toHex(secret)) throw new Error("a release combined to the wrong secret");
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);

  const commits = [];
  for (const n of net.nodes) {
    const c = await n.node!.keys!.commitReceipts();
    commits.push({ validator: n.account.address, receipts: c.committed, gasUsed: Number(c.gasUsed ?? 0n) });
  }
  const receipts = commits.reduce((s, c) => s + c.receipts, 0);
  const gas = commits.reduce((s, c) => s + c.gasUsed, 0);
  const result = {
    network: "3 validators, t = 2, anvil (1 s blocks), nodes in one process, SQLite stores",
    keeps,
    releases,
    concurrency,
    releasesPerSecond: Math.round((releases / seconds) * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    p99Ms: Math.round(percentile(latencies, 99)),
    receiptCommits: commits,
    gasPerReceipt: Math.round(gas / receipts),
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir(join(here, "results"), { recursive: true });
  await writeFile(join(here, "results", "keys.json"), JSON.stringify(result, null, 2) + "\n");
} finally {
  await net.stop();
}
