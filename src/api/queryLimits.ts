/**
 * Query limits checked before execution, with the request's variables: depth, cost (list sizes
 * multiplied down the selection: `first` × children, as graph-node counts them), page size and skip,
 * and the size of `where` filters (each `and`/`or` branch is SQL the database evaluates per row).
 * Introspection (GraphiQL's schema query is deep) is not counted.
 */
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from "graphql";
import { API_CODES } from "./codes.ts";
import { graphqlRuntime } from "./yoga.ts";

const { getNamedType, getNullableType, GraphQLError, isListType, isObjectType, Kind, valueFromASTUntyped } = graphqlRuntime;

export interface QueryLimits {
  /** Deepest field nesting (default 8). */
  maxDepth: number;
  /** Largest cost (default 50,000): each entity counts 1, a list of `first` counts first × (1 + its children). */
  maxCost: number;
  /** Largest `first` (default 1,000, like The Graph). */
  maxFirst: number;
  /** Largest `skip` (default 5,000, like The Graph). */
  maxSkip: number;
  /** Request body limit in bytes (default 64 KiB). */
  maxBodyBytes: number;
  /** Query time limit in milliseconds (default 5,000). */
  timeoutMs: number;
  /** Deepest nesting of a `where` filter: each object level counts, `and`/`or` lists add one each (default 6). */
  maxFilterDepth: number;
  /** Most filter conditions in one query, all `where` arguments together: each key and each value of an `_in` list counts 1 (default 200). */
  maxFilterConditions: number;
}

export function defaultQueryLimits(): QueryLimits {
  return {
    maxDepth: 8,
    maxCost: 50_000,
    maxFirst: 1_000,
    maxSkip: 5_000,
    maxBodyBytes: 64 * 1024,
    timeoutMs: 5_000,
    maxFilterDepth: 6,
    maxFilterConditions: 200,
  };
}

export interface QueryMeasure {
  depth: number;
  cost: number;
  /** Filter conditions of all `where` arguments. */
  filterConditions: number;
  /** Deepest `where` nesting. */
  filterDepth: number;
}

/**
 * Measures a `where` value: conditions (keys, and list values) and nesting depth. Stops counting past
 * the limits, so a huge filter costs no more than a small one to refuse.
 */
function measureFilter(value: unknown, depth: number, acc: { conditions: number; depth: number }, limits: QueryLimits): void {
  if (acc.conditions > limits.maxFilterConditions || acc.depth > limits.maxFilterDepth) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === "object") measureFilter(item, depth + 1, acc, limits);
      else acc.conditions += 1;
    }
    return;
  }
  if (value === null || typeof value !== "object") return;
  acc.depth = Math.max(acc.depth, depth);
  for (const v of Object.values(value as Record<string, unknown>)) {
    acc.conditions += 1;
    if (v !== null && typeof v === "object") measureFilter(v, Array.isArray(v) ? depth : depth + 1, acc, limits);
  }
}

function limitError(code: string, message: string, extra: Record<string, unknown> = {}): InstanceType<typeof GraphQLError> {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

function argValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    default:
      return undefined;
  }
}

/** Measures an operation and throws the first limit it breaks. */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown> | null | undefined,
  limits: QueryLimits,
): QueryMeasure {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { depth: 0, cost: 0, filterConditions: 0, filterDepth: 0 };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const variables: Record<string, unknown> = { ...(variableValues ?? {}) };
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (variables[name] === undefined && def.defaultValue) variables[name] = argValue(def.defaultValue, {});
  }
  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getMutationType();
  if (!root) return { depth: 0, cost: 0, filterConditions: 0, filterDepth: 0 };
  const filter = { conditions: 0, depth: 0 };

  const visit = (
    selectionSet: SelectionSetNode,
    parent: GraphQLObjectType,
    depth: number,
    seen: Set<string>,
  ): { depth: number; cost: number } => {
    let maxDepth = depth;
    let cost = 0;
    const fieldsOf = (set: SelectionSetNode, type: GraphQLObjectType, visiting: Set<string>): void => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const frag = fragments.get(sel.name.value);
          if (!frag || visiting.has(sel.name.value)) continue;
          fieldsOf(frag.selectionSet, type, new Set([...visiting, sel.name.value]));
          continue;
        }
        if (sel.kind === Kind.INLINE_FRAGMENT) {
          fieldsOf(sel.selectionSet, type, visiting);
          continue;
        }
        const name = sel.name.value;
        if (name.startsWith("__")) continue;
        const field: GraphQLField<unknown, unknown> | undefined = type.getFields()[name];
        if (!field) continue;
        const whereNode = sel.arguments?.find((a) => a.name.value === "where");
        if (whereNode) measureFilter(valueFromASTUntyped(whereNode.value, variables), 1, filter, limits);
        let multiplier = 1;
        const firstDef = field.args.find((a) => a.name === "first");
        if (firstDef) {
          const node = sel.arguments?.find((a) => a.name.value === "first");
          const first = node ? argValue(node.value, variables) : firstDef.defaultValue;
          const skipNode = sel.arguments?.find((a) => a.name.value === "skip");
          const skip = skipNode ? argValue(skipNode.value, variables) : 0;
          if (typeof first === "number") {
            if (first > limits.maxFirst) {
              throw limitError(
                API_CODES.PAGE_TOO_LARGE,
                `The \`first\` argument must be between 0 and ${limits.maxFirst}, but is ${first}`,
                { max: limits.maxFirst },
              );
            }
            if (first < 0)
              throw limitError(
                API_CODES.PAGE_TOO_LARGE,
                `The \`first\` argument must be between 0 and ${limits.maxFirst}, but is ${first}`,
                { max: limits.maxFirst },
              );
            multiplier = first;
          }
          if (typeof skip === "number" && (skip > limits.maxSkip || skip < 0)) {
            throw limitError(API_CODES.SKIP_TOO_LARGE, `The \`skip\` argument must be between 0 and ${limits.maxSkip}, but is ${skip}`, {
              max: limits.maxSkip,
            });
          }
        }
        const named = getNamedType(field.type);
        const isList = isListType(getNullableType(field.type));
        if (sel.selectionSet && isObjectType(named)) {
          const child = visit(sel.selectionSet, named, depth + 1, seen);
          maxDepth = Math.max(maxDepth, child.depth);
          cost += (isList ? multiplier : 1) * (1 + child.cost);
        } else {
          maxDepth = Math.max(maxDepth, depth);
        }
      }
    };
    fieldsOf(selectionSet, parent, seen);
    return { depth: maxDepth, cost };
  };

  const measure = { ...visit(operation.selectionSet, root, 1, new Set()), filterConditions: filter.conditions, filterDepth: filter.depth };
  if (measure.depth > limits.maxDepth) {
    throw limitError(API_CODES.QUERY_TOO_DEEP, `the query is ${measure.depth} levels deep; the limit is ${limits.maxDepth}`, {
      depth: measure.depth,
      max: limits.maxDepth,
    });
  }
  if (measure.cost > limits.maxCost) {
    throw limitError(
      API_CODES.QUERY_TOO_COSTLY,
      `the query may return up to ${measure.cost} entities; the limit is ${limits.maxCost} (ask for smaller pages)`,
      {
        cost: measure.cost,
        max: limits.maxCost,
      },
    );
  }
  if (measure.filterDepth > limits.maxFilterDepth) {
    throw limitError(
      API_CODES.FILTER_TOO_COMPLEX,
      `a \`where\` filter nests ${measure.filterDepth} levels deep; the limit is ${limits.maxFilterDepth}`,
      { filterDepth: measure.filterDepth, max: limits.maxFilterDepth },
    );
  }
  if (measure.filterConditions > limits.maxFilterConditions) {
    throw limitError(
      API_CODES.FILTER_TOO_COMPLEX,
      `the query's \`where\` filters hold ${measure.filterConditions} conditions or more; the limit is ${limits.maxFilterConditions}`,
      { filterConditions: measure.filterConditions, max: limits.maxFilterConditions },
    );
  }
  return measure;
}
