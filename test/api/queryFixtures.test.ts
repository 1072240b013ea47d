/**
 * The auditor queries of test/fixtures/queries/ (docs/auditor-guide.md): each validates against the
 * query schema The Graph would serve for subgraph/schema.graphql (no keepledger extras), and answers
 * exactly its .expected.json on SQLite and on PostgreSQL, from the deterministic scenario.
 *
 * After a deliberate change of the schema, the scenario or the API, regenerate the answers with
 * KEEPLEDGER_UPDATE_QUERY_FIXTURES=1 npx vitest run test/api/queryFixtures.test.ts — and review the diff.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema, parse, validate } from "graphql";
import { buildQuerySchemaSdl } from "../../src/api/buildQuerySchema.ts";
import { createRegistryApi, type RegistryApi } from "../../src/api/createRegistryApi.ts";
import { entityModel } from "../../src/indexer/entityModel.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { runScenario, type Scenario } from "../indexer/scenario.ts";
import { readQueryFixtures } from "../support/queryFixtures.ts";

const UPDATE = process.env.KEEPLEDGER_UPDATE_QUERY_FIXTURES === "1";

const fixtures = readQueryFixtures();

describe("query fixtures against The Graph's schema", () => {
  const theGraph = buildSchema(buildQuerySchemaSdl(entityModel(), { extras: false }));

  it("covers the queries auditors rely on", () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        "workloads",
        "verdictsByWorkload",
        "verdictById",
        "validators",
        "governanceHistory",
        "timeTravel",
        "revokedMeasurements",
        "keyReleases",
      ]),
    );
  });

  it.each(fixtures)("$name is a valid query of the subgraph schema", ({ query }) => {
    expect(validate(theGraph, parse(query)).map((e) => e.message)).toEqual([]);
  });
});

let scenario: Scenario;
beforeAll(async () => {
  scenario = await runScenario();
});
afterAll(() => scenario.close());

describe.each(TEST_DATABASES)("query fixtures on $name", (store) => {
  let api: RegistryApi;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const opened = await store.open();
    drop = opened.drop;
    await (await createIndexer({ db: opened.db, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
    api = createRegistryApi({ db: opened.db, chain: scenario.chain.provider });
  });
  afterAll(() => drop());

  it.each(fixtures)("$name answers as expected", async ({ query, variables, expectedPath }) => {
    const result = await api.execute(query, variables);
    expect(result.errors).toBeUndefined();
    if (UPDATE && store.name === "sqlite") {
      writeFileSync(expectedPath, `${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    expect(result).toEqual(JSON.parse(readFileSync(expectedPath, "utf8")));
  });
});
