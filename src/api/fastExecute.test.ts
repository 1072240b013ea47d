import type { GraphQLFieldResolver, GraphQLObjectType, OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { planFastQuery } from "./fastExecute.ts";
import { graphqlRuntime } from "./yoga.ts";

const { buildSchema, execute, parse, validate } = graphqlRuntime;

/** A small schema whose resolvers log their calls, to compare the fast path with graphql-js call by call. */
function world(log: string[]) {
  const schema = buildSchema(`
    enum Kind { A B }
    type Item { id: ID! n: Int kind: Kind owner: Owner! later: String tags: [String!] }
    type Owner { name: String! }
    type Query { items(first: Int = 2): [Item!]! item(id: ID!): Item broken: Item strict: Item! }
  `);
  const items = [
    { id: "1", n: 1, kind: "A", owner: "o1", tags: ["x"] },
    { id: "2", n: null, kind: "B", owner: "o2", tags: null },
    { id: "3", n: 3, kind: "A", owner: "o1", tags: [] },
  ];
  const resolve = <S, A>(type: string, field: string, fn: (source: S, args: A) => unknown) => {
    (schema.getType(type) as GraphQLObjectType).getFields()[field]!.resolve = fn as unknown as GraphQLFieldResolver<unknown, unknown>;
  };
  resolve("Query", "items", async (_s: unknown, args: { first: number }) => {
    log.push(`items(${args.first})`);
    return items.slice(0, args.first);
  });
  resolve("Query", "item", (_s: unknown, args: { id: string }) => items.find((i) => i.id === args.id) ?? null);
  resolve("Query", "broken", () => Promise.reject(new Error("the store is gone")));
  resolve("Query", "strict", () => null);
  resolve("Item", "owner", (item: { owner: string; id: string }) => {
    log.push(`owner of ${item.id}`);
    return Promise.resolve({ name: item.owner });
  });
  resolve("Item", "later", async (item: { id: string }) => {
    log.push(`later of ${item.id}`);
    await new Promise((r) => setTimeout(r, Number(item.id)));
    log.push(`later of ${item.id} done`);
    return `late ${item.id}`;
  });
  return schema;
}

async function both(query: string, variables: Record<string, unknown> = {}) {
  const fastLog: string[] = [];
  const slowLog: string[] = [];
  const document = parse(query);
  const fastSchema = world(fastLog);
  expect(validate(fastSchema, document)).toEqual([]);
  const plan = planFastQuery(fastSchema, document, document.definitions[0] as OperationDefinitionNode);
  expect(plan).not.toBeNull();
  const fast = await plan!.run(variables, {}).then(
    (r) => ({ answer: JSON.stringify(r) }),
    (e: Error) => ({ rejected: e.message }),
  );
  const slow = JSON.stringify(await execute({ schema: world(slowLog), document, variableValues: variables }));
  return { fast, slow, fastLog, slowLog };
}

describe("planFastQuery", () => {
  it("answers as graphql-js does: key order with fields that finish late, aliases, enums, nulls, lists, defaults", async () => {
    const { fast, slow, fastLog, slowLog } = await both(
      `query($n: Int) { items(first: $n) { later id k: kind owner { name } n tags __typename } one: item(id: "2") { id n } none: item(id: "9") { id } }`,
      { n: 3 },
    );
    expect(fast).toEqual({ answer: slow });
    expect(slow).toContain('"later":"late 1","id":"1","k":"A"');
    // The resolvers ran in the same order: every item's fields before anything was awaited (batching).
    expect(fastLog).toEqual(slowLog);
    expect(fastLog).toEqual([
      "items(3)",
      "later of 1",
      "owner of 1",
      "later of 2",
      "owner of 2",
      "later of 3",
      "owner of 3",
      "later of 1 done",
      "later of 2 done",
      "later of 3 done",
    ]);
  });

  it("applies an argument's default", async () => {
    const { fast, slow } = await both(`{ items { id } }`);
    expect(fast).toEqual({ answer: slow });
    expect(slow).toBe('{"data":{"items":[{"id":"1"},{"id":"2"}]}}');
  });

  it.each([
    { name: "a resolver that fails", query: `{ items { id } broken { id } }` },
    { name: "null where the schema says non-null", query: `{ strict { id } }` },
  ])("rejects $name (graphql-js answers it with errors), leaving no rejection unhandled", async ({ query }) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const { fast, slow } = await both(query);
      expect(fast).toHaveProperty("rejected");
      expect(JSON.parse(slow)).toHaveProperty("errors");
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it.each([
    { name: "a directive", query: `{ items { id @skip(if: true) } }` },
    { name: "merged fields", query: `{ items { id } items { n } }` },
    { name: "introspection", query: `{ __type(name: "Item") { name } }` },
    { name: "a fragment on another type", query: `{ items { ...O } } fragment O on Owner { name }` },
    {
      name: "a mutation-less subscription-less schema's query with a variable directive",
      query: `query($n: Int @deprecated) { items(first: $n) { id } }`,
    },
  ])("has no plan for $name", ({ query }) => {
    const document = parse(query);
    expect(planFastQuery(world([]), document, document.definitions[0] as OperationDefinitionNode)).toBeNull();
  });
});
