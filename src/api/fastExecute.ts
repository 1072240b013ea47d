/**
 * A faster execution of the plain queries the registry serves most (a page of entities and their
 * scalars): planned once per cached document, then run without graphql-js's per-field work (a path, a
 * resolve info, an argument object and a completion chain for every scalar of every row, which was
 * most of a 100-row page's execution and its garbage). Resolvers are the schema's own, called in
 * graphql-js's order (all fields of an object, and all objects of a list, before anything is awaited),
 * so the reader's per-tick batching is the same; their resolve info has graphql-js's common fields
 * (fieldName, fieldNodes, returnType, parentType, path, schema, fragments, rootValue, operation,
 * variableValues) but not graphql 17's abort signal and async helpers, which no registry resolver uses.
 *
 * It answers only when everything went right: any error — a resolver that throws, variables or
 * arguments that do not coerce, a null where the schema says non-null, a value it does not handle —
 * rejects, and the caller runs the request through graphql-js, which words the answer. Documents
 * outside the subset (directives, merged fields — one response name twice —, fragments on another
 * type, abstract types, introspection, mutations and subscriptions) get no plan.
 */
import type {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLLeafType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLResolveInfo,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from "graphql";
import { planArguments, type ArgumentsOf } from "./fastArguments.ts";
import { graphqlRuntime } from "./yoga.ts";

const { getVariableValues, isLeafType, isListType, isNonNullType, isObjectType, Kind } = graphqlRuntime;

/** How a value of an output type is completed. */
type Completion =
  | { kind: "leaf"; type: GraphQLLeafType }
  | { kind: "object"; type: GraphQLObjectType; fields: FieldPlan[] }
  | { kind: "list"; of: Completion; itemPaths: boolean }
  | { kind: "nonNull"; of: Completion };

interface FieldPlan {
  responseName: string;
  fieldName: string;
  node: FieldNode;
  def: GraphQLField<unknown, unknown> | undefined;
  /** __typename: the parent type's name. */
  typename: boolean;
  /** No resolver, no arguments and a scalar or enum: the source's property, serialized. */
  plainLeaf: boolean;
  returnType: GraphQLOutputType;
  completion: Completion;
  /** The field's arguments (fields with a resolver or arguments). */
  args: ArgumentsOf | undefined;
  /** The scalar or enum type of a plain leaf field (nullable or not). */
  leaf: GraphQLLeafType | undefined;
}

export interface FastQuery {
  /** The answer ({ data }), or a rejection: run the request through graphql-js instead. */
  run(variables: Record<string, unknown>, context: unknown): Promise<ExecutionResult>;
}

/** Thrown (and caught by the caller's fallback) where the fast path does not handle a value. */
class Decline extends Error {}

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null | undefined)?.then === "function";

/** Values started before a failure: their own failures are already answered by the fallback. */
function abandon(values: readonly unknown[] | undefined): void {
  for (const v of values ?? []) if (v instanceof Promise) v.catch(() => undefined);
}

type Fragments = Record<string, FragmentDefinitionNode>;

/**
 * The fields of a selection set on `type` in graphql-js's order, fragments spread in place; null where
 * a fragment's type condition is another type (graphql-js would test it per value) or it has directives.
 */
function collectFieldNodes(
  type: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Fragments,
  out: FieldNode[] = [],
): FieldNode[] | null {
  for (const sel of set.selections) {
    if ((sel.directives?.length ?? 0) > 0) return null;
    if (sel.kind === Kind.FIELD) {
      out.push(sel);
      continue;
    }
    const fragment = sel.kind === Kind.INLINE_FRAGMENT ? sel : fragments[sel.name.value];
    if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== type.name)) return null;
    if (!collectFieldNodes(type, fragment.selectionSet, fragments, out)) return null;
  }
  return out;
}

function planSelection(schema: GraphQLSchema, type: GraphQLObjectType, set: SelectionSetNode, fragments: Fragments): FieldPlan[] | null {
  const fields: FieldPlan[] = [];
  const names = new Set<string>();
  const nodes = collectFieldNodes(type, set, fragments);
  if (!nodes) return null;
  for (const sel of nodes) {
    const responseName = sel.alias?.value ?? sel.name.value;
    // The same response name twice is graphql-js's field merging: not handled here.
    if (names.has(responseName)) return null;
    names.add(responseName);
    const fieldName = sel.name.value;
    if (fieldName === "__typename") {
      if (sel.selectionSet) return null;
      const stringType = schema.getType("String") as GraphQLLeafType;
      fields.push({
        responseName,
        fieldName,
        node: sel,
        def: undefined,
        typename: true,
        plainLeaf: false,
        returnType: stringType,
        completion: { kind: "leaf", type: stringType },
        args: undefined,
        leaf: undefined,
      });
      continue;
    }
    if (fieldName.startsWith("__")) return null;
    const def = type.getFields()[fieldName];
    if (!def) return null;
    const completion = planType(schema, def.type, sel.selectionSet, fragments);
    if (!completion) return null;
    const plainLeaf = !def.resolve && def.args.length === 0 && isLeafType(def.type);
    const args = plainLeaf ? undefined : planArguments(def, sel);
    const leafCompletion = completion.kind === "nonNull" ? completion.of : completion;
    const leaf = plainLeaf && leafCompletion.kind === "leaf" ? leafCompletion.type : undefined;
    fields.push({ responseName, fieldName, node: sel, def, typename: false, plainLeaf, returnType: def.type, completion, args, leaf });
  }
  return fields;
}

function planType(
  schema: GraphQLSchema,
  type: GraphQLOutputType,
  set: SelectionSetNode | undefined,
  fragments: Fragments,
): Completion | null {
  if (isNonNullType(type)) {
    const of = planType(schema, type.ofType, set, fragments);
    return of && { kind: "nonNull", of };
  }
  if (isListType(type)) {
    const of = planType(schema, type.ofType as GraphQLOutputType, set, fragments);
    return of && { kind: "list", of, itemPaths: needsPath(of) };
  }
  if (isLeafType(type)) return set ? null : { kind: "leaf", type };
  if (isObjectType(type) && set && !type.isTypeOf) {
    const fields = planSelection(schema, type, set, fragments);
    return fields && { kind: "object", type, fields };
  }
  return null;
}

/** Whether completing a value calls a resolver (which gets the path in its info). */
function needsPath(c: Completion): boolean {
  if (c.kind === "leaf") return false;
  if (c.kind === "object") return c.fields.some((f) => !f.plainLeaf && !f.typename);
  return needsPath(c.of);
}

/** The fast plan of a validated document's operation, or null where it is outside the subset. */
export function planFastQuery(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): FastQuery | null {
  if (operation.operation !== "query" || (operation.directives?.length ?? 0) > 0) return null;
  if (operation.variableDefinitions?.some((v) => (v.directives?.length ?? 0) > 0)) return null;
  const fragments: Fragments = Object.create(null) as Fragments;
  for (const d of document.definitions) {
    if (d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if ((d.variableDefinitions?.length ?? 0) > 0 || (d.directives?.length ?? 0) > 0) return null;
    fragments[d.name.value] = d;
  }
  const root = schema.getQueryType();
  if (!root) return null;
  const fields = planSelection(schema, root, operation.selectionSet, fragments);
  if (!fields) return null;
  const variableDefinitions = operation.variableDefinitions ?? [];

  return {
    async run(variables, context) {
      const coerced = getVariableValues(schema, variableDefinitions, variables, { maxErrors: 50, hideSuggestions: false });
      if (!("variableValues" in coerced) || !coerced.variableValues) throw new Decline("variables");
      const variableValues = coerced.variableValues;

      const completeObject = (
        type: GraphQLObjectType,
        plan: FieldPlan[],
        source: unknown,
        path: GraphQLResolveInfo["path"] | undefined,
      ) => {
        // graphql-js's default resolver reads properties of functions too; the reader's values are never functions.
        if (typeof source === "function") throw new Decline("a function as a value");
        const out: Record<string, unknown> = {};
        let pending: Promise<unknown>[] | undefined;
        try {
          for (const f of plan) {
            let value: unknown;
            if (f.plainLeaf) {
              // graphql-js's default resolver: the property (a method would be called; not handled here).
              const property = source !== null && typeof source === "object" ? (source as Record<string, unknown>)[f.fieldName] : undefined;
              if (typeof property === "function") throw new Decline("method");
              const kind = typeof property;
              // A scalar value of a scalar field: serialized here, without the completion's walk.
              if (f.leaf && (kind === "string" || kind === "number" || kind === "boolean")) {
                value = f.leaf.coerceOutputValue(property);
                if (value === null || value === undefined) throw new Decline("leaf");
              } else value = complete(f.completion, property, undefined);
            } else if (f.typename) {
              value = type.name;
            } else {
              const fieldPath = { prev: path, key: f.responseName, typename: type.name };
              const args = f.args!(variableValues);
              const info = {
                fieldName: f.fieldName,
                fieldNodes: [f.node],
                returnType: f.returnType,
                parentType: type,
                path: fieldPath,
                schema,
                fragments,
                rootValue: undefined,
                operation,
                variableValues,
              } as unknown as GraphQLResolveInfo;
              let resolved: unknown;
              if (f.def!.resolve) resolved = f.def!.resolve(source, args, context, info);
              else {
                const property =
                  source !== null && typeof source === "object" ? (source as Record<string, unknown>)[f.fieldName] : undefined;
                if (typeof property === "function") throw new Decline("method");
                resolved = property;
              }
              value = isPromiseLike(resolved)
                ? Promise.resolve(resolved).then((r) => complete(f.completion, r, fieldPath))
                : complete(f.completion, resolved, fieldPath);
            }
            // Keys keep the selection's order: a pending value's key is set now and filled in later.
            out[f.responseName] = value;
            if (value instanceof Promise) {
              pending ??= [];
              pending.push(value.then((v) => (out[f.responseName] = v)));
            }
          }
        } catch (error) {
          abandon(pending);
          throw error;
        }
        return pending ? Promise.all(pending).then(() => out) : out;
      };

      const complete = (c: Completion, value: unknown, path: GraphQLResolveInfo["path"] | undefined): unknown => {
        if (value instanceof Error) throw value;
        if (c.kind === "nonNull") {
          const inner = complete(c.of, value, path);
          if (inner === null) throw new Decline("null in a non-null field");
          if (inner instanceof Promise)
            return inner.then((v) => {
              if (v === null) throw new Decline("null in a non-null field");
              return v;
            });
          return inner;
        }
        if (value === null || value === undefined) return null;
        if (c.kind === "leaf") {
          const serialized = c.type.coerceOutputValue(value);
          if (serialized === null || serialized === undefined) throw new Decline("leaf");
          return serialized;
        }
        if (c.kind === "list") {
          if (!Array.isArray(value)) throw new Decline("not an array");
          let pending = false;
          const items: unknown[] = [];
          try {
            for (let i = 0; i < value.length; i++) {
              const item: unknown = value[i];
              if (isPromiseLike(item)) throw new Decline("promised list item");
              const done = complete(c.of, item, c.itemPaths && path ? { prev: path, key: i, typename: undefined } : path);
              if (done instanceof Promise) pending = true;
              items.push(done);
            }
          } catch (error) {
            abandon(items);
            throw error;
          }
          return pending ? Promise.all(items) : items;
        }
        return completeObject(c.type, c.fields, value, path);
      };

      const data = await completeObject(root, fields, undefined, undefined);
      return { data } as ExecutionResult;
    },
  };
}
