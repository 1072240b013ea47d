/**
 * The API's limits and its HTTP face: too deep, too costly, too slow and too large requests get clear
 * GraphQL errors with codes; internal failures are masked (no SQL, no stack); GraphiQL is off unless
 * asked for; /healthz answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryApi, type RegistryApi } from "../../src/api/createRegistryApi.ts";
import { startRegistryServer, type RegistryServer } from "../../src/api/registryServer.ts";
import { parseListen } from "../../src/cli/parseListen.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { openDatabase } from "../../src/store/openDatabase.ts";
import { runScenario, type Scenario } from "../indexer/scenario.ts";

let scenario: Scenario;
let db: Database;
let api: RegistryApi;
let server: RegistryServer;

beforeAll(async () => {
  scenario = await runScenario();
  db = openDatabase(":memory:");
  await (await createIndexer({ db, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
  api = createRegistryApi({ db });
  server = await startRegistryServer(api, { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await server.close();
  await db.close();
  await scenario.close();
});

const post = (body: string, headers: Record<string, string> = {}, url = server.graphqlUrl) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("limits", () => {
  const deep = `{ verdicts { workload { verdicts { workload { verdicts { workload { verdicts { workload { id } } } } } } } } }`;
  const cases = [
    { name: "too deep", query: deep, code: "QUERY_TOO_DEEP", message: "the query is 9 levels deep; the limit is 8" },
    {
      name: "too costly",
      query: `{ workloads(first: 1000) { verdicts(first: 1000) { id } } }`,
      code: "QUERY_TOO_COSTLY",
      message: "the query may return up to 1001000 entities; the limit is 50000 (ask for smaller pages)",
    },
    {
      name: "page too large",
      query: `{ policies(first: 2000) { id } }`,
      code: "PAGE_TOO_LARGE",
      message: "The `first` argument must be between 0 and 1000, but is 2000",
    },
  ];

  it.each(cases)("answers a $name query with $code and no data", async ({ query, code, message }) => {
    const r = await post(JSON.stringify({ query }));
    const body = (await r.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ message, extensions: expect.objectContaining({ code }) })]);
  });

  it("counts fragments and variables, and lets an 8-deep query within the cost through", async () => {
    const r = await api.execute(
      `query($n: Int!) { workloads(first: $n) { ...w } } fragment w on Workload { verdicts(first: $n) { workload { measurements(first: 2) { verdicts(first: 2) { measurement { workload { id } } } } } } }`,
      { n: 10 },
    );
    expect(r.errors).toBeUndefined();
    const costly = await api.execute(
      `query($n: Int!) { workloads(first: $n) { ...w } } fragment w on Workload { verdicts(first: $n) { id } }`,
      { n: 300 },
    );
    expect(costly.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("stops a query that runs out of time with TIMEOUT", async () => {
    const slow = createRegistryApi({ db, limits: { timeoutMs: 0 } });
    const r = await slow.execute(`{ verdicts { id } }`);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: "TIMEOUT" } });
  });

  it("refuses a body over the limit with 413 BODY_TOO_LARGE before parsing it", async () => {
    const big = JSON.stringify({ query: `{ verdicts { id } }`, variables: { pad: "x".repeat(70 * 1024) } });
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({
      errors: [{ message: "the request body is larger than 65536 bytes", extensions: { code: "BODY_TOO_LARGE" } }],
    });
  });
});

describe("errors", () => {
  it("masks internal failures: no SQL, no stack, a code", async () => {
    const broken = openDatabase(":memory:");
    await (await createIndexer({ db: broken, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
    await broken.exec("DROP TABLE reg_verdict");
    const r = await createRegistryApi({ db: broken }).execute(`{ verdicts { id } }`);
    expect(r.errors).toEqual([expect.objectContaining({ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } })]);
    expect(JSON.stringify(r)).not.toMatch(/reg_verdict|stack|\.ts:/);
    await broken.close();
  });

  it("answers a query before anything is indexed with NOT_INDEXED_YET", async () => {
    const empty = openDatabase(":memory:");
    await createIndexer({ db: empty, chain: scenario.chain.provider, deployment: scenario.deployment });
    const r = await createRegistryApi({ db: empty }).execute(`{ _meta { block { number } } }`);
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: "NOT_INDEXED_YET" } });
    await empty.close();
  });

  it("answers subscriptions without an indexer in the process with SUBSCRIPTIONS_UNAVAILABLE", async () => {
    const r = await post(JSON.stringify({ query: "subscription { validatorChanged { id } }" }), { accept: "text/event-stream" });
    const text = await r.text();
    expect(text).toContain("SUBSCRIPTIONS_UNAVAILABLE");
  });
});

describe("HTTP", () => {
  it("serves no GraphiQL unless asked, and GraphiQL when asked", async () => {
    const off = await fetch(server.graphqlUrl, { headers: { accept: "text/html" } });
    expect(await off.text()).not.toContain("<html");
    const withIde = await startRegistryServer(createRegistryApi({ db, graphiql: true }), { host: "127.0.0.1", port: 0 });
    try {
      const on = await fetch(withIde.graphqlUrl, { headers: { accept: "text/html" } });
      expect(on.status).toBe(200);
      expect((await on.text()).toLowerCase()).toContain("graphiql");
    } finally {
      await withIde.close();
    }
  });

  it("answers GET queries, /healthz and unknown paths", async () => {
    const q = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent("{ _meta { block { number } } }")}`);
    expect(((await q.json()) as { data: { _meta: { block: { number: number } } } }).data._meta.block.number).toBe(scenario.checkpoints.end);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, block: scenario.checkpoints.end });
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
  });

  it("parses --listen values and refuses bad ones", () => {
    expect(parseListen("127.0.0.1:4000")).toEqual({ host: "127.0.0.1", port: 4000 });
    expect(parseListen("4000")).toEqual({ host: "127.0.0.1", port: 4000 });
    expect(parseListen("[::1]:8080")).toEqual({ host: "::1", port: 8080 });
    expect(() => parseListen("localhost")).toThrow(expect.objectContaining({ code: "CLI_BAD_OPTION" }));
  });
});

describe("the direct path (one query POSTed as JSON) and yoga", () => {
  const viaYoga = async (body: string) => {
    const r = await api.yoga.fetch("http://registry.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
    });
    return (await r.text()).trim();
  };
  const direct = (body: string, headers: Record<string, string> = {}) =>
    api.direct(new TextEncoder().encode(body), { "content-type": "application/json", ...headers });

  it.each([
    {
      name: "data",
      request: { query: `{ workloads(orderBy: name) { name verdicts(first: 3, orderBy: issuedAt) { id tee status signers { id } } } }` },
    },
    {
      name: "variables and an operation name",
      request: {
        query: `query a { _meta { block { number } } } query b($n: Int!) { verdicts(first: $n, orderBy: issuedAt) { id } }`,
        variables: { n: 2 },
        operationName: "b",
      },
    },
    { name: "a limit error", request: { query: `{ policies(first: 2000) { id } }` } },
    { name: "a resolver error", request: { query: `{ verdicts(block: { number: 99999999 }) { id } }` } },
  ])("answer $name with the same bytes", async ({ request }) => {
    const body = JSON.stringify(request);
    const answer = await direct(body);
    expect(answer).not.toBeNull();
    expect(answer).toBe(await viaYoga(body));
  });

  it.each([
    { name: "a subscription", body: JSON.stringify({ query: `subscription { verdictFinalized { id } }` }) },
    { name: "a document that does not validate", body: JSON.stringify({ query: `{ nothing }` }) },
    { name: "a syntax error", body: JSON.stringify({ query: `{ verdicts {` }) },
    {
      name: "variables that do not coerce",
      body: JSON.stringify({ query: `query($n: Int!) { verdicts(first: $n) { id } }`, variables: { n: "x" } }),
    },
    { name: "a batch", body: JSON.stringify([{ query: `{ _meta { block { number } } }` }]) },
    { name: "not JSON", body: "{ nope" },
  ])("leave $name to yoga", async ({ body }) => {
    expect(await direct(body)).toBeNull();
    const r = await post(body);
    expect(r.headers.get("content-type")).toMatch(/json/);
  });

  it("leaves server-sent events to yoga", async () => {
    expect(await direct(JSON.stringify({ query: `{ _meta { block { number } } }` }), { accept: "text/event-stream" })).toBeNull();
  });
});
