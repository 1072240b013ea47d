/**
 * Connection limits of keepledger's HTTP servers (the validator node, the registry), against clients that
 * hold connections open without finishing requests (slowloris) or send oversized headers:
 * - `headersTimeoutMs`: the whole header block must arrive within this time (then 408 and close);
 * - `requestTimeoutMs`: the whole request, body included (then 408 and close);
 * - `keepAliveTimeoutMs`: an idle kept-alive connection is closed after this;
 * - `maxHeaderBytes`: a larger header block is answered 431 and the connection closed.
 * node:http checks the two timeouts on a timer (connectionsCheckingInterval, 30 s by default, which
 * would let a slow client hold a connection up to 30 s past its limit); it runs here at least every second.
 */
import type { ServerOptions } from "node:http";

export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
}

export function defaultHttpServerLimits(): HttpServerLimits {
  return { headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000, maxHeaderBytes: 16 * 1024 };
}

/** createServer options for `limits` (keepAliveTimeout is set on the server: {@link applyKeepAlive}). */
export function httpServerOptions(limits: HttpServerLimits): ServerOptions {
  const requestTimeout = limits.requestTimeoutMs;
  // node:http refuses a headersTimeout above requestTimeout.
  const headersTimeout = Math.min(limits.headersTimeoutMs, requestTimeout);
  return {
    headersTimeout,
    requestTimeout,
    maxHeaderSize: limits.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

export function applyKeepAlive(server: { keepAliveTimeout: number }, limits: HttpServerLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
}
