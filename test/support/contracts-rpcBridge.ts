/**
 * A JSON-RPC-over-HTTP endpoint in front of an in-process EDR chain, so the `--rpc <url>` code paths
 * (plain viem http transport, a private key from the environment) run against a real chain in tests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcBridge {
  url: string;
  close(): Promise<void>;
}

interface Eip1193 {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

export async function startRpcBridge(provider: Eip1193): Promise<RpcBridge> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as
        | { id: number; method: string; params?: unknown }
        | { id: number; method: string; params?: unknown }[];
      const handle = async (call: { id: number; method: string; params?: unknown }) => {
        try {
          return { jsonrpc: "2.0", id: call.id, result: await provider.request({ method: call.method, params: call.params }) };
        } catch (error) {
          const e = error as { code?: number; message?: string; data?: unknown };
          return {
            jsonrpc: "2.0",
            id: call.id,
            error: { code: typeof e.code === "number" ? e.code : -32000, message: e.message ?? String(error), data: e.data },
          };
        }
      };
      const answer = Array.isArray(body) ? await Promise.all(body.map(handle)) : await handle(body);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
