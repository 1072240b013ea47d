/**
 * JSON-RPC over HTTP in front of the in-process chain's EIP-1193 provider, so `cast`, ethers, a wallet
 * and the validator nodes reach the chain like any node: every method is forwarded, batches included.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Eip1193Provider } from "../chain/inProcessChain.ts";

export interface RpcServer {
  url: string;
  close(): Promise<void>;
}

export interface StartRpcServerOptions {
  host?: string;
  port: number;
  /** Largest request body (default 16 MiB). */
  maxBodyBytes?: number;
}

interface Call {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

const json = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));

async function answer(provider: Eip1193Provider, call: Call): Promise<Record<string, unknown>> {
  const id = call.id ?? null;
  if (typeof call !== "object" || call === null || typeof call.method !== "string") {
    return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request: expected { jsonrpc, id, method, params }" } };
  }
  try {
    const result = await provider.request({ method: call.method, ...(call.params !== undefined ? { params: call.params } : {}) });
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const e = error as { code?: unknown; message?: string; data?: unknown };
    return {
      jsonrpc: "2.0",
      id,
      error: {
        code: typeof e.code === "number" ? e.code : -32603,
        message: e.message ?? String(error),
        ...(e.data !== undefined ? { data: e.data } : {}),
      },
    };
  }
}

export async function startRpcServer(provider: Eip1193Provider, options: StartRpcServerOptions): Promise<RpcServer> {
  const limit = options.maxBodyBytes ?? 16 << 20;
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(json(body));
    };
    if (req.method === "OPTIONS") {
      // Browser wallets and dapps preflight their JSON-RPC calls.
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-allow-headers": "content-type",
      });
      res.end();
      return;
    }
    if (req.method !== "POST") {
      send(405, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "POST JSON-RPC requests to this URL" } });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => {
      if (size > limit)
        return send(413, { jsonrpc: "2.0", id: null, error: { code: -32600, message: `request body over ${limit} bytes` } });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(200, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error: the body is not JSON" } });
      }
      const work = Array.isArray(body) ? Promise.all(body.map((c) => answer(provider, c as Call))) : answer(provider, body as Call);
      work.then(
        (out) => send(200, out),
        (error: unknown) => send(500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: String(error) } }),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
