/**
 * The node's Prometheus metrics (prom-client), on a registry of its own so that several nodes can run
 * in one process (tests, the dev network) without sharing counters. Served at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface NodeMetrics {
  registry: Registry;
  /** Evidence verifications, by TEE kind ("unknown" before detection) and result ("ok" or the error code). */
  verifications: Counter<"kind" | "result">;
  verifySeconds: Histogram<"kind">;
  appraiseSeconds: Histogram;
  quorumSeconds: Histogram<"mode">;
  finalizeSeconds: Histogram<"mode">;
  /** Verdicts waiting: accepted but not yet finalized, by stage. */
  queueDepth: Gauge<"stage">;
  /** Transactions, by outcome: finalized, already_finalized, reverted, retried. */
  submissions: Counter<"mode" | "outcome">;
  gasUsed: Counter<"mode">;
  verdictsFinalized: Counter<"mode">;
  peersReachable: Gauge;
  peerRequests: Counter<"peer" | "outcome">;
  peerSignatures: Counter<"route" | "outcome">;
  /** Signatures from peers dropped because the contract would refuse them, by peer and code (a faulty peer). */
  peerFaults: Counter<"peer" | "code">;
  /**
   * Collateral heals: a peer refused the collector's collateral as superseded or stale (reason: its code)
   * and the collector re-appraised with the documents shown and fresh fetches; outcome: superseded (a new
   * verdict replaced the old), refused (the newer collateral refuses the evidence), unchanged (the documents
   * proved nothing new: forged, older or the same), retry (a source was down), limit (no more heals for the request).
   */
  collateralRefreshes: Counter<"reason" | "outcome">;
  tcbDowngraded: Gauge;
  selfAttestationExpiresAt: Gauge;
  httpRequests: Counter<"route" | "status">;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createNodeMetrics(options: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "keepledger_node_" });
  const registers = [registry];
  return {
    registry,
    verifications: new Counter({
      name: "keepledger_node_verifications_total",
      help: "Evidence verifications by TEE kind and result (ok or error code)",
      labelNames: ["kind", "result"],
      registers,
    }),
    verifySeconds: new Histogram({
      name: "keepledger_node_verify_seconds",
      help: "Time to verify evidence",
      labelNames: ["kind"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    appraiseSeconds: new Histogram({
      name: "keepledger_node_appraise_seconds",
      help: "Time to appraise verified evidence against the on-chain policy",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    quorumSeconds: new Histogram({
      name: "keepledger_node_quorum_seconds",
      help: "Time to collect k signatures",
      labelNames: ["mode"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    finalizeSeconds: new Histogram({
      name: "keepledger_node_finalize_seconds",
      help: "Time from sending a finalization to its confirmed receipt",
      labelNames: ["mode"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: "keepledger_node_queue_depth",
      help: "Verdicts accepted and not yet finalized, by stage",
      labelNames: ["stage"],
      registers,
    }),
    submissions: new Counter({
      name: "keepledger_node_submissions_total",
      help: "Finalization transactions by mode and outcome",
      labelNames: ["mode", "outcome"],
      registers,
    }),
    gasUsed: new Counter({
      name: "keepledger_node_gas_used_total",
      help: "Gas used by this node's finalization transactions",
      labelNames: ["mode"],
      registers,
    }),
    verdictsFinalized: new Counter({
      name: "keepledger_node_verdicts_finalized_total",
      help: "Verdicts this node finalized as collector",
      labelNames: ["mode"],
      registers,
    }),
    peersReachable: new Gauge({
      name: "keepledger_node_peers_reachable",
      help: "Peers that answered the last request sent to them",
      registers,
    }),
    peerRequests: new Counter({
      name: "keepledger_node_peer_requests_total",
      help: "Signature requests sent to peers, by peer and outcome",
      labelNames: ["peer", "outcome"],
      registers,
    }),
    peerSignatures: new Counter({
      name: "keepledger_node_peer_signatures_total",
      help: "Signature requests this node answered as a peer, by route and outcome",
      labelNames: ["route", "outcome"],
      registers,
    }),
    peerFaults: new Counter({
      name: "keepledger_node_peer_faults_total",
      help: "Peer signatures dropped because the contract would refuse them, by peer and code",
      labelNames: ["peer", "code"],
      registers,
    }),
    collateralRefreshes: new Counter({
      name: "keepledger_node_collateral_refreshes_total",
      help: "Re-appraisals after a peer refused the collector's collateral as superseded or stale, by the refusal's code and outcome",
      labelNames: ["reason", "outcome"],
      registers,
    }),
    tcbDowngraded: new Gauge({
      name: "keepledger_node_tcb_downgraded_verdicts",
      help: "Live verdicts this node signed that newer TCB Info would downgrade",
      registers,
    }),
    selfAttestationExpiresAt: new Gauge({
      name: "keepledger_node_self_attestation_expires_at_seconds",
      help: "When this node's own verdict expires (unix seconds; 0 when none)",
      registers,
    }),
    httpRequests: new Counter({
      name: "keepledger_node_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      registers,
    }),
  };
}
