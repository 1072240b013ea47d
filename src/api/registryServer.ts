/**
 * The registry over HTTP (node:http): POST/GET /graphql (subscriptions as server-sent events when the
 * client accepts text/event-stream), GET /healthz, and GET /evidence/<evidenceHash> for the raw bytes
 * where evidenceAccess is "full", and the registry explorer's static files at /explorer/ when built.
 * Request bodies are capped before they reach GraphQL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readCursor } from "../indexer/registryState.ts";
import { API_CODES } from "./codes.ts";
import type { RegistryApi } from "./createRegistryApi.ts";
import { serveExplorer } from "./serveExplorer.ts";

export interface RegistryServerOptions {
  /** The built explorer (dist/explorer) to serve at /explorer/; without it /explorer/ says it is not built. */
  explorerDir?: string;
}

export interface RegistryServer {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  /** The explorer's URL (…/explorer/). */
  explorerUrl: string;
  /** The GraphQL endpoint URL. */
  graphqlUrl: string;
  server: Server;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/** The body, or null when it exceeds `limit` bytes (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function serveEvidence(api: RegistryApi, hash: string, res: ServerResponse): Promise<void> {
  if (api.evidenceAccess !== "full") {
    sendJson(res, 403, {
      error: {
        code: API_CODES.EVIDENCE_ACCESS_DENIED,
        message: `this registry does not serve evidence bytes (evidenceAccess is "${api.evidenceAccess}")`,
      },
    });
    return;
  }
  const stored = await api.evidenceStore?.getEvidence(hash as `0x${string}`);
  if (!stored) {
    sendJson(res, 404, { error: { code: "NOT_FOUND", message: `no evidence ${hash} in this registry's evidence store` } });
    return;
  }
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": stored.evidence.length });
  res.end(Buffer.from(stored.evidence));
}

async function handle(
  api: RegistryApi,
  options: RegistryServerOptions,
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", base);
  if (await serveExplorer(options.explorerDir, url.pathname, req.method ?? "GET", res)) return;
  if (url.pathname === "/healthz") {
    const cursor = await readCursor(api.db);
    sendJson(res, 200, { ok: true, block: cursor?.number ?? null });
    return;
  }
  const evidence = /^\/evidence\/(0x[0-9a-fA-F]{64})$/.exec(url.pathname);
  if (evidence && req.method === "GET") {
    await serveEvidence(api, evidence[1]!.toLowerCase(), res);
    return;
  }
  if (url.pathname !== api.yoga.graphqlEndpoint) {
    sendJson(res, 404, {
      error: { code: "NOT_FOUND", message: `nothing at ${url.pathname}; the GraphQL endpoint is ${api.yoga.graphqlEndpoint}` },
    });
    return;
  }
  if (req.method === "GET" || req.method === "HEAD") {
    await api.yoga.requestListener(req, res);
    return;
  }
  const body = await readBody(req, api.limits.maxBodyBytes);
  if (body === null) {
    sendJson(res, 413, errorBody(API_CODES.BODY_TOO_LARGE, `the request body is larger than ${api.limits.maxBodyBytes} bytes`));
    return;
  }
  if (req.method === "POST") {
    const answer = await api.direct(body, req.headers);
    if (answer !== null) {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
      return;
    }
  }
  const abort = new AbortController();
  // Only a client that leaves early aborts (an AbortError per finished request would cost for nothing).
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  const response = await api.yoga.fetch(url.toString(), {
    method: req.method ?? "GET",
    headers,
    body: new Uint8Array(body),
    signal: abort.signal,
  });
  const outHeaders: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    outHeaders[key] = value;
  });
  res.writeHead(response.status, outHeaders);
  if (!response.body) {
    res.end();
    return;
  }
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      res.write(chunk);
    }
  } catch {
    // The client went away (subscriptions end this way).
  }
  res.end();
}

/** Starts the HTTP server of an API (port 0 picks a free port). */
export async function startRegistryServer(
  api: RegistryApi,
  listen: { host: string; port: number },
  options: RegistryServerOptions = {},
): Promise<RegistryServer> {
  let base = "http://127.0.0.1";
  const server = createServer((req, res) => {
    handle(api, options, base, req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, errorBody("INTERNAL_SERVER_ERROR", error instanceof Error ? error.message.split("\n")[0]! : "internal error"));
      else res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  base = `http://${host}:${address.port}`;
  return {
    url: base,
    explorerUrl: `${base}/explorer/`,
    graphqlUrl: `${base}${api.yoga.graphqlEndpoint}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
