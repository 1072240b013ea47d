/**
 * A fake AMD KDS on 127.0.0.1 (node:http) for the KDS provider's tests:
 * routes map a path with its query to a response or a handler; every request
 * is recorded. Nothing reaches the internet.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export type FakeRoute = FakeResponse | ((request: IncomingMessage, hit: number) => FakeResponse);

export interface FakeKds {
  baseUrl: string;
  /** Paths (with query) in the order they were requested. */
  hits: string[];
  routes: Map<string, FakeRoute>;
  close(): Promise<void>;
}

export async function startFakeKds(routes: Record<string, FakeRoute> = {}): Promise<FakeKds> {
  const table = new Map(Object.entries(routes));
  const hits: string[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.push(path);
    const route = table.get(path);
    const n = hits.filter((h) => h === path).length;
    const r: FakeResponse = route === undefined ? { status: 404, body: "not found" } : typeof route === "function" ? route(req, n) : route;
    if (r.hang) {
      open.add(res);
      return;
    }
    res.writeHead(r.status ?? 200, r.headers ?? {});
    res.end(r.body === undefined ? undefined : typeof r.body === "string" ? r.body : Buffer.from(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    routes: table,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
