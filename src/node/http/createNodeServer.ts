/**
 * The node's HTTP API on node:http (docs/node.md): nonce, evidence intake, verdict status (with an
 * optional long poll), the peer endpoints, TCB recovery reports, metrics and health. Every error is a
 * typed JSON body; bodies are bounded and must be JSON; clients are rate-limited per address, except
 * validators authenticated on the peer endpoints. A peer request is authenticated from its headers before
 * any of its body is read (peerAuth.ts); a refusal then closes the connection instead of draining the body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Address, Hex } from "viem";
import { InfrastructureError, UsageError } from "@keepledger/sdk/internal/errors/index";
import type { ChainState } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { Intake } from "../intake/Intake.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { Outbox } from "../outbox/Outbox.ts";
import type { PeerAuthenticator } from "../peer/peerAuth.ts";
import type { PeerBodyLimits } from "../peer/peerLimits.ts";
import { peerBatchRequestSchema, peerSignRequestSchema } from "../peer/peerProtocol.ts";
import { BatchRefusedError, type PeerService } from "../peer/PeerService.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import type { KeyService } from "../keys/KeyService.ts";
import { KEY_CODES } from "@keepledger/sdk/internal/chain/keyRelease/codes";
import { parseKeyBody, releaseBodySchema, shareDepositBodySchema } from "../../chain/keyRelease/wire.ts";
import { errorBody, parseJsonBody, readBoundedBody, readJsonBody, requireJsonType, sendJson, statusOf } from "./httpKit.ts";
import { parseEvidenceRequest } from "./evidenceRequest.ts";
import { applyKeepAlive, defaultHttpServerLimits, httpServerOptions, type HttpServerLimits } from "../../util/httpServerLimits.ts";
import { createRateLimiter } from "./rateLimiter.ts";
import { createBatchLeavesCache, verdictView } from "./verdictView.ts";

export interface NodeServerOptions {
  intake: Intake;
  peers: PeerService;
  outbox: Outbox;
  store: NodeStore;
  chain: ChainState;
  log: NodeLogger;
  metrics: NodeMetrics;
  limits: { maxBodyBytes: number; requestsPerMinute: number } & Partial<HttpServerLimits>;
  /** Checks peer requests' authentication headers (this node as the recipient, a replay cache). */
  peerAuth: PeerAuthenticator;
  /** Body limits of the peer endpoints (peerLimits.ts). */
  peerLimits: PeerBodyLimits;
  /** The key service (docs/key-release.md); without one the key endpoints answer KEY_SERVICE_DISABLED. */
  keys?: KeyService;
  /** The node's state for /healthz. */
  health(): Promise<{ ok: boolean; [key: string]: unknown }>;
}

class RateLimited extends Error {
  readonly seconds: number;
  constructor(seconds: number) {
    super("rate limited");
    this.seconds = seconds;
  }
}

export interface NodeServer {
  server: Server;
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Stops accepting connections and waits for open requests to end. */
  close(): Promise<void>;
}

const ID = /^0x[0-9a-fA-F]{64}$/;
const KEY_ROUTE = /^\/v1\/keys\/([^/]+)\/(shares|release)$/;
const MAX_WAIT_MS = 30_000;

export function createNodeServer(o: NodeServerOptions): NodeServer {
  const leavesCache = createBatchLeavesCache();
  const limiter = createRateLimiter(o.limits.requestsPerMinute);
  let closing = false;

  const route = (req: IncomingMessage): { name: string; method: string } => {
    const path = new URL(req.url ?? "/", "http://node").pathname;
    if (path === "/v1/nonce") return { name: "nonce", method: "GET" };
    if (path === "/v1/evidence") return { name: "evidence", method: "POST" };
    if (path.startsWith("/v1/verdicts/")) return { name: "verdict", method: "GET" };
    if (path === "/v1/peer/sign") return { name: "peer-sign", method: "POST" };
    if (path === "/v1/peer/sign-batch") return { name: "peer-sign-batch", method: "POST" };
    if (path === "/v1/tcb-recovery") return { name: "tcb-recovery", method: "GET" };
    const key = KEY_ROUTE.exec(path);
    if (key) return { name: key[2] === "shares" ? "key-shares" : "key-release", method: "POST" };
    if (path === "/metrics") return { name: "metrics", method: "GET" };
    if (path === "/healthz") return { name: "healthz", method: "GET" };
    return { name: "unknown", method: "" };
  };

  const isValidator = async (address: Address) => (await o.chain.validatorSet()).validators.get(address)?.registered === true;

  const handle = async (req: IncomingMessage, res: ServerResponse, name: string, client: string): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://node");
    switch (name) {
      case "nonce": {
        const block = await o.chain.nonceBlock();
        const workloadId = url.searchParams.get("workload");
        let maxAge: number | undefined;
        if (workloadId && ID.test(workloadId)) maxAge = (await o.chain.workload(workloadId as Hex))?.policy.maxEvidenceAge;
        return sendJson(res, 200, {
          chainId: o.chain.deployment.chainId,
          registry: o.chain.deployment.contracts.attestationRegistry,
          blockNumber: Number(block.number),
          blockHash: block.hash,
          blockTimestamp: Number(block.timestamp),
          confirmations: o.chain.confirmations,
          ...(maxAge !== undefined ? { maxAge } : {}),
        });
      }
      case "evidence": {
        if (closing) throw new InfrastructureError(NODE_CODES.NODE_UNAVAILABLE, "the node is shutting down");
        const { json } = await readJsonBody(req, o.limits.maxBodyBytes);
        const submission = parseEvidenceRequest(json);
        const result = await o.intake.submit(submission, "http");
        if (result.outcome === "accepted") {
          return sendJson(res, result.status === "pending" ? 202 : 200, {
            requestId: result.requestId,
            verdictId: result.verdictId,
            status: result.status,
          });
        }
        if (result.outcome === "refused") return sendJson(res, 422, { requestId: result.requestId, error: result.error });
        return sendJson(res, 503, { ...(result.requestId ? { requestId: result.requestId } : {}), ...errorBody(result.error) });
      }
      case "verdict": {
        const id = url.pathname.slice("/v1/verdicts/".length);
        if (!ID.test(id)) throw new UsageError(NODE_CODES.NODE_REQUEST_INVALID, "a verdict or request id is 32 bytes of 0x-hex");
        let view = await verdictView(o.store, id as Hex, leavesCache);
        const waitMs = Math.min(Number(url.searchParams.get("waitMs") ?? 0) || 0, MAX_WAIT_MS);
        if (view?.status === "pending" && view.verdictId && waitMs > 0) {
          await o.outbox.waitFor(view.verdictId, waitMs);
          view = await verdictView(o.store, id as Hex, leavesCache);
        }
        if (!view) throw new UsageError(NODE_CODES.NODE_NOT_FOUND, `no verdict or request ${id} on this node`);
        return sendJson(res, 200, view);
      }
      case "peer-sign":
      case "peer-sign-batch": {
        // Validators are not rate-limited, but a client whose requests fail authentication is.
        const wait = limiter.waitOf(client);
        if (wait > 0) throw new RateLimited(wait);
        // Everything about the request is decided from its headers before a byte of the body is read.
        const path = url.pathname as keyof PeerBodyLimits;
        let auth: ReturnType<PeerAuthenticator["authenticate"]>;
        try {
          auth = o.peerAuth.authenticate(req.headers, path, o.peerLimits[path]);
          requireJsonType(req);
        } catch (error) {
          limiter.take(client);
          throw error;
        }
        const collector: Address = auth.sender;
        if (!(await isValidator(collector))) {
          o.chain.invalidateValidators();
          throw new UsageError(NODE_CODES.NODE_PEER_UNAUTHORIZED, `peer request refused: ${collector} is not a registered validator`);
        }
        const bytes = await readBoundedBody(
          req,
          auth.bodyLength,
          () => new UsageError(NODE_CODES.NODE_PEER_BODY_HASH_MISMATCH, "the body is longer than its authentication says"),
        );
        o.peerAuth.checkBody(auth, bytes);
        const json = parseJsonBody(bytes);
        if (name === "peer-sign") {
          const parsed = peerSignRequestSchema.safeParse(json);
          if (!parsed.success)
            throw new UsageError(
              NODE_CODES.NODE_REQUEST_INVALID,
              `malformed peer request: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
            );
          return sendJson(res, 200, await o.peers.signVerdict(collector, parsed.data));
        }
        const parsed = peerBatchRequestSchema.safeParse(json);
        if (!parsed.success)
          throw new UsageError(
            NODE_CODES.NODE_REQUEST_INVALID,
            `malformed peer request: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
          );
        return sendJson(res, 200, await o.peers.signBatch(collector, parsed.data));
      }
      case "key-shares":
      case "key-release": {
        if (!o.keys) throw new UsageError(KEY_CODES.KEY_SERVICE_DISABLED, "this node runs no key service");
        const keyId = KEY_ROUTE.exec(url.pathname)![1]!;
        if (!ID.test(keyId))
          throw new UsageError(KEY_CODES.KEY_REQUEST_INVALID, "a key id is 32 bytes of 0x-hex", { at: { field: "keyId" } });
        const { json } = await readJsonBody(req, o.limits.maxBodyBytes);
        const id = keyId.toLowerCase() as Hex;
        if (name === "key-shares") return sendJson(res, 200, await o.keys.deposit(id, parseKeyBody(shareDepositBodySchema, json)));
        return sendJson(res, 200, await o.keys.release(id, parseKeyBody(releaseBodySchema, json)));
      }
      case "tcb-recovery":
        return sendJson(res, 200, { downgrades: await o.store.tcb.downgrades() });
      case "metrics": {
        const text = await o.metrics.registry.metrics();
        res.writeHead(200, { "content-type": o.metrics.registry.contentType });
        res.end(text);
        return;
      }
      case "healthz": {
        const h = await o.health();
        return sendJson(res, h.ok ? 200 : 503, h);
      }
    }
  };

  const connectionLimits: HttpServerLimits = { ...defaultHttpServerLimits(), keepAliveTimeoutMs: 65_000, ...o.limits };
  const server = createServer(httpServerOptions(connectionLimits), (req, res) => {
    const { name, method } = route(req);
    const client = req.socket.remoteAddress ?? "unknown";
    const finish = (status: number) => o.metrics.httpRequests.inc({ route: name, status: String(status) });
    res.on("finish", () => finish(res.statusCode));
    void (async () => {
      try {
        if (name === "unknown")
          throw new UsageError(NODE_CODES.NODE_NOT_FOUND, `no route ${new URL(req.url ?? "/", "http://node").pathname}`);
        if (req.method !== method) throw new UsageError(NODE_CODES.NODE_METHOD_NOT_ALLOWED, `${name} takes ${method}, not ${req.method}`);
        // Peer requests are authenticated and answered per validator; everything else is rate-limited per client.
        if (!name.startsWith("peer-") && name !== "metrics" && name !== "healthz") {
          const wait = limiter.take(client);
          if (wait > 0) throw new RateLimited(wait);
        }
        await handle(req, res, name, client);
      } catch (error) {
        if (res.headersSent) return res.destroy();
        // A refusal before the body was read: answer and close, rather than let node:http drain the body.
        if (!req.complete && name.startsWith("peer-")) res.setHeader("connection", "close");
        if (error instanceof RateLimited) {
          req.resume();
          return sendJson(
            res,
            429,
            errorBody(new InfrastructureError(NODE_CODES.NODE_RATE_LIMITED, `too many requests; retry in ${error.seconds} s`)),
            { "retry-after": String(error.seconds) },
          );
        }
        const status = statusOf(error);
        if (status >= 500) o.log.warn("request failed", { route: name, httpStatus: status, err: error });
        const body = error instanceof BatchRefusedError ? { ...errorBody(error), refused: error.refused } : errorBody(error);
        sendJson(res, status, body);
      }
    })();
  });
  applyKeepAlive(server, connectionLimits);

  return {
    server,
    async listen(host, port) {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const a = server.address() as AddressInfo;
      return { host: a.address, port: a.port };
    },
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    },
  };
}
