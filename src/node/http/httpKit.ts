/** Small HTTP helpers on node:http: bounded JSON bodies, JSON answers, and typed error bodies with their status. */
import { KEY_CODES } from "@keepledger/sdk/internal/chain/keyRelease/codes";
import type { IncomingMessage, ServerResponse } from "node:http";
import { UsageError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { NODE_CODES } from "../codes.ts";

/** Refuses (415) a body that is not declared as JSON, from the headers alone. */
export function requireJsonType(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json")
    throw new UsageError(NODE_CODES.NODE_UNSUPPORTED_MEDIA_TYPE, `the body must be application/json, not ${type || "unspecified"}`);
}

/** Reads the body, stopping (and destroying the request) at the first byte past `limit`. */
export async function readBoundedBody(
  req: IncomingMessage,
  limit: number,
  refuse: (size: number) => Error = (size) => tooLarge(size, limit),
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.destroy();
      throw refuse(size);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function parseJsonBody(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, "the body is not valid JSON", { cause });
  }
}

/** Reads the whole body, refusing more than `limit` bytes (413) and anything but JSON (415). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<{ bytes: Uint8Array; json: unknown }> {
  try {
    requireJsonType(req);
  } catch (error) {
    req.resume();
    throw error;
  }
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(declared, limit);
  }
  const bytes = await readBoundedBody(req, limit);
  return { bytes, json: parseJsonBody(bytes) };
}

function tooLarge(size: number, limit: number): UsageError {
  return new UsageError(NODE_CODES.NODE_BODY_TOO_LARGE, `the body is larger than ${limit} bytes`, { details: { got: size, limit } });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(text);
}

const STATUS_BY_CODE: Record<string, number> = {
  [NODE_CODES.NODE_NOT_FOUND]: 404,
  [NODE_CODES.NODE_METHOD_NOT_ALLOWED]: 405,
  [NODE_CODES.NODE_BODY_TOO_LARGE]: 413,
  [NODE_CODES.NODE_UNSUPPORTED_MEDIA_TYPE]: 415,
  [NODE_CODES.NODE_RATE_LIMITED]: 429,
  [NODE_CODES.NODE_PEER_UNAUTHORIZED]: 403,
  [NODE_CODES.NODE_PEER_UNAUTHENTICATED]: 401,
  [NODE_CODES.NODE_PEER_AUTH_EXPIRED]: 401,
  [NODE_CODES.NODE_PEER_WRONG_RECIPIENT]: 403,
  [NODE_CODES.NODE_PEER_REPLAYED]: 409,
  [KEY_CODES.KEY_UNKNOWN]: 404,
  [KEY_CODES.KEY_REQUEST_REPLAYED]: 409,
};

/** The HTTP status of an error: usage 400, evidence/verification/policy 422, infrastructure 503, else 500. */
export function statusOf(error: unknown): number {
  if (!isKeepledgerError(error)) return 500;
  const specific = STATUS_BY_CODE[error.code];
  if (specific) return specific;
  switch (error.stage) {
    case "usage":
      return 400;
    case "infrastructure":
      return 503;
    default:
      return 422;
  }
}

/** `{ error: { code, message, stage, at?, details? } }` for any error; unexpected ones are not described. */
export function errorBody(error: unknown): { error: { code: string; message: string; stage: string; [k: string]: unknown } } {
  if (isKeepledgerError(error)) return { error: error.toJSON() };
  return {
    error: {
      code: NODE_CODES.NODE_INTERNAL_ERROR,
      message: "the node failed unexpectedly; the failure is logged",
      stage: "infrastructure",
    },
  };
}
