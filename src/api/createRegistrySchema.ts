/**
 * The executable GraphQL schema of the registry: the generated query schema (buildQuerySchema.ts) with
 * resolvers over the entity store (RegistryReader), the extras (attestedAt, evidence, subscriptions)
 * and The Graph's scalars.
 */
import type { FieldNode, GraphQLResolveInfo, GraphQLSchema, SelectionSetNode } from "graphql";
import type { EvidenceStore } from "../evidenceStore/EvidenceStore.ts";
import type { EntityModel, EntityType } from "../indexer/entityModel.ts";
import type { RegistryChange } from "../indexer/handlers/index.ts";
import { buildQuerySchemaSdl, pluralName, singularName } from "./buildQuerySchema.ts";
import { API_CODES } from "./codes.ts";
import type { BlockHeight, ListArgs, RegistryReader } from "./RegistryReader.ts";
import type { ApiEntity } from "./sqlQuery.ts";
import { createSchema, filter, graphqlRuntime, pipe, type YogaPubSub } from "./yoga.ts";

const { GraphQLError, GraphQLScalarType, Kind } = graphqlRuntime;

/** What evidence the API serves (docs/evidence-store.md): nothing, hashes and sizes, or the bytes too. */
export type EvidenceAccess = "none" | "hashes" | "full";

export type RegistryPubSub = YogaPubSub<RegistryChange>;

export interface RegistryContext {
  /** The reader of this request (one block for the whole request). */
  reader: RegistryReader;
  /** A fresh reader (subscriptions read each event at the then latest block). */
  newReader(): RegistryReader;
}

export interface CreateRegistrySchemaOptions {
  model: EntityModel;
  evidenceAccess?: EvidenceAccess;
  evidenceStore?: EvidenceStore;
  /** Commits of an indexer in this process; without it, subscriptions answer SUBSCRIPTIONS_UNAVAILABLE. */
  pubsub?: RegistryPubSub;
}

function denied(message: string): InstanceType<typeof GraphQLError> {
  return new GraphQLError(message, { extensions: { code: API_CODES.EVIDENCE_ACCESS_DENIED } });
}

function badInput(message: string): InstanceType<typeof GraphQLError> {
  return new GraphQLError(message, { extensions: { code: API_CODES.BAD_USER_INPUT } });
}

/** The field nodes of `set` (through fragments), each fragment spread followed once per path. */
function fieldNodesOf(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, visit: (field: FieldNode) => void): void {
  const walk = (s: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const sel of s?.selections ?? []) {
      if (sel.kind === Kind.FIELD) visit(sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value)) walk(info.fragments[sel.name.value]?.selectionSet, new Set([...seen, sel.name.value]));
    }
  };
  walk(set, new Set());
}

/**
 * The stored fields the selection sets need from `entity` (the id always): a query that asks for
 * three fields reads three columns, and computes read-time fields (status) only when asked.
 */
function fieldsOfSelections(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], entity: EntityType): Set<string> {
  const out = new Set<string>(["id"]);
  for (const set of sets) {
    fieldNodesOf(info, set, (field) => {
      const name = field.name.value;
      if (name === "evidence") out.add("evidenceHash");
      else if (entity.fieldsByName.get(name)?.column) out.add(name);
    });
  }
  return out;
}

/** The stored fields a resolver's selection needs from `entity`. */
function selectedFields(info: GraphQLResolveInfo, entity: EntityType): Set<string> {
  return fieldsOfSelections(
    info,
    info.fieldNodes.map((node) => node.selectionSet),
    entity,
  );
}

/** The stored fields the selections of the resolver's `child` field (any alias) need from `entity`. */
function childFields(info: GraphQLResolveInfo, child: string, entity: EntityType): Set<string> {
  const sets: (SelectionSetNode | undefined)[] = [];
  for (const node of info.fieldNodes) {
    fieldNodesOf(info, node.selectionSet, (field) => {
      if (field.name.value === child) sets.push(field.selectionSet);
    });
  }
  return fieldsOfSelections(info, sets, entity);
}

const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  description: "An integer of any size, as a decimal string.",
  serialize: (v) => String(v),
  parseValue: (v) => {
    if ((typeof v === "string" && /^-?\d+$/.test(v)) || (typeof v === "number" && Number.isInteger(v))) return String(v);
    throw badInput(`BigInt must be an integer (a decimal string), got ${JSON.stringify(v)}`);
  },
  parseLiteral: (ast) => {
    if ((ast.kind === Kind.STRING && /^-?\d+$/.test(ast.value)) || ast.kind === Kind.INT) return ast.value;
    throw badInput("BigInt must be an integer (a decimal string)");
  },
});

const BytesScalar = new GraphQLScalarType({
  name: "Bytes",
  description: "Bytes as 0x-prefixed hex.",
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v === "string" && /^0x([0-9a-fA-F]{2})*$/.test(v)) return v.toLowerCase();
    throw badInput(`Bytes must be 0x-prefixed hex of whole bytes, got ${JSON.stringify(v)}`);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING && /^0x([0-9a-fA-F]{2})*$/.test(ast.value)) return ast.value.toLowerCase();
    throw badInput("Bytes must be 0x-prefixed hex of whole bytes");
  },
});

const passthrough = (name: string, description: string) =>
  new GraphQLScalarType({
    name,
    description,
    serialize: (v) => v,
    parseValue: (v) => v,
    parseLiteral: (ast) => ("value" in ast ? ast.value : null),
  });

export function createRegistrySchema(options: CreateRegistrySchemaOptions): GraphQLSchema {
  const { model } = options;
  const access = options.evidenceAccess ?? "hashes";
  const typeDefs = buildQuerySchemaSdl(model, { extras: true });
  const Query: Record<string, unknown> = {
    _meta: async (_: unknown, args: { block?: BlockHeight }, ctx: RegistryContext) =>
      ctx.reader.meta(await ctx.reader.resolveBlock(args.block)),
    attestedAt: async (
      _: unknown,
      args: { subject: string; workload: string; block?: number | null },
      ctx: RegistryContext,
      info: GraphQLResolveInfo,
    ) => {
      const block = await ctx.reader.resolveBlock(args.block == null ? undefined : { number: args.block });
      return ctx.reader.attestedAt(args.subject, args.workload, block, childFields(info, "verdict", model.entity("Verdict")));
    },
  };
  const resolvers: Record<string, unknown> = {
    BigInt: BigIntScalar,
    Bytes: BytesScalar,
    BigDecimal: passthrough("BigDecimal", "A decimal number as a string."),
    Int8: passthrough("Int8", "A 64-bit integer."),
    Timestamp: passthrough("Timestamp", "Microseconds since the Unix epoch."),
    Query,
  };

  for (const e of model.entities) {
    Query[singularName(e.name)] = async (
      _: unknown,
      args: { id: string; block?: BlockHeight },
      ctx: RegistryContext,
      info: GraphQLResolveInfo,
    ) => ctx.reader.byId(e.name, args.id, await ctx.reader.resolveBlock(args.block), selectedFields(info, e));
    Query[pluralName(e.name)] = async (
      _: unknown,
      args: ListArgs & { block?: BlockHeight },
      ctx: RegistryContext,
      info: GraphQLResolveInfo,
    ) => ctx.reader.list(e.name, args, await ctx.reader.resolveBlock(args.block), selectedFields(info, e));

    const fieldResolvers: Record<string, unknown> = {};
    for (const f of e.fields) {
      const t = f.type;
      if (t.kind === "ref") {
        const target = model.entity(t.entity);
        fieldResolvers[f.name] = (parent: ApiEntity, _args: unknown, ctx: RegistryContext, info: GraphQLResolveInfo) => {
          const id = parent[f.name];
          return id == null ? null : ctx.reader.byId(t.entity, String(id), parent.__block, selectedFields(info, target));
        };
      } else if (t.kind === "derived") {
        const target = model.entity(t.entity);
        fieldResolvers[f.name] = (parent: ApiEntity, args: ListArgs, ctx: RegistryContext, info: GraphQLResolveInfo) =>
          ctx.reader.derived(t.entity, t.field, String(parent.id), args, parent.__block, selectedFields(info, target));
      } else if (t.kind === "list" && t.of.kind === "ref") {
        const target = model.entity(t.of.entity);
        fieldResolvers[f.name] = (parent: ApiEntity, args: ListArgs, ctx: RegistryContext, info: GraphQLResolveInfo) =>
          ctx.reader.refList(target.name, (parent[f.name] as string[] | null) ?? [], args, parent.__block, selectedFields(info, target));
      }
    }
    if (e.name === "Verdict") {
      fieldResolvers.evidence = async (parent: ApiEntity) => {
        if (access === "none") throw denied('this registry does not serve evidence (evidenceAccess is "none")');
        const hash = String(parent.evidenceHash);
        const info = options.evidenceStore ? await options.evidenceStore.describeEvidence(hash as `0x${string}`) : undefined;
        return {
          evidenceHash: hash,
          available: info !== undefined,
          size: info?.size ?? null,
          storedAt: info ? String(info.storedAt) : null,
          collateral: (info?.collateral ?? []).map((c) => ({ ...c, evidenceHash: hash })),
        };
      };
    }
    resolvers[e.name] = fieldResolvers;
  }

  const bytesOf = async (evidenceHash: string, name?: string): Promise<string | null> => {
    if (access !== "full") throw denied('this registry serves evidence hashes and sizes only (evidenceAccess is "hashes")');
    const stored = await options.evidenceStore?.getEvidence(evidenceHash as `0x${string}`);
    if (!stored) return null;
    const bytes = name === undefined ? stored.evidence : stored.collateral.find((c) => c.name === name)?.bytes;
    return bytes ? `0x${Buffer.from(bytes).toString("hex")}` : null;
  };
  resolvers.Evidence = { bytes: (parent: { evidenceHash: string }) => bytesOf(parent.evidenceHash) };
  resolvers.EvidenceCollateral = { bytes: (parent: { evidenceHash: string; name: string }) => bytesOf(parent.evidenceHash, parent.name) };

  const pubsub = options.pubsub;
  const subscription = (kind: RegistryChange["kind"], entity: string, byWorkload: boolean) => ({
    subscribe: (_: unknown, args: { workload?: string | null }) => {
      if (!pubsub) {
        throw new GraphQLError("subscriptions need the indexer in this process (keepledger index --serve)", {
          extensions: { code: API_CODES.SUBSCRIPTIONS_UNAVAILABLE },
        });
      }
      const workload = byWorkload ? args.workload?.toLowerCase() : undefined;
      return pipe(
        pubsub.subscribe("registry"),
        filter<RegistryChange>((c) => c.kind === kind && (workload == null || c.workload === workload)),
      );
    },
    resolve: async (change: RegistryChange, _args: unknown, ctx: RegistryContext) => {
      const reader = ctx.newReader();
      return reader.byId(entity, change.id, await reader.latest());
    },
  });
  resolvers.Subscription = {
    verdictFinalized: subscription("verdictFinalized", "Verdict", true),
    policyChanged: subscription("policyChanged", "Policy", true),
    validatorChanged: subscription("validatorChanged", "Validator", false),
  };

  return createSchema({ typeDefs, resolvers });
}
