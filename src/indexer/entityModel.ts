/**
 * The entity model read from subgraph/schema.graphql, the single source of the registry's entities:
 * which entities exist, their fields, how each field is stored (column type and encoding) and how it
 * is exposed. The indexer's store, its SQL schema and the GraphQL API are all derived from it.
 */
import { readFileSync } from "node:fs";
import { Kind, parse, type ObjectTypeDefinitionNode, type TypeNode } from "graphql";
import type { Database } from "../store/Database.ts";

/** The GraphQL scalars The Graph knows, plus the entity schema's own enums. */
export type ScalarName = "ID" | "String" | "Bytes" | "Int" | "BigInt" | "Boolean";

export type FieldKind =
  | { kind: "scalar"; scalar: ScalarName }
  | { kind: "enum"; enumName: string }
  | { kind: "ref"; entity: string }
  | { kind: "list"; of: { kind: "scalar"; scalar: ScalarName } | { kind: "enum"; enumName: string } | { kind: "ref"; entity: string } }
  | { kind: "derived"; entity: string; field: string };

export interface EntityField {
  name: string;
  type: FieldKind;
  nonNull: boolean;
  /** The column the field is stored in (derived fields have none). */
  column: string | null;
  description: string | undefined;
}

export interface EntityType {
  name: string;
  /** The SQL table holding its versions. */
  table: string;
  immutable: boolean;
  fields: EntityField[];
  fieldsByName: Map<string, EntityField>;
  /** Stored fields, in column order (id first). */
  stored: EntityField[];
  description: string | undefined;
}

export interface EntityModel {
  /** The schema text it was read from (with The Graph's directives). */
  source: string;
  entities: EntityType[];
  entity(name: string): EntityType;
  enums: Map<string, string[]>;
  enumDescriptions: Map<string, string | undefined>;
}

/** Where the schema lives in the repository. */
export const SUBGRAPH_SCHEMA_PATH = new URL("../../subgraph/schema.graphql", import.meta.url);

/** Width of stored BigInt values: decimal digits of 2^64 - 1, zero-padded so text order is numeric order. */
export const BIGINT_WIDTH = 20;
const SCALARS: ReadonlySet<string> = new Set<string>(["ID", "String", "Bytes", "Int", "BigInt", "Boolean"]);

/** The model of subgraph/schema.graphql, read and parsed on each call: its owners (the indexer, the API) take it once when they start. */
export function entityModel(): EntityModel {
  return parseEntityModel(readFileSync(SUBGRAPH_SCHEMA_PATH, "utf8"));
}

export function parseEntityModel(source: string): EntityModel {
  const doc = parse(source);
  const enums = new Map<string, string[]>();
  const enumDescriptions = new Map<string, string | undefined>();
  const objects: ObjectTypeDefinitionNode[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
      enums.set(
        def.name.value,
        (def.values ?? []).map((v) => v.name.value),
      );
      enumDescriptions.set(def.name.value, def.description?.value);
    } else if (def.kind === Kind.OBJECT_TYPE_DEFINITION) {
      objects.push(def);
    }
  }
  const entityNames = new Set(objects.filter((o) => o.directives?.some((d) => d.name.value === "entity")).map((o) => o.name.value));
  const entities = objects
    .filter((o) => entityNames.has(o.name.value))
    .map((o): EntityType => {
      const directive = o.directives?.find((d) => d.name.value === "entity");
      const immutableArg = directive?.arguments?.find((a) => a.name.value === "immutable");
      const fields = (o.fields ?? []).map((f): EntityField => {
        const { named, list, nonNull } = unwrap(f.type);
        const derived = f.directives?.find((d) => d.name.value === "derivedFrom");
        let type: FieldKind;
        if (derived) {
          const arg = derived.arguments?.find((a) => a.name.value === "field");
          if (!arg || arg.value.kind !== Kind.STRING) throw new Error(`${o.name.value}.${f.name.value}: @derivedFrom needs field: "…"`);
          type = { kind: "derived", entity: named, field: arg.value.value };
        } else {
          const element = elementKind(named, enums, entityNames, `${o.name.value}.${f.name.value}`);
          type = list ? { kind: "list", of: element } : element;
        }
        return { name: f.name.value, type, nonNull, column: derived ? null : f.name.value, description: f.description?.value };
      });
      const stored = fields.filter((f) => f.column !== null);
      return {
        name: o.name.value,
        table: `reg_${o.name.value.toLowerCase()}`,
        immutable: immutableArg?.value.kind === Kind.BOOLEAN && immutableArg.value.value,
        fields,
        fieldsByName: new Map(fields.map((f) => [f.name, f])),
        stored,
        description: o.description?.value,
      };
    });
  const byName = new Map(entities.map((e) => [e.name, e]));
  return {
    source,
    entities,
    enums,
    enumDescriptions,
    entity(name: string) {
      const e = byName.get(name);
      if (!e) throw new Error(`no entity ${name} in the schema`);
      return e;
    },
  };
}

function unwrap(type: TypeNode): { named: string; list: boolean; nonNull: boolean } {
  let nonNull = false;
  let t = type;
  if (t.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    t = t.type;
  }
  if (t.kind === Kind.LIST_TYPE) {
    let inner = t.type;
    if (inner.kind === Kind.NON_NULL_TYPE) inner = inner.type;
    if (inner.kind !== Kind.NAMED_TYPE) throw new Error("nested lists are not supported");
    return { named: inner.name.value, list: true, nonNull };
  }
  if (t.kind !== Kind.NAMED_TYPE) throw new Error("unexpected type");
  return { named: t.name.value, list: false, nonNull };
}

function elementKind(
  named: string,
  enums: Map<string, string[]>,
  entities: Set<string>,
  where: string,
): { kind: "scalar"; scalar: ScalarName } | { kind: "enum"; enumName: string } | { kind: "ref"; entity: string } {
  if (SCALARS.has(named)) return { kind: "scalar", scalar: named as ScalarName };
  if (enums.has(named)) return { kind: "enum", enumName: named };
  if (entities.has(named)) return { kind: "ref", entity: named };
  throw new Error(`${where}: unsupported type ${named}`);
}

// ===== Storage encoding =====

/** A JS value of an entity field as handlers see it. */
export type FieldValue = string | number | bigint | boolean | null | readonly string[] | readonly number[];
export type EntityData = Record<string, FieldValue | undefined>;

/** The SQL type of a stored field's column. */
export function columnType(field: EntityField, dialect: Database["dialect"]): string {
  const text = dialect === "postgres" ? 'TEXT COLLATE "C"' : "TEXT";
  const t = field.type;
  if (t.kind === "scalar" && (t.scalar === "Int" || t.scalar === "Boolean")) return "INTEGER";
  return text;
}

/** A zero-padded decimal of a non-negative integer below 2^64: text order is numeric order. */
export function encodeBigInt(value: bigint | number | string): string {
  const big = BigInt(value);
  if (big < 0n) throw new RangeError(`negative BigInt ${big} cannot be stored`);
  const s = big.toString();
  if (s.length > BIGINT_WIDTH) throw new RangeError(`BigInt ${s} is wider than uint64`);
  return s.padStart(BIGINT_WIDTH, "0");
}

export function decodeBigInt(stored: string): string {
  const trimmed = stored.replace(/^0+/, "");
  return trimmed === "" ? "0" : trimmed;
}

/** The column value of a field's JS value. */
export function encodeField(field: EntityField, value: FieldValue | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  const t = field.type;
  if (t.kind === "list") return JSON.stringify(value);
  if (t.kind === "scalar") {
    switch (t.scalar) {
      case "Int":
        return Number(value);
      case "Boolean":
        return value ? 1 : 0;
      case "BigInt":
        return encodeBigInt(value as bigint | number | string);
      case "Bytes":
        return String(value).toLowerCase();
      default:
        return String(value);
    }
  }
  return String(value);
}

/** The JS value (as handlers see it) of a stored column. */
export function decodeField(field: EntityField, stored: unknown): FieldValue {
  if (stored === null || stored === undefined) return null;
  const t = field.type;
  if (t.kind === "list") return JSON.parse(String(stored)) as string[] | number[];
  if (t.kind === "scalar") {
    switch (t.scalar) {
      case "Int":
        return Number(stored);
      case "Boolean":
        return Number(stored) === 1;
      case "BigInt":
        return BigInt(String(stored));
      default:
        return String(stored);
    }
  }
  return String(stored);
}

/** Quotes an identifier (field names keep their case in both dialects). */
export function q(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
