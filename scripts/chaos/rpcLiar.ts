/**
 * A JSON-RPC proxy that misbehaves at the HTTP and JSON-RPC level (the TCP proxy of the node tests only cuts
 * connections): in "errors" mode a share of the requests get an HTTP 500 or a JSON-RPC error; in "backwards"
 * mode the head it reports (eth_blockNumber, and the "latest" block of eth_getBlockByNumber) goes back by
 * 1–3 blocks at random, as a load-balanced RPC whose backends lag behind each other does.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type RpcLie = "none" | "errors" | "backwards";

export interface RpcLiar {
  url: string;
  /** Where requests go (set once the chain runs). */
  setTarget(url: string): void;
  setLie(lie: RpcLie): void;
  /** How many answers were altered, by kind. */
  altered: { errors: number; backwards: number };
  close(): Promise<void>;
}

interface RpcRequest {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });

export async function startRpcLiar(): Promise<RpcLiar> {
  let target = "";
  let lie: RpcLie = "none";
  const altered = { errors: 0, backwards: 0 };

  /** Rewrites one answer to report an older head. */
  const backwards = async (request: RpcRequest, answer: { result?: unknown }): Promise<void> => {
    const behind = 1 + Math.floor(Math.random() * 3);
    if (request.method === "eth_blockNumber" && typeof answer.result === "string") {
      const n = BigInt(answer.result);
      if (n > BigInt(behind)) {
        answer.result = `0x${(n - BigInt(behind)).toString(16)}`;
        altered.backwards++;
      }
    } else if (request.method === "eth_getBlockByNumber" && request.params?.[0] === "latest") {
      const head = answer.result as { number?: string } | null;
      if (head?.number && BigInt(head.number) > BigInt(behind)) {
        const older = await forward({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getBlockByNumber",
          params: [`0x${(BigInt(head.number) - BigInt(behind)).toString(16)}`, request.params?.[1] ?? false],
        });
        answer.result = (older as { result?: unknown }).result;
        altered.backwards++;
      }
    }
  };

  const forward = async (payload: unknown): Promise<unknown> => {
    const r = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) });
    return r.json();
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const text = await body(req);
        if (lie === "errors" && Math.random() < 0.3) {
          altered.errors++;
          if (Math.random() < 0.5) {
            res.writeHead(500, { "content-type": "text/plain" });
            res.end("rpc liar: injected failure");
          } else {
            const parsed = JSON.parse(text) as RpcRequest | RpcRequest[];
            const errorOf = (r: RpcRequest) => ({
              jsonrpc: "2.0",
              id: r.id ?? null,
              error: { code: -32603, message: "rpc liar: injected error" },
            });
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(errorOf) : errorOf(parsed)));
          }
          return;
        }
        const parsed = JSON.parse(text) as RpcRequest | RpcRequest[];
        const answer = (await forward(parsed)) as { result?: unknown } | Array<{ result?: unknown }>;
        if (lie === "backwards") {
          if (Array.isArray(parsed) && Array.isArray(answer))
            await Promise.all(parsed.map((p, i) => answer[i] && backwards(p, answer[i]!)));
          else if (!Array.isArray(parsed) && !Array.isArray(answer)) await backwards(parsed, answer);
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      } catch (error) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`rpc liar: ${(error as Error).message}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setTarget: (url) => void (target = url),
    setLie: (next) => void (lie = next),
    altered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
