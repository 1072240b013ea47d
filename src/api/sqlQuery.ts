/**
 * Entity queries in SQL, shared by both dialects: every read is "as of" one block (graph-node's
 * block ranges), so a request sees one consistent state even while the indexer commits; `where`
 * filters, `orderBy` and the read-time computed fields (Verdict.status, Validator.active and
 * loggingProfile, Key's release policy in force, KeyVersion.liveShareholders) are SQL expressions, so filtering and ordering on them works like on stored fields.
 */
import { BIGINT_WIDTH, q, type EntityField, type EntityModel, type EntityType } from "../indexer/entityModel.ts";
import type { Database } from "../store/Database.ts";
import { filterKeys, type FilterKey } from "./buildQuerySchema.ts";
import { API_CODES } from "./codes.ts";
import { graphqlRuntime } from "./yoga.ts";

const { GraphQLError } = graphqlRuntime;

/** The block a read is as of, and that block's time (for expiry and activity). */
export interface BlockRef {
  number: number;
  timestamp: number;
}

/** Collects positional parameters ($1, $2, …) while SQL text is built. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /** A text parameter where PostgreSQL could not infer the type (function arguments). */
  text(value: string): string {
    return `CAST(${this.add(value)} AS TEXT)`;
  }
}

export interface QueryEnv {
  model: EntityModel;
  dialect: Database["dialect"];
  block: BlockRef;
  params: SqlParams;
}

export function paddedTime(seconds: number): string {
  return String(seconds).padStart(BIGINT_WIDTH, "0");
}

export function asOf(alias: string, env: QueryEnv): string {
  const n = env.params.add(env.block.number);
  return `${alias}."_block_from" <= ${n} AND (${alias}."_block_to" IS NULL OR ${alias}."_block_to" > ${n})`;
}

type Computed = (alias: string, env: QueryEnv) => string;

/** The Key fields of the release policy in force and of the pending one, as stored (current, pending). */
const KEY_POLICY_FIELDS: readonly [string, string][] = [
  ["secondWorkloadId", "pendingSecondWorkloadId"],
  ["acceptedTcbStatuses", "pendingAcceptedTcbStatuses"],
  ["allowDebug", "pendingAllowDebug"],
  ["releasePolicyEffectiveAt", "pendingReleasePolicyEffectiveAt"],
];

/**
 * A scheduled release policy comes into force at its effectiveAt without an event (as the contract's
 * _policyInForce): the fields in force read the pending ones from then on, and the pending ones read null.
 */
function keyPolicyComputed(): Record<string, Computed> {
  const out: Record<string, Computed> = {};
  const due = (t: string, env: QueryEnv) =>
    `${t}."pendingReleasePolicyEffectiveAt" IS NOT NULL AND ${t}."pendingReleasePolicyEffectiveAt" <= ${env.params.add(paddedTime(env.block.timestamp))}`;
  for (const [current, pending] of KEY_POLICY_FIELDS) {
    out[current] = (t, env) => `(CASE WHEN ${due(t, env)} THEN ${t}.${q(pending)} ELSE ${t}.${q(current)} END)`;
    out[pending] = (t, env) => `(CASE WHEN ${due(t, env)} THEN NULL ELSE ${t}.${q(pending)} END)`;
  }
  return out;
}

/**
 * KeyRegistry.liveShareholders as of the block: the version's shareholders that count now (Validator.active,
 * the ValidatorSet's isCounting), read from the stored JSON list of addresses.
 */
function liveShareholders(t: string, env: QueryEnv): string {
  const v = env.model.entity("Validator");
  const holders =
    env.dialect === "postgres"
      ? `SELECT jsonb_array_elements_text(CAST(${t}."shareholders" AS jsonb))`
      : `SELECT value FROM json_each(${t}."shareholders")`;
  const active = COMPUTED.Validator!.active!("kv", env);
  return `(SELECT CAST(COUNT(*) AS INTEGER) FROM ${v.table} kv WHERE kv."id" IN (${holders}) AND ${asOf("kv", env)} AND ${active} = 1)`;
}

/** Fields computed at read time from stored state and the block's time. */
const COMPUTED: Record<string, Record<string, Computed>> = {
  Verdict: {
    status: (t, env) => {
      const m = env.model.entity("Measurement");
      const s = env.model.entity("SubjectRevocation");
      const now = env.params.add(paddedTime(env.block.timestamp));
      return (
        `(CASE WHEN ${t}."revoked" = 1 OR EXISTS (SELECT 1 FROM ${m.table} m WHERE m."id" = ${t}."measurement" AND m."revoked" = 1 AND ${asOf("m", env)})` +
        ` OR EXISTS (SELECT 1 FROM ${s.table} sr WHERE sr."subject" = ${t}."subject" AND sr."active" = 1 AND (sr."everywhere" = 1 OR sr."workload" = ${t}."workload") AND ${asOf("sr", env)})` +
        ` THEN 'REVOKED' WHEN ${t}."expiresAt" <= ${now} THEN 'EXPIRED' ELSE 'FINALIZED' END)`
      );
    },
  },
  Workload: {
    // An accepted ownership transfer is in force from pendingOwnerEffectiveAt on (no event marks it).
    owner: (t, env) => {
      const now = env.params.add(paddedTime(env.block.timestamp));
      return `(CASE WHEN ${t}."pendingOwnerEffectiveAt" IS NOT NULL AND ${t}."pendingOwnerEffectiveAt" <= ${now} THEN ${t}."pendingOwner" ELSE ${t}."owner" END)`;
    },
    pendingOwner: (t, env) => {
      const now = env.params.add(paddedTime(env.block.timestamp));
      return `(CASE WHEN ${t}."pendingOwnerEffectiveAt" IS NOT NULL AND ${t}."pendingOwnerEffectiveAt" <= ${now} THEN NULL ELSE ${t}."pendingOwner" END)`;
    },
    pendingOwnerEffectiveAt: (t, env) => {
      const now = env.params.add(paddedTime(env.block.timestamp));
      return `(CASE WHEN ${t}."pendingOwnerEffectiveAt" IS NOT NULL AND ${t}."pendingOwnerEffectiveAt" <= ${now} THEN NULL ELSE ${t}."pendingOwnerEffectiveAt" END)`;
    },
  },
  Key: keyPolicyComputed(),
  KeyVersion: {
    liveShareholders,
    belowThreshold: (t, env) => `(CASE WHEN ${liveShareholders(t, env)} < ${t}."threshold" THEN 1 ELSE 0 END)`,
  },
  Validator: {
    active: (t, env) => {
      const quorum = env.model.entity("Quorum");
      const now = env.params.add(paddedTime(env.block.timestamp));
      return (
        `(CASE WHEN ${t}."activeFrom" <= ${now} AND (${t}."activeUntil" IS NULL OR ${t}."activeUntil" > ${now}) AND (` +
        `(${t}."bootstrap" = 1 AND NOT EXISTS (SELECT 1 FROM ${quorum.table} qq WHERE ${asOf("qq", env)} AND qq."bootstrapClosesAt" IS NOT NULL AND qq."bootstrapClosesAt" <= ${now}))` +
        ` OR (${t}."verdictExpiresAt" IS NOT NULL AND ${t}."verdictExpiresAt" > ${now} AND ${t}."verdictInvalidated" = 0)` +
        `) THEN 1 ELSE 0 END)`
      );
    },
    loggingProfile: (t, env) => {
      const now = env.params.add(paddedTime(env.block.timestamp));
      return `(CASE WHEN ${t}."loggingProfileEffectiveAt" IS NOT NULL AND ${t}."loggingProfileEffectiveAt" <= ${now} THEN ${t}."pendingLoggingProfile" ELSE ${t}."loggingProfile" END)`;
    },
    pendingLoggingProfile: (t, env) => {
      const now = env.params.add(paddedTime(env.block.timestamp));
      return `(CASE WHEN ${t}."loggingProfileEffectiveAt" IS NOT NULL AND ${t}."loggingProfileEffectiveAt" <= ${now} THEN NULL ELSE ${t}."pendingLoggingProfile" END)`;
    },
  },
};

/** The SQL expression of a field: its column, or its read-time computation. */
export function fieldExpr(e: EntityType, field: string, alias: string, env: QueryEnv): string {
  const computed = COMPUTED[e.name]?.[field];
  if (computed) return computed(alias, env);
  return `${alias}.${q(field)}`;
}

/**
 * Fields whose read-time value the reader computes after the query (from columns it selects in their
 * place) rather than in SQL: Verdict.status needs its measurement's and its subject's revocations as of
 * the block, which is two lookups per page instead of subqueries per row. Filters and ordering use the SQL expression.
 */
export const COMPUTED_AFTER: Record<string, Record<string, readonly string[]>> = {
  Verdict: { status: ["revoked", "measurement", "expiresAt", "subject", "workload"] },
};

/** The stored fields a SELECT list reads, in its order: every stored field, or only `fields` (and the id). */
export function selectColumns(e: EntityType, fields?: ReadonlySet<string>): EntityField[] {
  const after = COMPUTED_AFTER[e.name] ?? {};
  const wanted = new Set<string>();
  for (const f of e.stored) {
    if (fields && f.name !== "id" && !fields.has(f.name)) continue;
    const inputs = after[f.name];
    if (inputs) for (const i of inputs) wanted.add(i);
    else wanted.add(f.name);
  }
  return e.stored.filter((f) => wanted.has(f.name));
}

/** The SELECT list of `selectColumns`: stored columns, read-time fields as their SQL expressions. */
export function selectList(e: EntityType, alias: string, env: QueryEnv, fields?: ReadonlySet<string>): string {
  const after = COMPUTED_AFTER[e.name] ?? {};
  return selectColumns(e, fields)
    .map((f) => `${after[f.name] ? `${alias}.${q(f.name)}` : fieldExpr(e, f.name, alias, env)} AS ${q(f.name)}`)
    .join(", ");
}

/** An entity as the API returns it: GraphQL output values, plus the block it was read as of. */
export type ApiEntity = Record<string, unknown> & { __block: BlockRef };

export function decodeApiRow(e: EntityType, row: Record<string, unknown>, block: BlockRef): ApiEntity {
  const out: ApiEntity = { __block: block };
  for (const f of e.stored) if (f.name in row) out[f.name] = decodeOutput(f, row[f.name]);
  return out;
}

/** A row read with `queryArrays` over `columns` (selectColumns; values past them are ignored). */
export function decodeApiValues(columns: readonly EntityField[], values: readonly unknown[], block: BlockRef): ApiEntity {
  const out: ApiEntity = { __block: block };
  for (let i = 0; i < columns.length; i++) {
    const f = columns[i]!;
    out[f.name] = decodeOutput(f, values[i]);
  }
  return out;
}

function decodeOutput(f: EntityField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const t = f.type;
  if (t.kind === "list") return JSON.parse(String(v));
  if (t.kind === "scalar") {
    if (t.scalar === "Int") return Number(v);
    if (t.scalar === "Boolean") return Number(v) === 1;
    if (t.scalar === "BigInt") return stripZeros(String(v));
  }
  return String(v);
}

/** a ≤ b for decimal strings of non-negative integers without leading zeros (decoded BigInts), without BigInt. */
export function decimalAtMost(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a <= b;
}

/** A stored (zero-padded) BigInt as its decimal string. */
function stripZeros(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : i === s.length ? "0" : s.slice(i);
}

// ===== Filters =====

function badInput(message: string): InstanceType<typeof GraphQLError> {
  return new GraphQLError(message, { extensions: { code: API_CODES.BAD_USER_INPUT } });
}

/** A BigInt filter value as stored text; beyond uint64 it sorts above (or, negative, below) everything. */
function bigIntValue(v: unknown): string {
  let big: bigint;
  try {
    big = BigInt(String(v));
  } catch {
    throw badInput(`"${String(v)}" is not an integer`);
  }
  if (big < 0n) return "";
  const s = big.toString();
  return s.length > BIGINT_WIDTH ? "~" : s.padStart(BIGINT_WIDTH, "0");
}

/** The stored form of one (scalar) filter value of a field. */
function scalarValue(f: EntityField, v: unknown): unknown {
  if (v === null) return null;
  const t = f.type.kind === "list" ? f.type.of : f.type;
  if (t.kind === "scalar") {
    switch (t.scalar) {
      case "BigInt":
        return bigIntValue(v);
      case "Int":
        return Number(v);
      case "Boolean":
        return v ? 1 : 0;
      case "Bytes":
      case "ID":
        return String(v).toLowerCase();
      default:
        return String(v);
    }
  }
  if (t.kind === "ref") return String(v).toLowerCase();
  return String(v);
}

const keysCache = new WeakMap<EntityType, Map<string, FilterKey>>();
function keysOf(e: EntityType): Map<string, FilterKey> {
  let k = keysCache.get(e);
  if (!k) {
    k = filterKeys(e);
    keysCache.set(e, k);
  }
  return k;
}

function jsonElements(expr: string, env: QueryEnv): string {
  return env.dialect === "sqlite" ? `json_each(${expr})` : `jsonb_array_elements_text(CAST(${expr} AS jsonb)) AS je(value)`;
}

function stringOp(x: string, op: string, value: unknown, env: QueryEnv): string {
  const nocase = op.endsWith("_nocase");
  const negate = op.startsWith("not_");
  const base = op.replace(/^not_/, "").replace(/_nocase$/, "");
  const s = String(value);
  const col = nocase ? `lower(${x})` : x;
  const v = nocase ? `lower(${env.params.text(s)})` : env.params.text(s);
  let cond: string;
  if (base === "contains") cond = env.dialect === "sqlite" ? `instr(${col}, ${v}) > 0` : `strpos(${col}, ${v}) > 0`;
  else if (base === "starts_with") cond = `substr(${col}, 1, length(${v})) = ${v}`;
  else
    cond = env.dialect === "sqlite" ? `(length(${v}) = 0 OR substr(${col}, -length(${v})) = ${v})` : `right(${col}, length(${v})) = ${v}`;
  return negate ? `NOT (${cond})` : cond;
}

function listOp(x: string, f: EntityField, op: string, value: unknown, env: QueryEnv): string {
  if (!Array.isArray(value)) throw badInput(`${f.name}_${op} needs a list`);
  const values = value.map((v) => scalarValue(f, v));
  if (op === "eq" || op === "not") return `${x} ${op === "eq" ? "=" : "<>"} ${env.params.add(JSON.stringify(values))}`;
  const nocase = op.endsWith("_nocase");
  const negate = op.startsWith("not_");
  const each = values.map((v) => {
    const p = nocase ? `lower(${env.params.text(String(v))})` : env.params.add(typeof v === "number" ? v : String(v));
    const el = env.dialect === "sqlite" ? "value" : "je.value";
    return `EXISTS (SELECT 1 FROM ${jsonElements(x, env)} WHERE ${nocase ? `lower(${el})` : el} = ${p})`;
  });
  const cond = each.length === 0 ? "1 = 1" : each.join(" AND ");
  return negate ? `NOT (${cond})` : `(${cond})`;
}

function fieldCondition(e: EntityType, key: FilterKey, value: unknown, alias: string, env: QueryEnv): string {
  const f = e.fieldsByName.get(key.field)!;
  const op = key.op;
  if (op === "nested") {
    if (value === null || typeof value !== "object") throw badInput(`${key.field}_ needs a filter object`);
    const t = f.type;
    const target = env.model.entity(
      t.kind === "derived" ? t.entity : t.kind === "ref" ? t.entity : t.kind === "list" && t.of.kind === "ref" ? t.of.entity : "",
    );
    const c = `${alias}_${key.field}`;
    const inner = whereSql(target, c, value as Record<string, unknown>, env);
    if (t.kind === "derived") {
      return `EXISTS (SELECT 1 FROM ${target.table} ${c} WHERE ${c}.${q(t.field)} = ${alias}."id" AND ${asOf(c, env)} AND ${inner})`;
    }
    if (t.kind === "ref") {
      return `EXISTS (SELECT 1 FROM ${target.table} ${c} WHERE ${c}."id" = ${alias}.${q(f.name)} AND ${asOf(c, env)} AND ${inner})`;
    }
    const el = env.dialect === "sqlite" ? "value" : "je.value";
    return `EXISTS (SELECT 1 FROM ${jsonElements(`${alias}.${q(f.name)}`, env)} JOIN ${target.table} ${c} ON ${c}."id" = ${el} WHERE ${asOf(c, env)} AND ${inner})`;
  }
  const x = fieldExpr(e, f.name, alias, env);
  if (f.type.kind === "list") return listOp(x, f, op, value, env);
  switch (op) {
    case "eq":
      return value === null ? `${x} IS NULL` : `${x} = ${env.params.add(scalarValue(f, value))}`;
    case "not":
      return value === null ? `${x} IS NOT NULL` : `${x} <> ${env.params.add(scalarValue(f, value))}`;
    case "gt":
    case "lt":
    case "gte":
    case "lte": {
      if (value === null) throw badInput(`${key.field}_${op} needs a value`);
      const sym = { gt: ">", lt: "<", gte: ">=", lte: "<=" }[op];
      return `${x} ${sym} ${env.params.add(scalarValue(f, value))}`;
    }
    case "in":
    case "not_in": {
      if (!Array.isArray(value)) throw badInput(`${key.field}_${op} needs a list`);
      if (value.length === 0) return op === "in" ? "1 = 0" : "1 = 1";
      const list = value.map((v) => env.params.add(scalarValue(f, v))).join(", ");
      return `${x} ${op === "in" ? "IN" : "NOT IN"} (${list})`;
    }
    default: {
      if (value === null) throw badInput(`${key.field}_${op} needs a value`);
      if (f.type.kind === "scalar" && f.type.scalar === "Bytes") {
        const hex = String(value).toLowerCase().replace(/^0x/, "");
        return stringOp(`substr(${x}, 3)`, op, hex, env);
      }
      return stringOp(x, op, value, env);
    }
  }
}

/** The SQL condition of a `where` object (AND of its keys; `and` / `or` nest). */
export function whereSql(e: EntityType, alias: string, where: Record<string, unknown> | null | undefined, env: QueryEnv): string {
  if (!where) return "1 = 1";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(where)) {
    if (v === undefined) continue;
    if (k === "and" || k === "or") {
      if (!Array.isArray(v)) throw badInput(`${k} needs a list of filters`);
      const subs = v.map((sub) => `(${whereSql(e, alias, sub as Record<string, unknown>, env)})`);
      if (subs.length > 0) parts.push(`(${subs.join(k === "and" ? " AND " : " OR ")})`);
      continue;
    }
    if (k === "_change_block") {
      const n = (v as { number_gte?: number } | null)?.number_gte;
      if (typeof n !== "number") throw badInput("_change_block needs number_gte");
      parts.push(`${alias}."_block_from" >= ${env.params.add(n)}`);
      continue;
    }
    const key = keysOf(e).get(k);
    if (!key) throw badInput(`${e.name}_filter has no field ${k}`);
    parts.push(fieldCondition(e, key, v, alias, env));
  }
  return parts.length === 0 ? "1 = 1" : parts.join(" AND ");
}

// ===== Ordering =====

/**
 * ORDER BY for orderBy / orderDirection; ties (and no orderBy) go by id. NULLs sort as in PostgreSQL
 * (last ascending, first descending): said explicitly only for nullable fields, because an explicit
 * NULLS clause that differs from SQLite's own order keeps SQLite from walking an index.
 */
export function orderSql(
  e: EntityType,
  alias: string,
  orderBy: string | null | undefined,
  direction: string | null | undefined,
  env: QueryEnv,
): string {
  const dir = direction === "desc" ? "DESC" : "ASC";
  const nulls = dir === "ASC" ? "NULLS LAST" : "NULLS FIRST";
  if (!orderBy || orderBy === "id") return `${alias}."id" ${dir}`;
  const [field, sub] = orderBy.split("__") as [string, string | undefined];
  const f = e.fieldsByName.get(field);
  if (!f) throw badInput(`cannot order ${e.name} by ${orderBy}`);
  let expr: string;
  let nullable = !f.nonNull;
  if (sub !== undefined) {
    nullable = true;
    if (f.type.kind !== "ref") throw badInput(`cannot order ${e.name} by ${orderBy}`);
    const target = env.model.entity(f.type.entity);
    if (!target.fieldsByName.has(sub)) throw badInput(`cannot order ${e.name} by ${orderBy}`);
    const c = `${alias}_o`;
    expr = `(SELECT ${fieldExpr(target, sub, c, env)} FROM ${target.table} ${c} WHERE ${c}."id" = ${alias}.${q(field)} AND ${asOf(c, env)})`;
  } else {
    expr = fieldExpr(e, field, alias, env);
  }
  return `${expr} ${dir}${nullable ? ` ${nulls}` : ""}, ${alias}."id" ${dir}`;
}
