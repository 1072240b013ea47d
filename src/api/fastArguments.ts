/**
 * Argument coercion for the fast execution (fastExecute.ts), planned per field: the same values, in the
 * same key order, as graphql-js's getArgumentValues, but an input object written in the query (a
 * `where: { workload: $w }`) is coerced from the fields it names. graphql-js walks every field of the
 * input type for it — an `<Entity>_filter` has hundreds (a filter key per field and operator), which
 * was a tenth of a page's CPU. Everything else — variables, scalars, lists, input types with required
 * fields, defaults or @oneOf, and every error — goes to graphql-js's own functions.
 */
import type { FieldNode, GraphQLField, GraphQLInputObjectType, GraphQLInputType, ObjectValueNode, ValueNode } from "graphql";
import { graphqlRuntime } from "./yoga.ts";

const { coerceInputLiteral, getArgumentValues, isInputObjectType, isNonNullType, isRequiredInputField, Kind } = graphqlRuntime;

type VariableValues = Parameters<typeof getArgumentValues>[2];

/** The coerced arguments of one field node; throws (graphql-js's error) where they do not coerce. */
export type ArgumentsOf = (variableValues: VariableValues) => Record<string, unknown>;

/** Per input object type: its fields' positions, and whether only the named fields matter (no required field, default or @oneOf). */
const shapes = new WeakMap<GraphQLInputObjectType, { position: Map<string, number>; namedOnly: boolean }>();

function shapeOf(type: GraphQLInputObjectType): { position: Map<string, number>; namedOnly: boolean } {
  let shape = shapes.get(type);
  if (!shape) {
    const fields = Object.values(type.getFields());
    shape = {
      position: new Map(fields.map((f, i) => [f.name, i])),
      namedOnly: !type.isOneOf && fields.every((f) => !isRequiredInputField(f) && f.default === undefined && f.defaultValue === undefined),
    };
    shapes.set(type, shape);
  }
  return shape;
}

/** graphql-js's coerceInputLiteral(node, type, variableValues) for an object literal, from its named fields. */
function coerceObject(node: ObjectValueNode, type: GraphQLInputObjectType, variableValues: VariableValues): unknown {
  const shape = shapeOf(type);
  if (!shape.namedOnly) return coerceInputLiteral(node, type, variableValues);
  const fieldDefs = type.getFields();
  for (const f of node.fields) if (!Object.hasOwn(fieldDefs, f.name.value)) return undefined;
  // graphql-js fills the value in the order the type declares its fields (a stable sort keeps the last of a repeated name last).
  const named =
    node.fields.length > 1
      ? [...node.fields].sort((a, b) => shape.position.get(a.name.value)! - shape.position.get(b.name.value)!)
      : node.fields;
  const out = Object.create(null) as Record<string, unknown>;
  for (const fieldNode of named) {
    const field = fieldDefs[fieldNode.name.value]!;
    const value = fieldNode.value;
    // A variable the request does not give leaves the field out (it has no default here).
    if (value.kind === Kind.VARIABLE && variableValues?.coerced[value.name.value] === undefined) continue;
    const coerced = coerceLiteral(value, field.type, variableValues);
    if (coerced === undefined) return undefined;
    out[field.name] = coerced;
  }
  return out;
}

function coerceLiteral(node: ValueNode, type: GraphQLInputType, variableValues: VariableValues): unknown {
  if (node.kind === Kind.OBJECT) {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isInputObjectType(inner)) return coerceObject(node, inner, variableValues);
  }
  return coerceInputLiteral(node, type, variableValues);
}

/** Plans the arguments of `node` (a field of `def`); the plan is reused by every request of the document. */
export function planArguments(def: GraphQLField<unknown, unknown>, node: FieldNode): ArgumentsOf {
  const literals = new Map<string, ObjectValueNode>();
  for (const argDef of def.args) {
    const argNode = node.arguments?.find((a) => a.name.value === argDef.name);
    // Only optional arguments: a required one left out below would be graphql-js's error.
    if (argNode?.value.kind === Kind.OBJECT && isInputObjectType(argDef.type)) literals.set(argDef.name, argNode.value);
  }
  if (literals.size === 0) return (variableValues) => getArgumentValues(def, node, variableValues, undefined, false);
  // graphql-js coerces the other arguments (and applies their defaults) from the node without the object literals.
  const rest: FieldNode = { ...node, arguments: node.arguments?.filter((a) => !literals.has(a.name.value)) ?? [] };
  return (variableValues) => {
    const others = getArgumentValues(def, rest, variableValues, undefined, false);
    const out = Object.create(null) as Record<string, unknown>;
    for (const argDef of def.args) {
      const literal = literals.get(argDef.name);
      if (literal) {
        const value = coerceObject(literal, argDef.type as GraphQLInputObjectType, variableValues);
        // It does not coerce: graphql-js words the error.
        if (value === undefined) return getArgumentValues(def, node, variableValues, undefined, false);
        out[argDef.name] = value;
      } else if (argDef.name in others) {
        out[argDef.name] = others[argDef.name];
      }
    }
    return out;
  };
}
