/**
 * Self-attestation when the peers are late: the first validator of a network attests itself before the
 * others listen. Its own verdict must be finalized as soon as they are up (not after a backoff that grew
 * while they were down), a pending own verdict that became too old for the peers' issuedAt skew must be
 * given up and attested anew (not retried for ever), and stopping a node that waits for its quorum must
 * not wait for that quorum. Each was the cause of a CI failure of selfAttestation.e2e.test.ts under load.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Address, Hex } from "viem";
import { validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { until } from "../support/until.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

async function ownVerdictId(net: NodeNetwork, validator: Address): Promise<Hex> {
  const info = await net.publicClient.readContract({
    address: net.deployment.contracts.validatorSet,
    abi: validatorSetAbi,
    functionName: "validatorOf",
    args: [validator],
  });
  return info.ownVerdictId;
}

const messages = (net: NodeNetwork, index: number, msg: string) =>
  net.nodes[index]!.logs.filter((l) => (JSON.parse(l) as { msg: string }).msg === msg);

describe("self-attestation with late peers", () => {
  let net: NodeNetwork | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await net?.stop();
    net = undefined;
  });

  it("stopping a validator whose own verdict waits for its quorum does not wait for the quorum", async () => {
    net = await startNodeNetwork();
    const node = await net.startNode(0);
    // Its peers never start: the own verdict stays pending, retried by the outbox.
    await until(
      "waiting for the quorum",
      () => node.selfAttestation().state,
      (s) => s === "waiting-for-quorum",
    );
    // It used to wait out the 10-minute wait for the quorum. Now that wait ends at once, and
    // shutdownTimeoutMs (5 s) bounds the outbox's work in flight; 30 s leaves room for a loaded machine.
    const outcome = await Promise.race([
      net.stopNode(0).then(() => "stopped"),
      new Promise((r) => setTimeout(() => r("still stopping"), 30_000)),
    ]);
    expect(outcome).toBe("stopped");
  }, 60_000);

  it("finalizes the own verdict as soon as the peers are up, not after the backoff that grew while they were down", async () => {
    // Backoff without jitter (its ceiling): after 6 failed rounds the outbox's next retry is 16 s away.
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    net = await startNodeNetwork();
    await net.startNode(0);
    await until(
      "six rounds without a peer",
      () => messages(net!, 0, "quorum not reached yet; retrying").length,
      (n) => n >= 6,
    );
    await net.startNode(1);
    await net.startNode(2);
    // The old retry came ~16 s after the sixth round, i.e. some 15 s after the peers listen.
    const peersUp = Date.now();
    const own = await until(
      "node 0's own verdict",
      () => ownVerdictId(net!, net!.nodes[0]!.account.address),
      (id) => BigInt(id) !== 0n,
    );
    expect(Date.now() - peersUp).toBeLessThan(8_000);
    // The node attaches once it has read its finalized verdict back: the chain can show it a moment earlier.
    const attached = await until(
      "node 0 attached",
      () => net!.nodes[0]!.node!.selfAttestation(),
      (state) => state.state === "attached",
    );
    expect(attached).toMatchObject({ state: "attached", verdictId: own });
    // Woken by a peer's own request for a countersignature, not by its timer.
    expect(messages(net, 0, "a peer that could not be reached is back; retrying now").length).toBeGreaterThan(0);
  }, 90_000);

  it("gives up an own verdict that became too old for the peers' issuedAt skew and attests anew", async () => {
    const peers = { timeoutMs: 10_000, hedgeAfterMs: 1_500, maxIssuedAtSkewSeconds: 5 };
    net = await startNodeNetwork({ nodeConfig: () => ({ peers }) });
    const node = await net.startNode(0);
    const first = (
      await until(
        "the first own verdict pending",
        () => node.selfAttestation(),
        (s) => s.state === "waiting-for-quorum",
      )
    ).verdictId!;
    const view = (await (await fetch(`${net.nodes[0]!.url}/v1/verdicts/${first}`)).json()) as { verdict: { issuedAt: number } };
    const issuedAt = BigInt(view.verdict.issuedAt);
    // The chain moves on past what the peers tolerate: they will refuse this verdict now and ever after.
    await until(
      "chain time past issuedAt + the skew",
      async () => (await net!.publicClient.getBlock({ blockTag: "latest" })).timestamp,
      (t) => t > issuedAt + BigInt(peers.maxIssuedAtSkewSeconds) + 1n,
    );
    await net.startNode(1);
    await net.startNode(2);
    const own = await until(
      "a new own verdict",
      () => ownVerdictId(net!, net!.nodes[0]!.account.address),
      (id) => BigInt(id) !== 0n,
    );
    expect(own).not.toBe(first);
    const rejected = (await (await fetch(`${net.nodes[0]!.url}/v1/verdicts/${first}`)).json()) as {
      status: string;
      error: { code: string; details: { refusals: Array<{ code: string }> } };
    };
    expect(rejected).toMatchObject({ status: "rejected", error: { code: "NODE_QUORUM_REFUSED" } });
    expect(rejected.error.details.refusals.map((r) => r.code)).toContain("NODE_PEER_ISSUED_AT_SKEW");
    // As above: the chain shows the finalized verdict a moment before the node has read it back and attached.
    const attached = await until(
      "node 0 attached",
      () => node.selfAttestation(),
      (state) => state.state === "attached",
    );
    expect(attached).toMatchObject({ state: "attached", verdictId: own });
  }, 90_000);
});
