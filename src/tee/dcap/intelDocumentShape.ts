/**
 * The shapes of Intel TCB Info (v3) and Enclave Identity (v2) bodies as PCS v4 serves them, checked by hand.
 * zod did this until 2026-12-04: ~50 µs for SGX's TCB Info (11 levels × 16 components, each an object) against
 * ~7 µs here, and most of a cold SGX verification's Intel JSON reading. Rules: every field listed here is checked (type, range,
 * hex length, RFC 3339 date); fields not listed are kept as they are (Intel adds fields; what is evaluated is
 * only what is listed); hex is returned in lowercase and dates as Date.
 */
import { TCB_STATUSES, type TcbStatus } from "@keepledger/sdk/internal/kinds/index";
import { daysInMonth } from "../../util/calendar.ts";

/** The statuses Intel gives a TCB level: every TCB status but NotApplicable (kinds without one). */
export type PlatformTcbStatus = Exclude<TcbStatus, "NotApplicable">;
export const PLATFORM_TCB_STATUSES: readonly PlatformTcbStatus[] = TCB_STATUSES.filter(
  (s): s is PlatformTcbStatus => s !== "NotApplicable",
);

type Loose<T> = T & { [key: string]: unknown };

export type TcbComponent = Loose<{ svn: number }>;

export type TcbLevel = Loose<{
  tcb: Loose<{ sgxtcbcomponents: TcbComponent[]; pcesvn: number; tdxtcbcomponents?: TcbComponent[] }>;
  tcbDate: Date;
  tcbStatus: PlatformTcbStatus;
  advisoryIDs?: string[];
}>;

/** A TCB level of an enclave identity (QE Identity, a TDX module identity): one ISV SVN. */
export type IdentityTcbLevel = Loose<{
  tcb: Loose<{ isvsvn: number }>;
  tcbDate: Date;
  tcbStatus: PlatformTcbStatus;
  advisoryIDs?: string[];
}>;

export type TdxModuleIdentity = Loose<{
  id: string;
  mrsigner: string;
  attributes: string;
  attributesMask: string;
  tcbLevels: IdentityTcbLevel[];
}>;

export type TcbInfo = Loose<{
  id: string;
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  fmspc: string;
  pceId: string;
  tcbType: number;
  tcbEvaluationDataNumber: number;
  tdxModule?: Loose<{ mrsigner: string; attributes: string; attributesMask: string }>;
  tdxModuleIdentities?: TdxModuleIdentity[];
  tcbLevels: TcbLevel[];
}>;

export type QeIdentity = Loose<{
  id: string;
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  tcbEvaluationDataNumber: number;
  miscselect: string;
  miscselectMask: string;
  attributes: string;
  attributesMask: string;
  mrsigner: string;
  isvprodid: number;
  tcbLevels: IdentityTcbLevel[];
}>;

/** Where a body does not have its shape: the path to the offending value and what is wrong with it. */
export class ShapeError extends Error {
  readonly path: ReadonlyArray<string | number>;
  readonly reason: string;

  constructor(path: ReadonlyArray<string | number>, reason: string) {
    super(`${path.join(".") || "top level"}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Where a value sits, as a chain to the root: one small object per object or array entered, none per leaf,
 * and the printable path is built only when something fails.
 */
type Path = { readonly parent: Path; readonly key: string | number } | undefined;

const at = (parent: Path, key: string | number): Path => ({ parent, key });

function fail(path: Path, key: string | number | undefined, reason: string): never {
  const keys: Array<string | number> = key === undefined ? [] : [key];
  for (let p = path; p !== undefined; p = p.parent) keys.unshift(p.key);
  throw new ShapeError(keys, reason);
}

function object(value: unknown, path: Path, key?: string | number): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, key, "expected an object");
  return value as Record<string, unknown>;
}

function array(value: unknown, path: Path, key: string | number, min = 0): unknown[] {
  if (!Array.isArray(value)) fail(path, key, "expected an array");
  if (value.length < min) fail(path, key, `expected at least ${min} element(s)`);
  return value;
}

function string(value: unknown, path: Path, key: string | number): string {
  if (typeof value !== "string") fail(path, key, "expected a string");
  return value;
}

function integer(value: unknown, path: Path, key: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(path, key, "expected an integer");
  if (value < min || value > max) fail(path, key, `expected an integer in [${min}, ${max}]`);
  return value;
}

const svn = (value: unknown, path: Path, key: string): number => integer(value, path, key, 0, 0xffff);

const HEX = /^[0-9a-fA-F]*$/;

function hex(value: unknown, path: Path, key: string, bytes: number): string {
  const s = string(value, path, key);
  if (s.length !== bytes * 2 || !HEX.test(s)) fail(path, key, `expected ${bytes} bytes of hex`);
  return s.toLowerCase();
}

/**
 * RFC 3339 date-time with seconds and a zone ("Z" or ±hh:mm), fractions allowed; the calendar date must exist
 * (2023-02-29 does not). Date.parse alone would take other forms and roll impossible dates over.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The number written by the `count` decimal digits at `at`, or -1 if one of them is not a digit. */
function decimalAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * "YYYY-MM-DDTHH:MM:SSZ" from year 1000 on, the only form Intel writes, read digit by digit: the Date `dateTime`
 * makes of it, or undefined for any other text, which takes the general path. ~80 ns against ~400 ns for the
 * pattern and Date's own parse, for each of the ~25 dates of a DCAP verification's two documents.
 */
function plainUtcDateTime(text: string): Date | undefined {
  if (
    text.length !== 20 ||
    text.charCodeAt(4) !== 0x2d /* - */ ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 /* T */ ||
    text.charCodeAt(13) !== 0x3a /* : */ ||
    text.charCodeAt(16) !== 0x3a ||
    text.charCodeAt(19) !== 0x5a /* Z */
  )
    return undefined;
  const year = decimalAt(text, 0, 4);
  const month = decimalAt(text, 5, 2);
  const day = decimalAt(text, 8, 2);
  const hour = decimalAt(text, 11, 2);
  const minute = decimalAt(text, 14, 2);
  const second = decimalAt(text, 17, 2);
  // Years before 1000 are left to the general path: Date.UTC reads 0–99 as 1900–1999.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  if (second < 0 || second > 59 || day > daysInMonth(year, month)) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

function dateTime(value: unknown, path: Path, key: string): Date {
  const text = string(value, path, key);
  const plain = plainUtcDateTime(text);
  if (plain !== undefined) return plain;
  const m = DATE_TIME.exec(text);
  if (m === null) fail(path, key, "expected an RFC 3339 date-time with a zone");
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (day < 1 || day > daysInMonth(year, month)) fail(path, key, "expected an RFC 3339 date-time with a zone");
  return new Date(text);
}

const STATUSES: ReadonlySet<string> = new Set(PLATFORM_TCB_STATUSES);

function tcbStatus(value: unknown, path: Path): PlatformTcbStatus {
  if (typeof value !== "string" || !STATUSES.has(value)) fail(path, "tcbStatus", `expected one of ${PLATFORM_TCB_STATUSES.join(", ")}`);
  return value as PlatformTcbStatus;
}

function advisoryIds(value: unknown, path: Path): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = array(value, path, "advisoryIDs");
  for (let i = 0; i < ids.length; i++) string(ids[i], at(path, "advisoryIDs"), i);
  return ids as string[];
}

/**
 * A copy of `source` with `fields` in place of its members of those names (a field left undefined is one the
 * source lacks too). Only objects that gain a transformed member are copied; the rest (the 16 components of
 * each level, most of them) are returned as they are, checked.
 */
function withFields<T>(source: Record<string, unknown>, fields: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...source };
  for (const key in fields) if (fields[key] !== undefined) out[key] = fields[key];
  return out as T;
}

function components(value: unknown, path: Path, key: string): TcbComponent[] {
  const items = array(value, path, key);
  if (items.length !== 16) fail(path, key, "expected exactly 16 components");
  const here = at(path, key);
  for (let i = 0; i < 16; i++) {
    const v = object(items[i], here, i).svn;
    // A component's path is made only to report it (16 components a level, ~20 levels a document).
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) integer(v, at(here, i), "svn", 0, 255);
  }
  return items as TcbComponent[];
}

function tcbLevel(value: unknown, path: Path): TcbLevel {
  const level = object(value, path);
  const tcb = object(level.tcb, path, "tcb");
  const tcbPath = at(path, "tcb");
  components(tcb.sgxtcbcomponents, tcbPath, "sgxtcbcomponents");
  svn(tcb.pcesvn, tcbPath, "pcesvn");
  if (tcb.tdxtcbcomponents !== undefined) components(tcb.tdxtcbcomponents, tcbPath, "tdxtcbcomponents");
  return withFields<TcbLevel>(level, {
    tcbDate: dateTime(level.tcbDate, path, "tcbDate"),
    tcbStatus: tcbStatus(level.tcbStatus, path),
    advisoryIDs: advisoryIds(level.advisoryIDs, path),
  });
}

function identityTcbLevels(value: unknown, path: Path, key: string): IdentityTcbLevel[] {
  const levels = array(value, path, key, 1);
  const here = at(path, key);
  return levels.map((item, i) => {
    const level = object(item, here, i);
    const levelPath = at(here, i);
    const tcb = object(level.tcb, levelPath, "tcb");
    svn(tcb.isvsvn, at(levelPath, "tcb"), "isvsvn");
    return withFields<IdentityTcbLevel>(level, {
      tcbDate: dateTime(level.tcbDate, levelPath, "tcbDate"),
      tcbStatus: tcbStatus(level.tcbStatus, levelPath),
      advisoryIDs: advisoryIds(level.advisoryIDs, levelPath),
    });
  });
}

/** What a TDX module and each of its identities name: the signer and the attributes with their mask. */
function tdxModuleSigner(m: Record<string, unknown>, path: Path): { mrsigner: string; attributes: string; attributesMask: string } {
  return {
    mrsigner: hex(m.mrsigner, path, "mrsigner", 48),
    attributes: hex(m.attributes, path, "attributes", 8),
    attributesMask: hex(m.attributesMask, path, "attributesMask", 8),
  };
}

/** The members both documents open with: what they are, and when they were issued and are next updated. */
function documentHeader(d: Record<string, unknown>): {
  id: string;
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  tcbEvaluationDataNumber: number;
} {
  return {
    id: string(d.id, undefined, "id"),
    version: integer(d.version, undefined, "version"),
    issueDate: dateTime(d.issueDate, undefined, "issueDate"),
    nextUpdate: dateTime(d.nextUpdate, undefined, "nextUpdate"),
    tcbEvaluationDataNumber: integer(d.tcbEvaluationDataNumber, undefined, "tcbEvaluationDataNumber", 0),
  };
}

function moduleIdentity(value: unknown, path: Path): TdxModuleIdentity {
  const m = object(value, path);
  return withFields<TdxModuleIdentity>(m, {
    id: string(m.id, path, "id"),
    ...tdxModuleSigner(m, path),
    tcbLevels: identityTcbLevels(m.tcbLevels, path, "tcbLevels"),
  });
}

/**
 * A TCB Info body (the parsed `tcbInfo` member), checked; throws ShapeError. The result shares the members it
 * does not transform with `value`.
 */
export function readTcbInfo(value: unknown): TcbInfo {
  const t = object(value, undefined);
  let tdxModule: TcbInfo["tdxModule"];
  if (t.tdxModule !== undefined) {
    const m = object(t.tdxModule, undefined, "tdxModule");
    tdxModule = withFields(m, tdxModuleSigner(m, at(undefined, "tdxModule")));
  }
  const modules = at(undefined, "tdxModuleIdentities");
  const levels = at(undefined, "tcbLevels");
  return withFields<TcbInfo>(t, {
    ...documentHeader(t),
    fmspc: hex(t.fmspc, undefined, "fmspc", 6),
    pceId: hex(t.pceId, undefined, "pceId", 2),
    tcbType: integer(t.tcbType, undefined, "tcbType"),
    tdxModule,
    tdxModuleIdentities:
      t.tdxModuleIdentities === undefined
        ? undefined
        : array(t.tdxModuleIdentities, undefined, "tdxModuleIdentities").map((m, i) => moduleIdentity(m, at(modules, i))),
    tcbLevels: array(t.tcbLevels, undefined, "tcbLevels", 1).map((level, i) => tcbLevel(level, at(levels, i))),
  });
}

/** An Enclave Identity body (the parsed `enclaveIdentity` member), checked; throws ShapeError. */
export function readQeIdentity(value: unknown): QeIdentity {
  const q = object(value, undefined);
  return withFields<QeIdentity>(q, {
    ...documentHeader(q),
    miscselect: hex(q.miscselect, undefined, "miscselect", 4),
    miscselectMask: hex(q.miscselectMask, undefined, "miscselectMask", 4),
    attributes: hex(q.attributes, undefined, "attributes", 16),
    attributesMask: hex(q.attributesMask, undefined, "attributesMask", 16),
    mrsigner: hex(q.mrsigner, undefined, "mrsigner", 32),
    isvprodid: svn(q.isvprodid, undefined, "isvprodid"),
    tcbLevels: identityTcbLevels(q.tcbLevels, undefined, "tcbLevels"),
  });
}
