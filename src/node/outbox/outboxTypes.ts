/**
 * What the outbox's parts share: its options, a work item's outcome, and what the scheduler (Outbox.ts)
 * offers the single-verdict and batch state machines (SingleVerdictMachine.ts, BatchMachine.ts).
 */
import type { Hex } from "viem";
import type { TransactionSender } from "../../chain/transactionSender.ts";
import type { Verdict } from "@keepledger/sdk/internal/ids/index";
import type { ChainState } from "../chain/chainState.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { PeerClient } from "../peer/peerClient.ts";
import type { VerdictSigner } from "../quorum/verdictSigner.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import type { Submission } from "../types.ts";
import type { Failpoints } from "../failpoints.ts";
import type { CollateralHealer } from "./CollateralHealer.ts";

export interface OutboxOptions {
  store: NodeStore;
  chain: ChainState;
  sender: TransactionSender;
  signer: VerdictSigner;
  peers: PeerClient;
  log: NodeLogger;
  metrics: NodeMetrics;
  batch: { maxItems: number; maxWaitMs: number };
  hedgeAfterMs: number;
  /** Single verdicts worked on at once. Default 64. */
  concurrency?: number;
  /** Batches in flight at once. Default 4. */
  batchConcurrency?: number;
  /** Called when a verdict this node collected is finalized (self-attestation listens). */
  onFinalized?(verdictId: Hex, verdict: Verdict): void;
  /** Re-appraises a verdict that peers refuse as built on superseded collateral (CollateralHealer.ts); without it such refusals only count. */
  healer?: CollateralHealer;
  /** Crash points of the reliability campaign (failpoints.ts); none armed when absent. */
  failpoints?: Failpoints;
}

/** How one run of a verdict or batch ended: settled for now ("done"), or to be run again after a backoff. */
export type Outcome = "done" | "retry";

/** A batch-mode verdict waiting to be put in a batch. */
export interface BatchItem {
  verdictId: Hex;
  verdict: Verdict;
}

/** What the scheduler does for the state machines: it owns the timers, the waiters and the submissions in memory. */
export interface OutboxScheduler {
  /** Runs the single verdict after `delayMs` (at once when 0), unless it is already waiting or the outbox stops. */
  scheduleVerdict(verdictId: Hex, delayMs: number): void;
  scheduleBatch(batchId: Hex, delayMs: number): void;
  /** The verdicts are finalized or rejected: wakes their waiters and forgets their submissions. */
  settle(verdictIds: readonly Hex[]): void;
  /** The submission kept in memory since intake, else rebuilt from the evidence store. */
  submissionFor(verdictId: Hex): Promise<Submission | undefined>;
  /** A heal replaced `oldId` by `newId`: its submission is `submission`, and `oldId`'s waiters now wait for `newId`. */
  replaceVerdict(oldId: Hex, newId: Hex, submission: Submission): void;
  stopping(): boolean;
  /** Publishes the queue depths (gauge keepledger_node_queue_depth). */
  updateDepth(): void;
}
