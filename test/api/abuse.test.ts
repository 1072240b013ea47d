/**
 * The registry under abusive queries: `where` filters that nest and/or deeply or widely are refused with
 * FILTER_TOO_COMPLEX before any SQL runs, and a query that runs past its time limit is stopped inside
 * SQLite (not raced and left running): it ends at the deadline and the database is free right after.
 * The HTTP server closes slowloris connections and refuses header floods; clients are rate-limited,
 * keyed on the address a trusted proxy forwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryApi } from "../../src/api/createRegistryApi.ts";
import { startRegistryServer, type RegistryServer } from "../../src/api/registryServer.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { runScenario, type Scenario } from "../indexer/scenario.ts";
import { headerFlood, slowBody, slowHeaders } from "../support/slowClients.ts";

let scenario: Scenario;
let db: Database;

beforeAll(async () => {
  scenario = await runScenario();
  db = openDatabase(":memory:");
  await (await createIndexer({ db, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
}, 120_000);
afterAll(async () => {
  await db.close();
  await scenario.close();
});

/** `{ or: [{ or: [ … { issuedAt_gt: "0" } … ] }] }`, `levels` deep. */
function nestedOr(levels: number): Record<string, unknown> {
  let where: Record<string, unknown> = { issuedAt_gt: "0" };
  for (let i = 1; i < levels; i++) where = { or: [where, { issuedAt_lt: "1" }] };
  return where;
}

describe("where filters", () => {
  const query = `query($w: Verdict_filter) { verdicts(first: 5, where: $w) { id } }`;

  it("lets an ordinary nested filter through", async () => {
    const r = await createRegistryApi({ db }).execute(query, { w: nestedOr(6) });
    expect(r.errors).toBeUndefined();
  });

  it.each([
    {
      name: "too deep",
      where: nestedOr(7),
      message: "a `where` filter nests 7 levels deep; the limit is 6",
      extensions: { filterDepth: 7, max: 6 },
    },
    {
      name: "too wide",
      where: { or: Array.from({ length: 250 }, (_, i) => ({ issuedAt_gt: String(i) })) },
      message: "the query's `where` filters hold 201 conditions or more; the limit is 200",
      extensions: { filterConditions: 201, max: 200 },
    },
    {
      name: "too many _in values",
      where: { id_in: Array.from({ length: 300 }, (_, i) => `0x${i.toString(16).padStart(64, "0")}`) },
      message: "the query's `where` filters hold 301 conditions or more; the limit is 200",
      extensions: { filterConditions: 301, max: 200 },
    },
  ])("refuses a $name filter with FILTER_TOO_COMPLEX", async ({ where, message, extensions }) => {
    const r = await createRegistryApi({ db }).execute(query, { w: where });
    expect(r.data).toBeUndefined();
    expect(r.errors).toEqual([expect.objectContaining({ message, extensions: { code: "FILTER_TOO_COMPLEX", ...extensions } })]);
  });

  it("counts filters written in the query text and across fields", async () => {
    const branches = Array.from({ length: 110 }, (_, i) => `{ issuedAt_gt: "${i}" }`).join(", ");
    const r = await createRegistryApi({ db }).execute(
      `{ a: verdicts(where: { or: [${branches}] }) { id } b: verdicts(where: { or: [${branches}] }) { id } }`,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe("FILTER_TOO_COMPLEX");
  });
});

describe("query timeout", () => {
  beforeAll(async () => {
    // Enough verdict versions that a filter no index serves takes a while to scan.
    const cols = (await db.query<{ name: string }>("SELECT name FROM pragma_table_info('reg_verdict')")).map((c) => `"${c.name}"`);
    const select = cols.map((c) => (c === '"id"' ? `printf('0x%064x', 1000000 + n)` : c)).join(", ");
    await db.exec(
      `INSERT INTO reg_verdict (${cols.join(", ")}) WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 400000)
       SELECT ${select} FROM c, (SELECT * FROM reg_verdict LIMIT 1)`,
    );
  }, 120_000);

  const slow = `{ verdicts(first: 5, where: { evidenceHash_contains: "0xfeedfacefeedface" }) { id } }`;

  it("stops a running SQLite query at the deadline with TIMEOUT, and the database is free right after", async () => {
    const unlimited = createRegistryApi({ db, limits: { timeoutMs: 600_000 } });
    let t = performance.now();
    const full = await unlimited.execute(slow);
    const fullMs = performance.now() - t;
    expect(full.errors).toBeUndefined();
    expect(full.data).toEqual({ verdicts: [] });

    const limited = createRegistryApi({ db, limits: { timeoutMs: Math.max(20, Math.round(fullMs / 10)) } });
    t = performance.now();
    const stopped = await limited.execute(slow);
    const stoppedMs = performance.now() - t;
    expect(stopped.errors?.[0]).toMatchObject({ message: "the query ran out of time", extensions: { code: "TIMEOUT" } });
    // It ended near its deadline, well before the scan would have finished.
    expect(stoppedMs).toBeLessThan(fullMs / 2);

    t = performance.now();
    expect((await limited.execute(`{ _meta { block { number } } }`)).errors).toBeUndefined();
    expect(performance.now() - t).toBeLessThan(fullMs / 2);
  }, 60_000);
});

describe("the registry's HTTP server under slow and flooding clients", () => {
  let server: RegistryServer;
  beforeAll(async () => {
    server = await startRegistryServer(
      createRegistryApi({ db }),
      { host: "127.0.0.1", port: 0 },
      {
        headersTimeoutMs: 500,
        requestTimeoutMs: 1_000,
        maxHeaderBytes: 8 * 1024,
      },
    );
  });
  afterAll(() => server.close());

  it("closes a connection whose headers trickle in (slowloris) with 408 after headersTimeoutMs", async () => {
    const r = await slowHeaders(server.url, "/graphql", 100, 10_000);
    expect(r.status).toBe("HTTP/1.1 408 Request Timeout");
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(r.closedAfterMs).toBeLessThan(2_500);
  });

  it("closes a connection whose body trickles in with 408 after requestTimeoutMs", async () => {
    const r = await slowBody(server.url, "/graphql", 100, 10_000);
    expect(r.status).toBe("HTTP/1.1 408 Request Timeout");
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(950);
    expect(r.closedAfterMs).toBeLessThan(3_000);
  });

  it("answers an oversized header block with 431 and closes", async () => {
    const r = await headerFlood(server.url, "/graphql", 64 * 1024, 10_000);
    expect(r.status).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    expect(r.closedAfterMs).toBeLessThan(2_000);
    // An ordinary request still gets through.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe("the registry's per-client rate limit", () => {
  const query = JSON.stringify({ query: "{ _meta { block { number } } }" });
  const ask = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: query });

  it("answers 429 RATE_LIMITED with Retry-After once a client used its requests", async () => {
    const server = await startRegistryServer(createRegistryApi({ db }), { host: "127.0.0.1", port: 0 }, { requestsPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) expect((await ask(server.graphqlUrl)).status).toBe(200);
      const refused = await ask(server.graphqlUrl);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("20");
      expect(await refused.json()).toEqual({
        errors: [{ message: "too many requests; retry in 20 s", extensions: { code: "RATE_LIMITED" } }],
      });
      // A forwarded address from a proxy that is not trusted changes nothing.
      expect((await ask(server.graphqlUrl, { "x-forwarded-for": "198.51.100.1" })).status).toBe(429);
      // Health checks are not limited.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("keys on the client a trusted proxy forwards for", async () => {
    const server = await startRegistryServer(
      createRegistryApi({ db }),
      { host: "127.0.0.1", port: 0 },
      {
        requestsPerMinute: 2,
        trustedProxies: ["127.0.0.1", "::1"],
      },
    );
    try {
      const a = { "x-forwarded-for": "198.51.100.1" };
      const b = { "x-forwarded-for": "198.51.100.2" };
      expect((await ask(server.graphqlUrl, a)).status).toBe(200);
      expect((await ask(server.graphqlUrl, a)).status).toBe(200);
      expect((await ask(server.graphqlUrl, a)).status).toBe(429);
      // Another client behind the same proxy has its own bucket; a forged left-hand entry does not help a.
      expect((await ask(server.graphqlUrl, b)).status).toBe(200);
      expect((await ask(server.graphqlUrl, { "x-forwarded-for": "203.0.113.9, 198.51.100.1" })).status).toBe(429);
    } finally {
      await server.close();
    }
  });
});
