/**
 * The redaction layer of the logging profiles (docs/logging.md). Every log call goes through it, so what
 * a profile may write is decided here, not by each call site's discipline:
 *
 * - production: only allow-listed fields — ids and hashes (≤ 32 bytes), addresses, error codes, short
 *   enumerations and numbers. Anything else is dropped: evidence bytes, report data, user data, public
 *   keys, claims, collateral, error messages and details.
 * - staging: production plus structured errors (code, stage, short message, location and details), with
 *   long hex and base64 runs cut out of every string.
 * - debug: everything, for development.
 *
 * Message texts are scrubbed in production and staging too: a hex run longer than 64 digits (anything
 * bigger than a hash) or a base64 run of 88+ characters becomes "[redacted]".
 */
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { LoggingProfile } from "@keepledger/sdk/internal/ids/index";

export type LogFields = Record<string, unknown>;

const HASH = /^0x[0-9a-fA-F]{1,64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const CODE = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const TOKEN = /^[A-Za-z0-9._:/-]{0,64}$/;

type Check = (v: unknown) => boolean;
const isHash: Check = (v) => typeof v === "string" && HASH.test(v);
const isAddress: Check = (v) => typeof v === "string" && ADDRESS.test(v);
const isCode: Check = (v) => typeof v === "string" && CODE.test(v);
const isToken: Check = (v) => typeof v === "string" && TOKEN.test(v);
const isNumber: Check = (v) => (typeof v === "number" && Number.isFinite(v)) || typeof v === "bigint" || typeof v === "boolean";
const isUrl: Check = (v) => typeof v === "string" && v.length <= 256 && /^https?:\/\/[^\s]*$/.test(v) && scrubText(v) === v;
const listOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.length <= 64 && v.every(check);

/** The fields production may write, each with the form its value must have. */
const PRODUCTION_FIELDS: Record<string, Check> = {
  ...Object.fromEntries(
    [
      "requestId",
      "verdictId",
      "verdictIds",
      "batchId",
      "root",
      "workloadId",
      "measurementHash",
      "evidenceHash",
      "collateralHash",
      "txHash",
      "hash",
      "blockHash",
    ].map((k) => [k, (v: unknown) => isHash(v) || listOf(isHash)(v)]),
  ),
  ...Object.fromEntries(
    ["subject", "validator", "peer", "signer", "signers", "collector", "requester", "account", "address", "registry"].map((k) => [
      k,
      (v: unknown) => isAddress(v) || listOf(isAddress)(v),
    ]),
  ),
  ...Object.fromEntries(["code", "errorName", "codes"].map((k) => [k, (v: unknown) => isCode(v) || listOf(isCode)(v)])),
  ...Object.fromEntries(
    [
      "status",
      "tee",
      "tcbStatus",
      "previousTcbStatus",
      "kind",
      "outcome",
      "mode",
      "profile",
      "provider",
      "stage",
      "route",
      "method",
      "event",
      "context",
      "state",
      "fmspc",
      "store",
      "reason",
    ].map((k) => [k, isToken]),
  ),
  ...Object.fromEntries(
    [
      "count",
      "items",
      "groups",
      "durationMs",
      "ms",
      "attempt",
      "delayMs",
      "blockNumber",
      "freshnessBlock",
      "nonce",
      "gasUsed",
      "k",
      "n",
      "threshold",
      "signatures",
      "port",
      "issuedAt",
      "expiresAt",
      "graceEndsAt",
      "onchainRequestId",
      "tcbEvaluationDataNumber",
      "previousTcbEvaluationDataNumber",
      "httpStatus",
      "pending",
      "retryAfterSeconds",
      "chainId",
      "confirmations",
      "peers",
      "reachable",
      "downgraded",
      "resumed",
      "inFlight",
    ].map((k) => [k, isNumber]),
  ),
  ...Object.fromEntries(["url", "endpoint", "publicUrl", "rpcUrl"].map((k) => [k, isUrl])),
};

/** Fields whose whole value is sensitive whatever its form: dropped by staging even inside error details. */
const SENSITIVE =
  /^(evidence|reportData|report_data|userData|user_data|publicKey|subjectPublicKey|claims|collateral|body|outblob|auxblob|quote|got)$/i;

const LONG_HEX = /(0x)?[0-9a-fA-F]{65,}/g;
const LONG_BASE64 = /[A-Za-z0-9+/_-]{88,}={0,2}/g;

/** Cuts hex runs longer than a hash and long base64 runs out of a text. */
export function scrubText(text: string): string {
  return text.replace(LONG_HEX, "[redacted]").replace(LONG_BASE64, "[redacted]");
}

/** The fields of one log line as `profile` may write them. */
export function redactLogFields(profile: LoggingProfile, fields: LogFields): LogFields {
  if (profile === "debug") return jsonSafe(fields) as LogFields;
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (key === "err") {
      out.err = profile === "production" ? errorCode(value) : structuredError(value);
      continue;
    }
    const check = PRODUCTION_FIELDS[key];
    if (check && check(value)) out[key] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}

/** A message text as `profile` may write it. */
export function redactLogMessage(profile: LoggingProfile, message: string): string {
  return profile === "debug" ? message : scrubText(message);
}

function errorCode(error: unknown): LogFields {
  if (isKeepledgerError(error)) return { code: error.code, stage: error.stage };
  return { code: "UNEXPECTED", type: error instanceof Error && TOKEN.test(error.name) ? error.name : "unknown" };
}

function structuredError(error: unknown): LogFields {
  if (!isKeepledgerError(error)) {
    return { ...errorCode(error), message: error instanceof Error ? scrubText(error.message).slice(0, 500) : "" };
  }
  return {
    code: error.code,
    stage: error.stage,
    message: scrubText(error.shortMessage),
    ...(error.at ? { at: error.at } : {}),
    ...(Object.keys(error.details).length > 0 ? { details: scrubDeep(error.details, 0) } : {}),
  };
}

function scrubDeep(value: unknown, depth: number): unknown {
  if (depth > 4) return "[…]";
  if (typeof value === "string") return scrubText(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return value.length <= 32 ? `0x${Buffer.from(value).toString("hex")}` : "[redacted]";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.slice(0, 32).map((v) => scrubDeep(v, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !SENSITIVE.test(k))
        .map(([k, v]) => [k, scrubDeep(v, depth + 1)]),
    );
  }
  return value;
}

function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[…]";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  if (value instanceof Date) return value.toISOString();
  if (isKeepledgerError(value)) return { ...value.toJSON(), stack: value.stack };
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, depth + 1)]));
  return value;
}
