/**
 * Batch mode end to end, and the HTTP surface: many verdicts finalize in few transactions, each with a
 * Merkle proof that materializes it; bad requests get typed 4xx bodies (400, 404, 405, 413, 415, 429).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEventLogs, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { verdictFromJson, type VerdictJson } from "../../src/node/types.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

describe("batch mode (3 validators, k = 2; the first node on PostgreSQL when one is configured)", () => {
  let net: NodeNetwork;
  let postgres: Awaited<ReturnType<(typeof TEST_DATABASES)[number]["open"]>> | undefined;
  const url = (i: number) => net.nodes[i]!.url;

  beforeAll(async () => {
    postgres = await TEST_DATABASES.find((d) => d.name === "postgres")?.open();
    net = await startNodeNetwork({
      validatorWorkload: false,
      store: (i) => (i === 0 ? postgres?.url : undefined),
      batch: { enabled: true, maxItems: 16, maxWaitMs: 300 },
      nodeConfig: (i) => (i === 2 ? { limits: { maxBodyBytes: 4_096, peerMaxBodyBytes: 64 << 20, requestsPerMinute: 3 } } : {}),
    });
    for (let i = 0; i < 3; i++) await net.startNode(i);
  }, 60_000);
  afterAll(async () => {
    await net?.stop();
    await postgres?.drop();
  });

  it("finalizes 40 verdicts from two collectors in batches, each provable and materializable", async () => {
    const keeps = await Promise.all(Array.from({ length: 40 }, (_, i) => net.debugKeep(url(i % 2))));
    const posted = await Promise.all(keeps.map((k, i) => net.post(url(i % 2), k.body)));
    expect(posted.every((p) => p.status === 202)).toBe(true);
    const views = await Promise.all(posted.map((p, i) => net.waitSettled(url(i % 2), p.json.verdictId as Hex)));
    expect(views.every((v) => v.status === "finalized" && v.mode === "batch")).toBe(true);
    const batches = new Set(views.map((v) => v.batchId));
    expect(batches.size).toBeLessThanOrEqual(8);
    expect(batches.size).toBeGreaterThanOrEqual(3);
    const txs = new Set(views.map((v) => v.txHash as Hex));
    let leaves = 0;
    for (const tx of txs) {
      const receipt = await net.publicClient.getTransactionReceipt({ hash: tx });
      for (const e of parseEventLogs({ abi: attestationRegistryAbi, eventName: "BatchFinalized", logs: receipt.logs }))
        leaves += e.args.count;
    }
    expect(leaves).toBe(40);

    // A batched verdict counts once materialized with the proof the node serves.
    const first = views[0]!;
    const verdict = verdictFromJson(first.verdict as VerdictJson);
    expect((await net.client.isAttested(keeps[0]!.subject, net.workloadId)).ok).toBe(false);
    await net.client.materializeVerdict(verdict, first.batchId as Hex, first.proof as Hex[]);
    expect(await net.client.isAttested(keeps[0]!.subject, net.workloadId)).toMatchObject({ ok: true, verdictId: first.verdictId });
  });

  describe("HTTP errors are typed JSON bodies", () => {
    const send = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(`${url(2)}${path}`, init);
      return { status: r.status, headers: r.headers, json: (await r.json()) as { error?: { code: string; message: string } } };
    };
    const json = (body: unknown): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

    it.each([
      {
        name: "a body that is not JSON by content type",
        path: "/v1/evidence",
        init: { method: "POST", headers: { "content-type": "text/plain" }, body: "x" },
        status: 415,
        code: "NODE_UNSUPPORTED_MEDIA_TYPE",
      },
      {
        name: "a body over the limit",
        path: "/v1/evidence",
        init: json({ evidence: "A".repeat(5_000) }),
        status: 413,
        code: "NODE_BODY_TOO_LARGE",
      },
      { name: "a missing field", path: "/v1/evidence", init: json({ evidence: "AAAA" }), status: 400, code: "NODE_REQUEST_INVALID" },
    ])("$name → $status $code", async ({ path, init, status, code }) => {
      const r = await send(path, init);
      expect(r.status).toBe(status);
      expect(r.json.error?.code).toBe(code);
    });

    it("rate-limits a client whose peer requests fail authentication", async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await send("/v1/peer/sign", json({}))).status);
      // Earlier requests of this client may have used its tokens already: 403 until they run out, then 429.
      expect(statuses.every((st) => st === 403 || st === 429)).toBe(true);
      expect(statuses.at(-1)).toBe(429);
    });

    it("rate-limits a client with 429 and Retry-After", async () => {
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await send("/v1/verdicts/0x" + "00".repeat(32)));
      const limited = results.find((r) => r.status === 429);
      expect(limited?.json.error?.code).toBe("NODE_RATE_LIMITED");
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    });
  });

  it.each([
    { name: "an unknown route", path: "/v2/anything", init: {}, status: 404, code: "NODE_NOT_FOUND" },
    { name: "a wrong method", path: "/v1/evidence", init: { method: "GET" }, status: 405, code: "NODE_METHOD_NOT_ALLOWED" },
    { name: "an unknown verdict", path: `/v1/verdicts/0x${"ab".repeat(32)}`, init: {}, status: 404, code: "NODE_NOT_FOUND" },
    {
      name: "a peer request without a validator's signature",
      path: "/v1/peer/sign",
      init: { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
      status: 401,
      code: "NODE_PEER_UNAUTHENTICATED",
    },
  ])("answers $name with $status $code", async ({ path, init, status, code }) => {
    const r = await fetch(`${url(0)}${path}`, init);
    expect(r.status).toBe(status);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it("serves Prometheus metrics and a health report that warns about the insecure provider", async () => {
    const metrics = await (await fetch(`${url(0)}/metrics`)).text();
    for (const name of [
      "keepledger_node_verifications_total",
      "keepledger_node_verify_seconds",
      "keepledger_node_quorum_seconds",
      "keepledger_node_finalize_seconds",
      "keepledger_node_queue_depth",
      "keepledger_node_submissions_total",
      "keepledger_node_gas_used_total",
      "keepledger_node_peer_requests_total",
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(/keepledger_node_verifications_total\{kind="debug",result="ok"\} [1-9]/);
    const health = (await (await fetch(`${url(0)}/healthz`)).json()) as {
      ok: boolean;
      warnings: string[];
      selfAttestation: { provider: string };
    };
    expect(health.ok).toBe(true);
    expect(health.selfAttestation.provider).toBe("none");
    expect(health.warnings[0]).toContain("INSECURE");
  });
});
