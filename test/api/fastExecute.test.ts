/**
 * The fast execution of plain queries (src/api/fastExecute.ts) held to graphql-js over the scenario, on
 * SQLite and PostgreSQL: the auditor query fixtures and queries that reach every kind of field (nested
 * references and lists with arguments, aliases, fragments, __typename, enums, read-time status through
 * revocations, attestedAt at every checkpoint) answer the same bytes on both; documents outside its
 * subset get no plan; and a request it cannot answer (a resolver error, a filter the reader refuses,
 * variables that do not coerce) rejects, so the direct path answers it through graphql-js, byte for byte
 * as yoga does.
 */
import type { OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryApi, type RegistryApi } from "../../src/api/createRegistryApi.ts";
import { createRegistrySchema, type RegistryContext } from "../../src/api/createRegistrySchema.ts";
import { planFastQuery } from "../../src/api/fastExecute.ts";
import { BlockClock, RegistryReader } from "../../src/api/RegistryReader.ts";
import { graphqlRuntime } from "../../src/api/yoga.ts";
import { entityModel } from "../../src/indexer/entityModel.ts";
import { createIndexer } from "../../src/indexer/Indexer.ts";
import type { Database } from "../../src/store/Database.ts";
import { TEST_DATABASES } from "../support/databases.ts";
import { runScenario, type Scenario } from "../indexer/scenario.ts";
import { readQueryFixtures } from "../support/queryFixtures.ts";

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

function fixtureCases(): Case[] {
  return readQueryFixtures().map((f) => ({ name: `fixture ${f.name}`, query: f.query, variables: f.variables }));
}

/** Queries beyond the fixtures, reaching every kind of field the plan handles. */
function extraCases(s: Scenario): Case[] {
  const revokedLeaf = s.verdicts.batch0Leaf1!.id;
  const k7 = s.keeps[7]!.toLowerCase();
  const VERDICT =
    "id workload { id name } subject tee tcbStatus issuedAt expiresAt status materialized revoked signers { id endpoint } batch { id count }";
  const cases: Case[] = [
    { name: "every verdict with its references", query: `{ verdicts(first: 1000) { ${VERDICT} } }` },
    {
      name: "every verdict as of the subject revocation",
      query: `{ verdicts(first: 1000, block: { number: ${s.checkpoints.subjectRevoked} }) { id status revoked } }`,
    },
    {
      name: "a verdict revoked through its subject",
      query: `{ verdict(id: "${revokedLeaf}", block: { number: ${s.checkpoints.subjectRevoked} }) { status revoked } }`,
    },
    {
      name: "a subject revoked everywhere",
      query: `query($s: Bytes!) { verdicts(first: 1000, where: { subject: $s }) { id status } }`,
      variables: { s: k7 },
    },
    {
      name: "filtered by status",
      query: `{ verdicts(first: 1000, where: { status: REVOKED }, orderBy: issuedAt, orderDirection: desc) { id status } }`,
    },
    {
      name: "nested lists with arguments, aliases and __typename",
      query: `{ workloads(orderBy: name) { __typename name kind: __typename newest: verdicts(first: 2, orderBy: issuedAt, orderDirection: desc) { id status __typename } oldest: verdicts(first: 2, orderBy: issuedAt) { id } measurements { id tee revoked } } }`,
    },
    {
      name: "an inline fragment and a named one",
      query: `query Q { validators { ...V ... on Validator { active } } } fragment V on Validator { id endpoint loggingProfile }`,
      operationName: "Q",
    },
    { name: "keys and their versions", query: `{ keys { id versions { id threshold liveShareholders belowThreshold } } }` },
    {
      name: "revocations",
      query: `{ subjectRevocations(orderBy: blockNumber) { subject everywhere active workload { name } reason } platformRevocations(orderBy: blockNumber) { kind name active } }`,
    },
    { name: "_meta", query: `{ _meta { block { number hash timestamp parentHash } deployment hasIndexingErrors } }` },
    { name: "an entity that does not exist", query: `{ verdict(id: "0x00") { id } workload(id: "0x00") { name } }` },
    { name: "an empty page", query: `{ verdicts(first: 0) { id } }` },
    // The explorer's pages (explorer/src/pages/): lists of enums and strings, computed fields, evidence.
    {
      name: "explorer: workloads",
      query: `{ _meta { block { number timestamp } } workloads(first: 200, orderBy: name) { id name owner pendingOwner createdAt policyCount measurements(first: 200) { id } policy { id allowedTees acceptedTcbStatuses deniedAdvisories deniedFmspcs deniedAmdProductLines dev allowUnboundEvidence maxEvidenceAge verdictLifetime tcbGracePeriod effectiveAt replaced scheduledAt actor } } }`,
    },
    {
      name: "explorer: verdict",
      query: `query Verdict($id: ID!) { verdict(id: $id) { id tee tcbStatus subject status revoked unbound measurementHash measurementSerial evidenceHash collateralHash issuedAt expiresAt freshnessBlock materialized materializedAt finalizedAt txHash blockNumber logIndex leafIndex workload { id name } measurement { version tee revoked value } revocation { reason actor revokedAt txHash } signers { id endpoint active } batch { id count groupCount materializedCount finalizedAt txHash } evidence { available size storedAt collateral { name contentHash size } } } }`,
      variables: { id: revokedLeaf },
      operationName: "Verdict",
    },
    {
      name: "explorer: validators",
      query: `{ _meta { block { number timestamp } } validators(first: 1000, orderBy: addedAt) { id endpoint loggingProfile pendingLoggingProfile loggingProfileEffectiveAt bootstrap active activeFrom activeUntil verdictInvalidated verdictExpiresAt verdict { id tee tcbStatus status expiresAt } } quorums { threshold thresholdEffectiveAt governanceDelay bootstrapClosesAt validatorWorkload { id name } } }`,
    },
  ];
  const pairs: [string, string][] = [
    ...s.keeps.map((k) => [k, s.workloads.oracle] as [string, string]),
    ...s.keeps.map((k) => [k, s.workloads.bridge] as [string, string]),
    ...s.validators.map((v) => [v.address, s.workloads.validator] as [string, string]),
  ];
  for (const [checkpoint, block] of Object.entries(s.checkpoints)) {
    cases.push({
      name: `attestedAt at ${checkpoint}`,
      query: `query($block: Int) { ${pairs
        .map(
          ([subject, workload], i) =>
            `a${i}: attestedAt(subject: "${subject}", workload: "${workload}", block: $block) { attested expiresAt block verdict { id status issuedAt evidence { evidenceHash } } }`,
        )
        .join(" ")} }`,
      variables: { block },
    });
  }
  return cases;
}

let scenario: Scenario;
beforeAll(async () => {
  scenario = await runScenario();
});
afterAll(() => scenario.close());

describe.each(TEST_DATABASES)("fast execution on $name", (store) => {
  const model = entityModel();
  const schema = createRegistrySchema({ model });
  let db: Database;
  let api: RegistryApi;
  let drop: () => Promise<void>;
  let context: () => RegistryContext;
  beforeAll(async () => {
    const opened = await store.open();
    ({ db, drop } = opened);
    await (await createIndexer({ db, chain: scenario.chain.provider, deployment: scenario.deployment })).catchUp();
    api = createRegistryApi({ db, chain: scenario.chain.provider });
    const clock = new BlockClock(db, scenario.chain.provider);
    context = () => ({
      reader: new RegistryReader({ db, model, clock }),
      newReader: () => new RegistryReader({ db, model, clock }),
    });
  });
  afterAll(() => drop());

  const planOf = (c: Case) => {
    const document = graphqlRuntime.parse(c.query);
    expect(graphqlRuntime.validate(schema, document)).toEqual([]);
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode =>
        d.kind === graphqlRuntime.Kind.OPERATION_DEFINITION && (c.operationName === undefined || d.name?.value === c.operationName),
    )!;
    return { document, plan: planFastQuery(schema, document, operation) };
  };
  const viaYoga = async (body: string) =>
    (
      await (
        await api.yoga.fetch("http://registry.local/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body,
        })
      ).text()
    ).trim();

  it("plans and answers every case as graphql-js does, and the direct path as yoga does", async () => {
    const cases = [...fixtureCases(), ...extraCases(scenario)];
    expect(cases.length).toBeGreaterThan(20);
    let answers = "";
    for (const c of cases) {
      const { document, plan } = planOf(c);
      expect(plan, c.name).not.toBeNull();
      const variables = c.variables ?? {};
      const fast = await plan!.run(variables, context());
      const slow = await graphqlRuntime.execute({
        schema,
        document,
        variableValues: variables,
        operationName: c.operationName,
        contextValue: context(),
      });
      expect(slow.errors, c.name).toBeUndefined();
      expect(JSON.stringify(fast), c.name).toBe(JSON.stringify(slow));
      answers += JSON.stringify(fast);
      const body = JSON.stringify({ query: c.query, variables, operationName: c.operationName });
      expect(await api.direct(new TextEncoder().encode(body), { "content-type": "application/json" }), c.name).toBe(await viaYoga(body));
    }
    // The cases reach every verdict status and both answers of attestedAt.
    for (const seen of ['"status":"FINALIZED"', '"status":"EXPIRED"', '"status":"REVOKED"', '"attested":true', '"attested":false'])
      expect(answers).toContain(seen);
  });

  it.each([
    { name: "introspection", query: `{ __schema { queryType { name } } }` },
    { name: "a directive", query: `query($x: Boolean!) { verdicts { id @include(if: $x) } }` },
    { name: "one response name twice (merged fields)", query: `{ verdicts { id id } }` },
    { name: "the same field through a fragment too", query: `{ verdicts { id ...F } } fragment F on Verdict { id status }` },
  ])("has no plan for $name", ({ query }) => {
    expect(planOf({ name: query, query }).plan).toBeNull();
  });

  it.each([
    { name: "a resolver error", query: `{ verdicts(block: { number: 99999999 }) { id } }` },
    { name: "a filter the reader refuses", query: `{ verdicts(where: { issuedAt_gt: null }) { id } }` },
    { name: "variables that do not coerce", query: `query($n: Int!) { verdicts(first: $n) { id } }`, variables: { n: "x" } },
  ])("rejects $name, and the direct path answers it as yoga does", async ({ query, variables }) => {
    const { plan } = planOf({ name: query, query });
    await expect(plan!.run(variables ?? {}, context())).rejects.toThrow();
    const body = JSON.stringify({ query, variables });
    const direct = await api.direct(new TextEncoder().encode(body), { "content-type": "application/json" });
    // Variables that do not coerce are yoga's to word (the direct path declines them).
    if (variables) expect(direct).toBeNull();
    else expect(direct).toBe(await viaYoga(body));
  });
});
