/**
 * The scenarios of the reliability campaign, each a row of docs/reliability.md. A scenario starts anvil
 * and three `keepledger node` processes (k = 2; an RPC proxy between them and the chain), a
 * `keepledger index` process following the chain, drives its submissions, injects its fault, lets the
 * system recover and is judged by campaign.ts against the chain and a fresh index.
 */
import { hexToBytes, keccak256, stringToBytes, toHex, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { addMeasurement, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { bindingHash, publicKey64 } from "@keepledger/sdk/internal/ids/index";
import { defaultPolicy } from "../../src/policy/types.ts";
import { reportDataFor } from "@keepledger/sdk/internal/tee/kindFacts";
import { buildQuote, buildScenario, DEFAULT_FMSPC } from "../../test/support/dcapTestSigner.ts";
import { startPcsStandIn } from "./pcsStandIn.ts";
import { startRpcLiar } from "./rpcLiar.ts";
import type { Failpoint } from "../../src/node/failpoints.ts";
import { startNodeNetwork, type NodeNetwork, type NodeNetworkOptions } from "../../test/node/support/nodeNetwork.ts";
import {
  exited,
  judge,
  registryMatchesFreshIndex,
  sleep,
  startIndexer,
  submit,
  waitAllSettled,
  type ScenarioResult,
  type Submitted,
} from "./campaign.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, writeSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";

export interface CampaignOptions {
  /** The CI smoke: fewer submissions, shorter outages. */
  short: boolean;
}

export interface Scenario {
  name: string;
  injected: string;
  /** Runs in the short mode too. */
  short: boolean;
  run(o: CampaignOptions): Promise<ScenarioResult>;
}

/** A measurement no workload approved: its submission must be refused with this code, faults or not. */
const UNAPPROVED = keccak256(stringToBytes("chaos: never approved"));
const UNAPPROVED_CODE = "POLICY_MEASUREMENT_NOT_APPROVED";

interface Run {
  net: NodeNetwork;
  submitted: Submitted[];
  /** Submits `n` to the nodes round-robin (to the nodes `to`, default all), the first refused on purpose. */
  drive(n: number, options?: { to?: number[] }): Promise<void>;
  /** Kills node `i` with SIGKILL (if running) and waits for it to be gone. */
  kill9(i: number): Promise<void>;
  /** Starts node `i` as a process, with failpoints armed or none (`entry` replaces `keepledger node`). */
  start(i: number, failpoints?: Failpoint[], entry?: readonly string[]): Promise<void>;
  /** Resolves when node `i` exits on its own (a failpoint fired). */
  died(i: number): Promise<void>;
}

/** Starts the network and the indexer, runs `body`, then waits, judges and tears everything down. */
async function withNetwork(
  name: string,
  injected: string,
  options: NodeNetworkOptions & {
    settleMs?: number;
    indexerViaProxy?: boolean;
    /** The indexer's RPC URL (default anvil, or the proxy with indexerViaProxy). */
    indexerRpc?: string;
    /** Runs once the chain is up, before the indexer starts. */
    onChain?: (net: NodeNetwork) => void;
  },
  body: (run: Run) => Promise<number>,
): Promise<ScenarioResult> {
  const net = await startNodeNetwork({ validatorWorkload: false, rpcProxy: true, ...options });
  const registryFile = join(net.dir, "registry.db");
  options.onChain?.(net);
  const indexer = startIndexer(net, options.indexerRpc ?? (options.indexerViaProxy ? net.proxy!.url : net.anvil.url), registryFile);
  const submitted: Submitted[] = [];
  let next = 0;
  const run: Run = {
    net,
    submitted,
    async drive(n, o = {}) {
      const targets = o.to ?? [0, 1, 2];
      const jobs: Promise<Submitted>[] = [];
      for (let i = 0; i < n; i++) {
        const node = targets[next++ % targets.length]!;
        jobs.push(submit(net, node, i === 0 ? { measurement: UNAPPROVED, expectRefusal: UNAPPROVED_CODE } : {}));
      }
      submitted.push(...(await Promise.all(jobs)));
    },
    async kill9(i) {
      const child = net.nodes[i]!.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited(child);
    },
    async start(i, failpoints = [], entry) {
      if (failpoints.length > 0) net.nodes[i]!.env.KEEPLEDGER_FAILPOINTS = failpoints.join(",");
      else delete net.nodes[i]!.env.KEEPLEDGER_FAILPOINTS;
      await net.startNodeProcess(i, entry);
    },
    async died(i) {
      const child = net.nodes[i]!.child!;
      await exited(child);
      if (child.signalCode !== "SIGKILL") throw new Error(`node ${i} exited (${child.exitCode}) without reaching its failpoint`);
    },
  };
  try {
    const faultEnd = await body(run);
    const { stuck, rejected } = await waitAllSettled(net, submitted, options.settleMs ?? 120_000);
    const rejectedCodes: Record<string, number> = {};
    for (const code of rejected.values()) rejectedCodes[code] = (rejectedCodes[code] ?? 0) + 1;
    const recoverySeconds = (Date.now() - faultEnd) / 1000;
    const verdicts = await judge(net, submitted, stuck);
    const registryDiverged = !(await registryMatchesFreshIndex(net, indexer, registryFile));
    const ok =
      rejected.size === 0 &&
      verdicts.lost === 0 &&
      verdicts.duplicated === 0 &&
      verdicts.stuck === 0 &&
      verdicts.wrongRefusals === 0 &&
      !registryDiverged;
    return {
      scenario: name,
      injected,
      ...verdicts,
      rejected: rejected.size,
      registryDiverged,
      recoverySeconds: Math.round(recoverySeconds * 10) / 10,
      ok,
      ...(rejected.size > 0 ? { notes: `rejected after acceptance: ${JSON.stringify(rejectedCodes)}` } : {}),
    };
  } finally {
    indexer.kill("SIGKILL");
    await net.stop();
  }
}

/** The collector dies with SIGKILL at a failpoint of its finalization, then restarts clean. */
function collectorCrash(failpoint: Failpoint, mode: "single" | "batch", short: boolean): Scenario {
  const name = `collector kill -9 at ${failpoint} (${mode})`;
  const injected = `SIGKILL of the collector when its first ${mode === "batch" ? "batch" : "verdict"} reaches ${failpoint}; restart`;
  return {
    name,
    injected,
    short,
    run: (o) =>
      withNetwork(name, injected, { batch: { enabled: mode === "batch", maxItems: 8, maxWaitMs: 200 } }, async (run) => {
        await run.start(1);
        await run.start(2);
        await run.start(0, [failpoint]);
        const died = run.died(0);
        // Everything goes to the collector that will die: what it accepted must survive it.
        const driving = run.drive(o.short ? 6 : 24, { to: [0] });
        await died;
        await run.start(0);
        const restored = Date.now();
        await driving;
        return restored;
      }),
  };
}

/**
 * Reorgs of `depth` blocks (anvil_reorg: the last `depth` blocks replaced by empty ones, their
 * transactions dropped) three times during the load: the nodes must finalize again what a reorg
 * removed, and the indexer must roll back and converge.
 */
function reorgs(depth: number, short: boolean): Scenario {
  const name = `chain reorg depth ${depth}`;
  const injected = `3 reorgs of depth ${depth} (anvil_reorg, dropped transactions not replayed) during intake and indexing`;
  return {
    name,
    injected,
    short,
    run: (o) =>
      // The nodes wait depth + 1 confirmations, as an operator of a chain with reorgs that deep must.
      withNetwork(name, injected, { confirmations: depth + 1 }, async (run) => {
        for (let i = 0; i < 3; i++) await run.start(i);
        const driving = run.drive(o.short ? 6 : 18);
        for (let r = 0; r < 3; r++) {
          await sleep(1_500);
          await run.net.publicClient.request({ method: "anvil_reorg" as never, params: [depth, []] as never });
        }
        const restored = Date.now();
        await driving;
        return restored;
      }),
  };
}

/** A result row for a scenario this machine cannot run (no PostgreSQL, not root): shown, never counted as passed. */
function skipped(name: string, injected: string, why: string): ScenarioResult {
  return {
    scenario: name,
    injected,
    n: 0,
    accepted: 0,
    lost: 0,
    duplicated: 0,
    stuck: 0,
    rejected: 0,
    wrongRefusals: 0,
    registryDiverged: false,
    recoverySeconds: 0,
    ok: true,
    skipped: why,
  };
}

/**
 * PostgreSQL restarted under load: the three nodes keep their stores in PostgreSQL (a database each),
 * and the cluster is restarted (pg_ctlcluster) while submissions flow.
 */
const postgresRestart: Scenario = {
  name: "PostgreSQL restart",
  injected: "the PostgreSQL cluster holding the three node stores restarted under load (pg_ctlcluster restart)",
  short: false,
  async run(o) {
    const url = process.env.KEEPLEDGER_TEST_POSTGRES_URL;
    const cluster = (() => {
      try {
        const line = execFileSync("pg_lsclusters", ["-h"], { encoding: "utf8" }).trim().split("\n")[0]!.split(/\s+/);
        return { version: line[0]!, name: line[1]! };
      } catch {
        return undefined;
      }
    })();
    if (!url || !cluster || process.getuid?.() !== 0)
      return skipped(this.name, this.injected, "needs KEEPLEDGER_TEST_POSTGRES_URL, pg_lsclusters and root");
    const names = [0, 1, 2].map((i) => `kl_chaos_${process.pid}_${i}`);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
    await admin.end();
    const dbUrl = (i: number) => Object.assign(new URL(url), { pathname: `/${names[i]}` }).toString();
    try {
      return await withNetwork(this.name, this.injected, { store: dbUrl }, async (run) => {
        for (let i = 0; i < 3; i++) await run.start(i);
        const driving = run.drive(o.short ? 9 : 30);
        await sleep(500);
        execFileSync("pg_ctlcluster", [cluster.version, cluster.name, "restart"]);
        const restored = Date.now();
        await driving;
        return restored;
      });
    } finally {
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      for (const n of names) await cleanup.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end();
    }
  },
};

/**
 * A full disk: node 0 keeps its SQLite store on a small tmpfs, which a filler file fills up under load.
 * Submissions to node 0 must be refused with a clear code while the disk is full (the node stays up,
 * the other nodes carry on), everything it had accepted survives, the database passes
 * `PRAGMA integrity_check`, and it takes submissions again once the filler is removed.
 */
const sqliteDiskFull: Scenario = {
  name: "SQLite disk full",
  injected: "node 0's SQLite store on a 24 MiB tmpfs filled to the last byte under load, then freed",
  short: false,
  async run(o) {
    if (process.getuid?.() !== 0) return skipped(this.name, this.injected, "mounting a tmpfs needs root");
    const mount = mkdtempSync(join(tmpdir(), "kl-full-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mount]);
    } catch {
      rmSync(mount, { recursive: true, force: true });
      return skipped(this.name, this.injected, "cannot mount a tmpfs here");
    }
    const dbFile = join(mount, "node.db");
    const filler = join(mount, "filler");
    let duringFull: Submitted[] = [];
    try {
      const result = await withNetwork(
        this.name,
        this.injected,
        { store: (i) => (i === 0 ? `sqlite:${dbFile}` : undefined) },
        async (run) => {
          for (let i = 0; i < 3; i++) await run.start(i);
          await run.drive(o.short ? 6 : 12);
          // Fill the disk to the last byte.
          const fd = openSync(filler, "w");
          const chunk = Buffer.alloc(1 << 16);
          try {
            for (;;) writeSync(fd, chunk);
          } catch {
            // ENOSPC: full
          }
          for (let size = 1 << 12; size >= 1; size >>= 1) {
            try {
              writeSync(fd, Buffer.alloc(size));
            } catch {
              // the next smaller size
            }
          }
          closeSync(fd);
          duringFull = await Promise.all([0, 1, 2, 3, 4, 5].map(() => submit(run.net, 0, { noRetry: true, retryForMs: 10_000 })));
          const alive = run.net.nodes[0]!.child!.exitCode === null;
          rmSync(filler);
          const restored = Date.now();
          if (!alive) throw new Error("node 0 exited when its disk was full");
          await run.drive(o.short ? 6 : 12);
          return restored;
        },
      );
      const integrity = new DatabaseSync(dbFile, { readOnly: true }).prepare("PRAGMA integrity_check").get() as { integrity_check: string };
      const codes: Record<string, number> = {};
      for (const s of duringFull) {
        const code = s.refusedWith ?? "ACCEPTED";
        codes[code] = (codes[code] ?? 0) + 1;
      }
      const notes = `while full: ${JSON.stringify(codes)}; integrity_check: ${integrity.integrity_check}; files: ${readdirSync(mount).join(", ")}`;
      return { ...result, ok: result.ok && integrity.integrity_check === "ok", notes: [result.notes, notes].filter(Boolean).join("; ") };
    } finally {
      execFileSync("umount", ["-l", mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  },
};

/** Inside the DCAP test scenario's collateral window (as bench/node.ts's TDX mode). */
const TDX_CHAIN_START = Date.UTC(2025, 5, 1, 0, 0, 0) / 1000 - 300;

/**
 * The collateral service fails: three validators verify TDX quotes made by the DCAP test signer (each
 * node process trusts the test root through the benchmark's entry point only, bench/support/benchNode.ts)
 * and fetch Intel collateral from a local PCS stand-in that is down, then answers 500, then is slow, then
 * recovers. Intake refuses with a retryable code while no collateral can be had; nothing accepted is lost.
 */
const collateralOutage: Scenario = {
  name: "collateral service outage",
  injected: "the PCS (a local stand-in) down 8 s, then HTTP 500 for 6 s, then 3 s per answer for 8 s, under load (TDX quotes)",
  short: false,
  async run(o) {
    const scenario = await buildScenario({ tee: "tdx" });
    const pcs = await startPcsStandIn(scenario, DEFAULT_FMSPC);
    const work = mkdtempSync(join(tmpdir(), "kl-chaos-pcs-"));
    const rootFile = join(work, "test-root.der");
    writeFileSync(rootFile, scenario.roots[0]!.certificate.der);
    const entry = [join(process.cwd(), "bench", "support", "benchNode.ts"), "--unsafe-test-root", rootFile];
    const refusedWhileDown: Record<string, number> = {};
    try {
      await pcs.setFault("down");
      const result = await withNetwork(
        this.name,
        this.injected,
        { chainTimestamp: TDX_CHAIN_START, nodeConfig: () => ({ collateral: { intelPcsUrl: pcs.url } }) },
        async (run) => {
          const { workloadId } = await registerWorkload(run.net.clients, run.net.deployment, "tdx-chaos", "");
          await schedulePolicy(run.net.clients, run.net.deployment, workloadId, {
            ...defaultPolicy(),
            allowedTees: ["tdx"],
            acceptedTcbStatuses: ["UpToDate"],
          });
          const fill = (b: number) => toHex(new Uint8Array(48).fill(b));
          await addMeasurement(run.net.clients, run.net.deployment, workloadId, 1, {
            tee: "tdx",
            mrtd: fill(0x33),
            rtmr0: fill(0x40),
            rtmr1: fill(0x41),
            rtmr2: fill(0x42),
            rtmr3: fill(0x43),
          });
          for (let i = 0; i < 3; i++) await run.start(i, [], entry);
          const tdxBody = (node: number) => async () => {
            const url = run.net.nodes[node]!.url;
            const nonce = (await (await fetch(`${url}/v1/nonce`)).json()) as { blockNumber: number; blockHash: Hex };
            const keep = privateKeyToAccount(generatePrivateKey());
            const binding = bindingHash({
              chainId: run.net.deployment.chainId,
              attestationRegistry: run.net.deployment.contracts.attestationRegistry,
              subjectPublicKey: publicKey64(keep.publicKey),
              blockHash: nonce.blockHash,
            });
            const quote = await buildQuote({
              tee: "tdx",
              pckLeaf: scenario.pckLeaf,
              pckChain: [scenario.pckLeaf, scenario.pki.platformCa, scenario.pki.root],
              tdBody: { reportData: hexToBytes(reportDataFor("tdx", binding)) },
            });
            return {
              workloadId,
              evidence: Buffer.from(quote.bytes).toString("base64"),
              publicKey: keep.publicKey,
              freshnessBlock: nonce.blockNumber,
            };
          };
          // While the PCS is down: refused, retryably, with a code (recorded), never accepted without collateral.
          for (let i = 0; i < 3; i++) {
            const s = await submit(run.net, i, { body: tdxBody(i), noRetry: true });
            const code = s.refusedWith ?? "ACCEPTED";
            refusedWhileDown[code] = (refusedWhileDown[code] ?? 0) + 1;
          }
          const n = o.short ? 6 : 18;
          const driving = Promise.all(
            Array.from({ length: n }, (_, i) => submit(run.net, i % 3, { body: tdxBody(i % 3), retryForMs: 90_000 })),
          ).then((all) => void run.submitted.push(...all));
          await sleep(8_000);
          await pcs.setFault("errors");
          await sleep(6_000);
          await pcs.setFault("slow", { delayMs: 3_000 });
          await sleep(8_000);
          await pcs.setFault("none");
          const restored = Date.now();
          await driving;
          return restored;
        },
      );
      // The node's PCS provider names the outage (PCS_UNAVAILABLE, 503, retryable); never accepted without collateral.
      const downOk = Object.keys(refusedWhileDown).every((c) => c === "PCS_UNAVAILABLE" || c === "COLLATERAL_UNAVAILABLE");
      const fetched = [...pcs.hits.values()].reduce((a, b) => a + b, 0);
      return {
        ...result,
        ok: result.ok && downOk,
        notes: [result.notes, `while down: ${JSON.stringify(refusedWhileDown)}; PCS requests answered: ${fetched}`]
          .filter(Boolean)
          .join("; "),
      };
    } finally {
      await pcs.close();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/** An RPC that answers errors, then a head that goes backwards, for the nodes and the indexer alike. */
const lyingRpc: Scenario = {
  name: "RPC errors and a head going backwards",
  injected: "30 % of RPC requests answered HTTP 500 or a JSON-RPC error for 10 s, then heads reported 1-3 blocks back for 10 s, under load",
  short: false,
  async run(o) {
    const liar = await startRpcLiar();
    try {
      const result = await withNetwork(
        this.name,
        this.injected,
        { nodeConfig: () => ({ rpcUrl: liar.url }), indexerRpc: liar.url, onChain: (net) => liar.setTarget(net.anvil.url) },
        async (run) => {
          for (let i = 0; i < 3; i++) await run.start(i);
          const driving = run.drive(o.short ? 6 : 24);
          liar.setLie("errors");
          await sleep(10_000);
          liar.setLie("backwards");
          await sleep(10_000);
          liar.setLie("none");
          const restored = Date.now();
          await driving;
          return restored;
        },
      );
      return { ...result, notes: [result.notes, `altered answers: ${JSON.stringify(liar.altered)}`].filter(Boolean).join("; ") };
    } finally {
      await liar.close();
    }
  },
};

export const SCENARIOS: Scenario[] = [
  collectorCrash("outbox.afterSignatures", "single", true),
  collectorCrash("outbox.afterBroadcast", "single", false),
  collectorCrash("outbox.afterMined", "single", true),
  collectorCrash("outbox.afterMined", "batch", false),
  {
    name: "countersigning peer kill -9",
    injected: "SIGKILL of a peer right after it signed, before it answers; restart",
    short: false,
    run: (o) =>
      withNetwork("countersigning peer kill -9", "SIGKILL of a peer right after it signed, before it answers; restart", {}, async (run) => {
        await run.start(0);
        await run.start(2);
        await run.start(1, ["peer.beforeAnswer"]);
        const died = run.died(1);
        const driving = run.drive(o.short ? 6 : 24, { to: [0] });
        await died;
        await run.start(1);
        const restored = Date.now();
        await driving;
        return restored;
      }),
  },
  {
    name: "all validators kill -9",
    injected: "SIGKILL of all three validators 0.3 s into the load; restart all",
    short: true,
    run: (o) =>
      withNetwork("all validators kill -9", "SIGKILL of all three validators 0.3 s into the load; restart all", {}, async (run) => {
        for (let i = 0; i < 3; i++) await run.start(i);
        const driving = run.drive(o.short ? 12 : 40);
        await sleep(300);
        await Promise.all([0, 1, 2].map((i) => run.kill9(i)));
        await sleep(500);
        for (let i = 0; i < 3; i++) await run.start(i);
        const restored = Date.now();
        await driving;
        return restored;
      }),
  },
  {
    name: "RPC outage",
    injected: "the RPC (proxy) down for 30 s (short: 5 s) under load, for the nodes and the indexer",
    short: true,
    run: (o) =>
      withNetwork(
        "RPC outage",
        `the RPC down for ${o.short ? 5 : 30} s under load, nodes and indexer`,
        { indexerViaProxy: true },
        async (run) => {
          for (let i = 0; i < 3; i++) await run.start(i);
          await run.drive(o.short ? 3 : 9);
          await run.net.proxy!.down();
          const driving = run.drive(o.short ? 3 : 9);
          await sleep(o.short ? 5_000 : 30_000);
          await run.net.proxy!.up();
          const restored = Date.now();
          await driving;
          return restored;
        },
      ),
  },
  {
    name: "flapping RPC",
    injected: "the RPC (proxy) cut and restored every 1 s for 12 s under load, for the nodes and the indexer",
    short: false,
    run: (o) =>
      withNetwork("flapping RPC", "the RPC cut and restored every 1 s for 12 s under load", { indexerViaProxy: true }, async (run) => {
        for (let i = 0; i < 3; i++) await run.start(i);
        const driving = run.drive(o.short ? 6 : 24);
        for (let t = 0; t < 6; t++) {
          await run.net.proxy!.down();
          await sleep(1_000);
          await run.net.proxy!.up();
          await sleep(1_000);
        }
        const restored = Date.now();
        await driving;
        return restored;
      }),
  },
  lyingRpc,
  ...[1, 2, 3, 4, 5].map((d) => reorgs(d, d === 2)),
  postgresRestart,
  sqliteDiskFull,
  collateralOutage,
];
