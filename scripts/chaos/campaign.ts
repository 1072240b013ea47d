/**
 * The reliability campaign's shared machinery: drive a known set of submissions at a network of
 * `keepledger node` processes on anvil, and judge the end state against the chain. Every scenario
 * (scenarios.ts) is "start, submit, inject a fault, recover, check", and the check is always the same:
 *
 * - every accepted submission's verdict is finalized on-chain (settled by its node, yet not on-chain: *lost*),
 * - exactly once (a verdict finalized twice, alone or in two batches, is *duplicated*),
 * - every node that accepted one reports it settled (else it is *stuck*),
 * - every submission meant to be refused was refused with its code,
 * - the registry indexed while the faults happened equals a fresh index of the same chain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { batchLeaves, type VerdictGroup } from "@keepledger/sdk/internal/ids/verdictCodec";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { dumpEntities } from "../../test/indexer/helpers.ts";
import type { NodeNetwork } from "../../test/node/support/nodeNetwork.ts";

/** One row of the campaign's table (docs/reliability.md). */
export interface ScenarioResult {
  scenario: string;
  /** What was done to the system. */
  injected: string;
  /** Submissions driven (accepted + refused on purpose). */
  n: number;
  accepted: number;
  lost: number;
  duplicated: number;
  stuck: number;
  /** Accepted, then rejected by the network (the code is in `notes`): a fault must not turn into a refusal. */
  rejected: number;
  /** Refusals with the wrong code, or accepted when they should have been refused. */
  wrongRefusals: number;
  /** The indexed registry differs from a fresh index of the same chain. */
  registryDiverged: boolean;
  /** Seconds from the end of the fault (restart, RPC back, reorg done) to the last verdict settled. */
  recoverySeconds: number;
  ok: boolean;
  notes?: string;
  /** Why the scenario did not run on this machine. */
  skipped?: string;
}

export interface Submitted {
  nodeIndex: number;
  /** The verdict id the node answered with (accepted submissions). */
  verdictId?: Hex;
  /** The code the node refused it with, when it did. */
  refusedWith?: string;
  /** The code this submission must be refused with (undefined: it must be accepted). */
  expectRefusal?: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Posts one submission to `nodeIndex`, retrying while the node is unreachable (it may be restarting):
 * the campaign measures what the network loses, not what a client that gives up at the first error loses.
 */
export async function submit(
  net: NodeNetwork,
  nodeIndex: number,
  options: {
    measurement?: Hex;
    expectRefusal?: string;
    retryForMs?: number;
    noRetry?: boolean;
    /** The request body (default: fresh debug-Keep evidence bound to the node's nonce). */
    body?: () => Promise<unknown>;
  } = {},
): Promise<Submitted> {
  const url = net.nodes[nodeIndex]!.url;
  const deadline = Date.now() + (options.retryForMs ?? 60_000);
  for (;;) {
    try {
      const body = options.body
        ? await options.body()
        : (await net.debugKeep(url, options.measurement ? { measurement: options.measurement } : {})).body;
      const posted = await net.post(url, body);
      if (posted.status === 202 || posted.status === 200) {
        return {
          nodeIndex,
          verdictId: posted.json.verdictId as Hex,
          ...(options.expectRefusal ? { expectRefusal: options.expectRefusal } : {}),
        };
      }
      const code = (posted.json.error as { code?: string } | undefined)?.code ?? `HTTP_${posted.status}`;
      // 503: the node is draining or its chain view is not ready; a client retries (unless told not to).
      if ((posted.status !== 503 && posted.status !== 429) || options.noRetry) {
        return { nodeIndex, refusedWith: code, ...(options.expectRefusal ? { expectRefusal: options.expectRefusal } : {}) };
      }
    } catch {
      // unreachable: the node is down or restarting
    }
    if (Date.now() > deadline) throw new Error(`node ${nodeIndex} did not take a submission within ${options.retryForMs ?? 60_000} ms`);
    await sleep(250);
  }
}

/** How many times each verdict was finalized on-chain, alone (VerdictFinalized) or in a batch group. */
export async function finalizationCounts(net: NodeNetwork): Promise<Map<Hex, number>> {
  const logs = await net.publicClient.getLogs({ address: net.deployment.contracts.attestationRegistry, fromBlock: 0n, toBlock: "latest" });
  const counts = new Map<Hex, number>();
  const add = (id: Hex) => counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const e of parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs })) add(e.args.verdictId);
  for (const e of parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictGroupFinalized", logs })) {
    for (const leaf of batchLeaves([e.args.group as VerdictGroup])) add(toHex(leaf));
  }
  return counts;
}

/** Waits until every accepted submission is settled on the node that took it, or the deadline passes. */
export async function waitAllSettled(
  net: NodeNetwork,
  submitted: readonly Submitted[],
  timeoutMs: number,
): Promise<{ stuck: Hex[]; rejected: Map<Hex, string> }> {
  const deadline = Date.now() + timeoutMs;
  const open = new Set(submitted.filter((s) => s.verdictId).map((s) => `${s.nodeIndex}:${s.verdictId}`));
  const rejected = new Map<Hex, string>();
  while (open.size > 0 && Date.now() < deadline) {
    await Promise.all(
      [...open].map(async (key) => {
        const [i, id] = key.split(":") as [string, Hex];
        const r = await fetch(`${net.nodes[Number(i)]!.url}/v1/verdicts/${id}`).catch(() => undefined);
        if (!r?.ok) return;
        const view = (await r.json()) as { status?: string; error?: { code?: string } };
        if (view.status === "rejected") rejected.set(id, view.error?.code ?? "UNKNOWN");
        if (view.status === "finalized" || view.status === "rejected") open.delete(key);
      }),
    );
    if (open.size > 0) await sleep(500);
  }
  return { stuck: [...open].map((k) => k.split(":")[1] as Hex), rejected };
}

/** `keepledger index` as a process of its own, following the chain at `rpcUrl` into a SQLite file. */
export function startIndexer(net: NodeNetwork, rpcUrl: string, file: string, options: { once?: boolean } = {}): ChildProcess {
  const args = ["index", "--rpc", rpcUrl, "--deployment", join(net.dir, "deployment.json"), "--database", file];
  if (options.once) args.push("--once");
  const log = openSync(`${file}.log`, "a");
  return spawn(process.execPath, [join(process.cwd(), "bin", "keepledger.mjs"), ...args], { stdio: ["ignore", log, log] });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/**
 * Stops the indexer that followed the chain through the faults, lets it finish catching up (`--once` on
 * its own store: the resume path), indexes the same chain from scratch into a second store, and compares
 * every entity version of the two.
 */
export async function registryMatchesFreshIndex(net: NodeNetwork, live: ChildProcess, liveFile: string): Promise<boolean> {
  live.kill("SIGTERM");
  await exited(live);
  const rpc = net.anvil.url;
  if ((await exited(startIndexer(net, rpc, liveFile, { once: true }))) !== 0) return false;
  const freshFile = `${liveFile}.fresh.db`;
  if ((await exited(startIndexer(net, rpc, freshFile, { once: true }))) !== 0) return false;
  const a = openDatabase(liveFile);
  const b = openDatabase(freshFile);
  try {
    return JSON.stringify(await dumpEntities(a)) === JSON.stringify(await dumpEntities(b));
  } finally {
    await a.close();
    await b.close();
  }
}

/** Judges the end state: lost, duplicated, stuck and wrongly refused submissions. */
export async function judge(
  net: NodeNetwork,
  submitted: readonly Submitted[],
  stuck: readonly Hex[],
): Promise<Pick<ScenarioResult, "n" | "accepted" | "lost" | "duplicated" | "stuck" | "wrongRefusals">> {
  const counts = await finalizationCounts(net);
  const accepted = submitted.filter((s) => s.verdictId && !s.expectRefusal);
  const wrongRefusals = submitted.filter(
    (s) =>
      (s.expectRefusal !== undefined && s.refusedWith !== s.expectRefusal) || (s.expectRefusal === undefined && s.verdictId === undefined),
  ).length;
  const ids = [...new Set(accepted.map((s) => s.verdictId!))];
  return {
    n: submitted.length,
    accepted: accepted.length,
    // Lost: the node settled it, yet the chain has no finalization (a stuck one is counted as stuck).
    lost: ids.filter((id) => (counts.get(id) ?? 0) === 0 && !stuck.includes(id)).length,
    duplicated: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
    stuck: stuck.length,
    wrongRefusals,
  };
}
