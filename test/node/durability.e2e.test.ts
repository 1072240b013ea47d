/**
 * Durability with validator nodes as separate `keepledger node` processes: a collector killed with
 * SIGKILL between accepting evidence and finalizing it resumes after a restart and finalizes the verdict
 * exactly once; an RPC outage (a proxy between the nodes and the chain, switched off) is retried with
 * backoff and the verdict finalizes once the RPC is back; SIGTERM drains and exits cleanly.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

async function finalizations(net: NodeNetwork, verdictId: Hex): Promise<number> {
  const logs = await net.publicClient.getLogs({ address: net.deployment.contracts.attestationRegistry, fromBlock: 0n, toBlock: "latest" });
  return parseEventLogs({ abi: attestationRegistryAbi, eventName: "VerdictFinalized", logs }).filter((e) => e.args.verdictId === verdictId)
    .length;
}

describe("a collector killed with SIGKILL between accept and finalize", () => {
  let net: NodeNetwork;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false });
  }, 60_000);
  afterAll(async () => net?.stop());

  it("resumes after restart and finalizes the verdict exactly once", async () => {
    // Only the collector runs: it accepts (the evidence and the pending verdict are stored before it
    // answers) but cannot reach k = 2 without a peer.
    const collector = await net.startNodeProcess(0);
    const url = net.nodes[0]!.url;
    const keep = await net.debugKeep(url);
    const posted = await net.post(url, keep.body);
    expect(posted.status).toBe(202);
    const verdictId = posted.json.verdictId as Hex;
    await new Promise((r) => setTimeout(r, 500));
    expect(((await (await fetch(`${url}/v1/verdicts/${verdictId}`)).json()) as { status: string }).status).toBe("pending");

    collector.kill("SIGKILL");
    await new Promise((r) => collector.once("exit", r));
    await net.startNodeProcess(1);
    await net.startNodeProcess(2);
    expect(await finalizations(net, verdictId)).toBe(0);

    await net.startNodeProcess(0);
    const view = await net.waitSettled(url, verdictId, 60_000);
    expect(view.status).toBe("finalized");
    expect(await finalizations(net, verdictId)).toBe(1);
    expect(await net.client.isAttested(keep.subject, net.workloadId)).toMatchObject({ ok: true, verdictId });
    expect(readFileSync(net.nodes[0]!.logFile, "utf8")).toContain('"msg":"resuming pending work"');
  });

  it("on SIGTERM stops taking evidence, finishes what is in flight and exits with 0", async () => {
    const url = net.nodes[1]!.url;
    const keep = await net.debugKeep(url);
    const posted = await net.post(url, keep.body);
    const child = net.nodes[1]!.child!;
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await net.startNodeProcess(1);
    expect((await net.waitSettled(url, posted.json.verdictId as Hex)).status).toBe("finalized");
    expect(await finalizations(net, posted.json.verdictId as Hex)).toBe(1);
  });
});

describe("an RPC outage", () => {
  let net: NodeNetwork;
  beforeAll(async () => {
    net = await startNodeNetwork({ validatorWorkload: false, rpcProxy: true });
    for (let i = 0; i < 3; i++) await net.startNodeProcess(i);
  }, 90_000);
  afterAll(async () => net?.stop());

  it("is retried with backoff, and the verdict finalizes when the RPC is back", async () => {
    const url = net.nodes[0]!.url;
    // Warm the caches (workload, validators) with one verdict, so the intake itself needs no RPC.
    const warm = await net.debugKeep(url);
    await net.waitSettled(url, (await net.post(url, warm.body)).json.verdictId as Hex);

    const keep = await net.debugKeep(url);
    await net.proxy!.down();
    const started = Date.now();
    const posted = await net.post(url, keep.body);
    expect(posted.status).toBe(202);
    const verdictId = posted.json.verdictId as Hex;
    await new Promise((r) => setTimeout(r, 4_000));
    expect(((await (await fetch(`${url}/v1/verdicts/${verdictId}`)).json()) as { status: string }).status).toBe("pending");
    await net.proxy!.up();
    const view = await net.waitSettled(url, verdictId, 90_000);
    expect(view.status).toBe("finalized");
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(await finalizations(net, verdictId)).toBe(1);
    const log = readFileSync(net.nodes[0]!.logFile, "utf8");
    expect(log).toMatch(/retrying/);
  });
});
