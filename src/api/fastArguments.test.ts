import type { FieldNode, OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { entityModel } from "../indexer/entityModel.ts";
import { createRegistrySchema } from "./createRegistrySchema.ts";
import { planArguments } from "./fastArguments.ts";
import { graphqlRuntime } from "./yoga.ts";

const { getArgumentValues, getVariableValues, Kind, parse, validate } = graphqlRuntime;
const schema = createRegistrySchema({ model: entityModel() });
const W = "0xa32f316385b5666b50d19d04132b0b50c46e671c92309459f61d52dc940083c0";

/** The root field of a one-field query, its coerced variables, and both coercions of its arguments. */
function both(query: string, variables: Record<string, unknown> = {}, valid = true) {
  const document = parse(query);
  expect(validate(schema, document).length === 0).toBe(valid);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const node = operation.selectionSet.selections[0] as FieldNode;
  expect(node.kind).toBe(Kind.FIELD);
  const def = schema.getQueryType()!.getFields()[node.name.value]!;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (!("variableValues" in coerced)) throw new Error("the variables do not coerce");
  const run = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  return {
    graphqlJs: run(() => getArgumentValues(def, node, coerced.variableValues)),
    planned: run(() => planArguments(def, node)(coerced.variableValues)),
  };
}

/** Values with their key order: JSON keeps it (and ignores null prototypes). */
const ordered = (x: { value?: unknown; error?: string }) => JSON.stringify(x);

describe("planArguments", () => {
  it.each([
    {
      name: "a filter with a variable",
      query: `query($w: String!) { verdicts(where: { workload: $w }, orderBy: issuedAt, orderDirection: desc, first: 100) { id } }`,
      variables: { w: W },
    },
    {
      name: "filter keys in another order than the type declares",
      query: `{ verdicts(where: { tee: "sgx", workload: "${W}", issuedAt_gt: "5", status: REVOKED }) { id } }`,
    },
    { name: "a nested filter", query: `{ verdicts(where: { workload_: { name_starts_with: "or", owner_not: null } }) { id } }` },
    {
      name: "and / or lists",
      query: `{ verdicts(where: { or: [{ tee: "sgx" }, { tee: "tdx", workload: "${W}" }], and: [{ revoked: false }] }) { id } }`,
    },
    { name: "a variable the request leaves out", query: `query($w: String) { verdicts(where: { workload: $w, tee: "sgx" }) { id } }` },
    { name: "a variable given as null", query: `query($w: String) { verdicts(where: { workload: $w }) { id } }`, variables: { w: null } },
    {
      name: "a whole filter as a variable",
      query: `query($f: Verdict_filter) { verdicts(where: $f, skip: 3) { id } }`,
      variables: { f: { workload: W, tee_in: ["sgx"] } },
    },
    { name: "an empty filter", query: `{ verdicts(where: {}) { id } }` },
    { name: "Bytes and BigInt scalars in a filter", query: `{ verdicts(where: { subject: "0xABCDEF", expiresAt_gte: 17 }) { id } }` },
    {
      name: "a filter scalar that does not coerce",
      query: `query($n: BigInt) { verdicts(where: { expiresAt_gte: $n }) { id } }`,
      variables: { n: "12" },
    },
    { name: "block and defaults only", query: `{ verdict(id: "0xAB", block: { number: 3 }) { id } }` },
    { name: "no arguments", query: `{ workloads { id } }` },
  ])("coerces $name as graphql-js does, key order included", ({ query, variables }) => {
    const { graphqlJs, planned } = both(query, variables);
    expect(graphqlJs.error).toBeUndefined();
    expect(ordered(planned)).toBe(ordered(graphqlJs));
  });

  it("keeps the filter's keys in the order the input type declares them", () => {
    const { planned } = both(`{ verdicts(where: { tee: "sgx", workload: "${W}" }) { id } }`);
    expect(Object.keys((planned.value as { where: object }).where)).toEqual(["workload", "tee"]);
  });

  it("leaves an argument that does not coerce to graphql-js, which throws its error", () => {
    // Validation refuses it first on every path the registry serves; here the coercion alone is asked.
    const { graphqlJs, planned } = both(`{ verdicts(where: { expiresAt_gte: "12x" }) { id } }`, {}, false);
    expect(graphqlJs.error).toMatch(/BigInt must be an integer/);
    expect(planned).toEqual(graphqlJs);
  });
});
