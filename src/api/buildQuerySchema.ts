/**
 * The GraphQL query schema, generated from subgraph/schema.graphql the way graph-node generates it:
 * The Graph's directives stripped (`@derivedFrom` fields become list fields with arguments), a singular
 * field by id and a plural field per entity (`first`, `skip`, `where`, `orderBy`, `orderDirection`,
 * `block`), `<Entity>_filter` inputs, `<Entity>_orderBy` enums and `_meta`. With `extras`, the
 * keepledger additions: attestedAt, subscriptions and evidence access. Without them it is the schema
 * The Graph would serve, which the query fixtures are validated against.
 */
import type { EntityField, EntityModel, EntityType } from "../indexer/entityModel.ts";

export interface BuildQuerySchemaOptions {
  /** Add keepledger's extras (default true). */
  extras?: boolean;
}

/** A `where` key of a filter input: the field it filters and the operator. */
export interface FilterKey {
  field: string;
  op: FilterOp;
}

export type FilterOp =
  | "eq"
  | "not"
  | "gt"
  | "lt"
  | "gte"
  | "lte"
  | "in"
  | "not_in"
  | "contains"
  | "contains_nocase"
  | "not_contains"
  | "not_contains_nocase"
  | "starts_with"
  | "starts_with_nocase"
  | "not_starts_with"
  | "not_starts_with_nocase"
  | "ends_with"
  | "ends_with_nocase"
  | "not_ends_with"
  | "not_ends_with_nocase"
  | "nested";

/** graph-node's names: workload / workloads, policy / policies, batch / batches. */
export function pluralName(entity: string): string {
  const lower = entity[0]!.toLowerCase() + entity.slice(1);
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

export function singularName(entity: string): string {
  return entity[0]!.toLowerCase() + entity.slice(1);
}

const ORDER_OPS: FilterOp[] = ["eq", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
const STRING_OPS: FilterOp[] = [
  ...ORDER_OPS,
  "contains",
  "contains_nocase",
  "not_contains",
  "not_contains_nocase",
  "starts_with",
  "starts_with_nocase",
  "not_starts_with",
  "not_starts_with_nocase",
  "ends_with",
  "ends_with_nocase",
  "not_ends_with",
  "not_ends_with_nocase",
];
const LIST_OPS: FilterOp[] = ["eq", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"];

/** The operators a field supports, with the GraphQL type of their value. */
export function filterOpsOf(field: EntityField): { op: FilterOp; type: string }[] {
  const t = field.type;
  const listOf = (inner: string) => `[${inner}!]`;
  switch (t.kind) {
    case "derived":
      return [{ op: "nested", type: `${t.entity}_filter` }];
    case "ref":
      return [
        ...STRING_OPS.map((op) => ({ op, type: op === "in" || op === "not_in" ? listOf("String") : "String" })),
        { op: "nested", type: `${t.entity}_filter` },
      ];
    case "enum":
      return ["eq", "not", "in", "not_in"].map((op) => ({ op: op as FilterOp, type: op.endsWith("in") ? listOf(t.enumName) : t.enumName }));
    case "list": {
      const inner = t.of.kind === "scalar" ? t.of.scalar : t.of.kind === "enum" ? t.of.enumName : "String";
      const ops = LIST_OPS.map((op) => ({ op, type: listOf(inner) }));
      return t.of.kind === "ref" ? [...ops, { op: "nested" as const, type: `${t.of.entity}_filter` }] : ops;
    }
    case "scalar": {
      const s = t.scalar;
      const scalarType = s;
      const ops =
        s === "Boolean"
          ? (["eq", "not", "in", "not_in"] as FilterOp[])
          : s === "String"
            ? STRING_OPS
            : s === "Bytes"
              ? ([...ORDER_OPS, "contains", "not_contains"] as FilterOp[])
              : ORDER_OPS;
      return ops.map((op) => ({ op, type: op === "in" || op === "not_in" ? listOf(scalarType) : scalarType }));
    }
  }
}

export function filterKeyName(field: string, op: FilterOp): string {
  if (op === "eq") return field;
  if (op === "nested") return `${field}_`;
  return `${field}_${op}`;
}

/** Every filter key of an entity's `_filter` input. */
export function filterKeys(entity: EntityType): Map<string, FilterKey> {
  const keys = new Map<string, FilterKey>();
  for (const f of entity.fields) for (const { op } of filterOpsOf(f)) keys.set(filterKeyName(f.name, op), { field: f.name, op });
  return keys;
}

/** Fields an entity can be ordered by: its non-list stored fields, and `ref__sub` one level down. */
export function orderByValues(model: EntityModel, entity: EntityType): string[] {
  const out: string[] = [];
  for (const f of entity.fields) {
    if (f.type.kind === "derived" || f.type.kind === "list") continue;
    out.push(f.name);
    if (f.type.kind === "ref") {
      const target = model.entity(f.type.entity);
      for (const sub of target.fields) {
        if (sub.type.kind === "scalar" || sub.type.kind === "enum") out.push(`${f.name}__${sub.name}`);
      }
    }
  }
  return out;
}

function graphqlType(field: EntityField): string {
  const t = field.type;
  const bang = field.nonNull ? "!" : "";
  switch (t.kind) {
    case "derived":
      return `[${t.entity}!]!`;
    case "list": {
      const inner = t.of.kind === "scalar" ? t.of.scalar : t.of.kind === "enum" ? t.of.enumName : t.of.entity;
      return `[${inner}!]${bang}`;
    }
    case "ref":
      return `${t.entity}${bang}`;
    case "enum":
      return `${t.enumName}${bang}`;
    case "scalar":
      return `${t.scalar}${bang}`;
  }
}

const describe = (text: string | undefined, indent = ""): string => (text ? `${indent}${JSON.stringify(text)}\n` : "");

const listArgs = (entity: string) =>
  `(skip: Int = 0, first: Int = 100, orderBy: ${entity}_orderBy, orderDirection: OrderDirection, where: ${entity}_filter)`;

export function buildQuerySchemaSdl(model: EntityModel, options: BuildQuerySchemaOptions = {}): string {
  const extras = options.extras ?? true;
  const parts: string[] = [
    `"""Run queries against the state as of a block: by number, by hash, or the latest once it is at least number_gte."""
input Block_height {
  hash: Bytes
  number: Int
  number_gte: Int
}
input BlockChangedFilter {
  number_gte: Int!
}
scalar BigDecimal
scalar BigInt
scalar Bytes
scalar Int8
scalar Timestamp
enum OrderDirection {
  asc
  desc
}
enum _SubgraphErrorPolicy_ {
  allow
  deny
}
type _Block_ {
  hash: Bytes
  number: Int!
  timestamp: Int
  parentHash: Bytes
}
"""Indexing status: the block the answer is as of, the deployment indexed, and whether indexing hit an error."""
type _Meta_ {
  block: _Block_!
  deployment: String!
  hasIndexingErrors: Boolean!
}`,
  ];
  for (const [name, values] of model.enums)
    parts.push(`${describe(model.enumDescriptions.get(name))}enum ${name} {\n${values.map((v) => `  ${v}`).join("\n")}\n}`);

  for (const e of model.entities) {
    const fields = e.fields.map((f) => {
      const args =
        f.type.kind === "derived"
          ? listArgs(f.type.entity)
          : f.type.kind === "list" && f.type.of.kind === "ref"
            ? listArgs(f.type.of.entity)
            : "";
      return `${describe(f.description, "  ")}  ${f.name}${args}: ${graphqlType(f)}`;
    });
    if (extras && e.name === "Verdict") {
      fields.push(
        `  "The evidence and collateral behind this verdict, as far as this registry's evidenceAccess setting serves them."\n  evidence: Evidence`,
      );
    }
    parts.push(`${describe(e.description)}type ${e.name} {\n${fields.join("\n")}\n}`);

    const filterFields: string[] = [];
    for (const f of e.fields) for (const { op, type } of filterOpsOf(f)) filterFields.push(`  ${filterKeyName(f.name, op)}: ${type}`);
    filterFields.push(`  "Filter for the block changed event."\n  _change_block: BlockChangedFilter`);
    filterFields.push(`  and: [${e.name}_filter]`, `  or: [${e.name}_filter]`);
    parts.push(`input ${e.name}_filter {\n${filterFields.join("\n")}\n}`);
    parts.push(
      `enum ${e.name}_orderBy {\n${orderByValues(model, e)
        .map((v) => `  ${v}`)
        .join("\n")}\n}`,
    );
  }

  const queryFields: string[] = [];
  for (const e of model.entities) {
    queryFields.push(`  ${singularName(e.name)}(id: ID!, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): ${e.name}`);
    queryFields.push(
      `  ${pluralName(e.name)}(skip: Int = 0, first: Int = 100, orderBy: ${e.name}_orderBy, orderDirection: OrderDirection, where: ${e.name}_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [${e.name}!]!`,
    );
  }
  queryFields.push(`  "Access to subgraph metadata"\n  _meta(block: Block_height): _Meta_`);
  if (extras) {
    queryFields.push(
      `  "Whether subject held a live verdict for workload at block (default: the latest indexed), with the contract's isAttested rule: the latest stored verdict decides."\n  attestedAt(subject: ID!, workload: ID!, block: Int): AttestedAt`,
    );
  }
  parts.push(`type Query {\n${queryFields.join("\n")}\n}`);

  if (extras) {
    parts.push(`"""isAttested(subject, workload) as of a block."""
type AttestedAt {
  attested: Boolean!
  "The latest stored verdict for the pair (null when there is none)."
  verdict: Verdict
  expiresAt: BigInt
  block: Int!
}
"""Evidence behind a verdict, from the evidence store (docs/evidence-store.md)."""
type Evidence {
  evidenceHash: Bytes!
  "Whether this registry's evidence store holds the evidence."
  available: Boolean!
  size: Int
  storedAt: BigInt
  "The raw evidence; only where evidenceAccess is \\"full\\"."
  bytes: Bytes
  collateral: [EvidenceCollateral!]!
}
type EvidenceCollateral {
  name: String!
  contentHash: Bytes!
  size: Int!
  "Only where evidenceAccess is \\"full\\"."
  bytes: Bytes
}
"""Live changes, pushed as the indexer commits blocks (server-sent events); the indexer must run in the same process."""
type Subscription {
  "A verdict was finalized (alone or in a batch), optionally for one workload."
  verdictFinalized(workload: ID): Verdict!
  "A policy was scheduled, optionally for one workload."
  policyChanged(workload: ID): Policy!
  "A validator was added, removed, re-profiled, changed its endpoint or its own verdict."
  validatorChanged: Validator!
}`);
  }
  return parts.join("\n\n") + "\n";
}
