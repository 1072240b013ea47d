/**
 * The validator node's HTTP server under slow and flooding clients: headers that trickle in (slowloris)
 * and bodies that trickle in are cut off with 408 at the configured limits, an oversized header block is
 * refused with 431, and the node keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerFlood, slowBody, slowHeaders } from "../support/slowClients.ts";
import { startNodeNetwork, type NodeNetwork } from "./support/nodeNetwork.ts";

describe("the node's HTTP server under slow and flooding clients", () => {
  let net: NodeNetwork;
  let url: string;
  beforeAll(async () => {
    net = await startNodeNetwork({
      validatorWorkload: false,
      nodeConfig: () => ({
        limits: {
          maxBodyBytes: 1 << 20,
          peerMaxBodyBytes: 64 << 20,
          requestsPerMinute: 1_000_000,
          headersTimeoutMs: 500,
          requestTimeoutMs: 1_000,
          keepAliveTimeoutMs: 1_000,
          maxHeaderBytes: 8 * 1024,
        },
      }),
    });
    await net.startNode(0);
    url = net.nodes[0]!.url;
  }, 60_000);
  afterAll(async () => {
    await net?.stopNode(0);
    await net?.stop();
  });

  it("closes a slowloris connection with 408 after headersTimeoutMs", async () => {
    const r = await slowHeaders(url, "/healthz", 100, 10_000);
    expect(r.status).toBe("HTTP/1.1 408 Request Timeout");
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(r.closedAfterMs).toBeLessThan(2_500);
  });

  it("closes a connection whose evidence body trickles in with 408 after requestTimeoutMs", async () => {
    const r = await slowBody(url, "/v1/evidence", 100, 10_000);
    expect(r.status).toBe("HTTP/1.1 408 Request Timeout");
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(950);
    expect(r.closedAfterMs).toBeLessThan(3_000);
  });

  it("refuses an oversized header block with 431, and keeps serving", async () => {
    const flood = await Promise.all(Array.from({ length: 20 }, () => headerFlood(url, "/v1/evidence", 64 * 1024, 10_000)));
    for (const r of flood) {
      expect(r.status).toBe("HTTP/1.1 431 Request Header Fields Too Large");
      expect(r.closedAfterMs).toBeLessThan(3_000);
    }
    expect((await fetch(`${url}/healthz`)).status).toBeLessThan(600);
    const keep = await net.debugKeep(url);
    expect((await net.post(url, keep.body)).status).toBe(202);
  });
});
