/**
 * The collector's outbox: every accepted verdict is driven from pending to finalized (or rejected) —
 * countersignatures from peers until the threshold, then finalizeVerdict, or in batch mode grouped into
 * batches whose root the peers sign and finalizeBatch finalizes. State lives in the NodeStore, so after a
 * crash start() picks up where it stopped; the chain is asked first (verdictOf / batchOf) so a verdict is
 * finalized once, and a duplicate finalization ("already finalized") settles it instead of looping.
 * RPC and peer outages are retried with backoff until the verdict would expire.
 */
import { getAddress, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "../../chain/generated/index.ts";
import { packSignatures } from "../../chain/signVerdict.ts";
import { chainError } from "../../chain/transactions.ts";
import { backoffDelay } from "../../chain/retry.ts";
import type { TransactionSender, SendOutcome } from "../../chain/transactionSender.ts";
import { PolicyError } from "../../errors/index.ts";
import { normalizeVerdict, type Verdict } from "../../ids/index.ts";
import type { ChainState, ValidatorSetView, ValidatorView } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import { errorJson, expiredError, expiredErrorJson, quorumRefusedError } from "../errorJson.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { PeerClient } from "../peer/peerClient.ts";
import { encodeSubmissions, groupsToWire } from "../peer/peerProtocol.ts";
import { collectSignatures, type CollectResult } from "../quorum/collectSignatures.ts";
import { checkPeerSignature, signatureFormProblem, type SignatureCheck } from "../quorum/checkPeerSignature.ts";
import type { VerdictSigner } from "../quorum/verdictSigner.ts";
import type { BatchRecord, NodeStore, VerdictRecord } from "../store/NodeStore.ts";
import { verdictFromJson, verdictToJson, type ErrorJson, type Submission, type VerdictMode } from "../types.ts";
import type { CollateralHealer } from "./CollateralHealer.ts";
import { groupVerdicts } from "./groupVerdicts.ts";
import { loadSubmission } from "./loadSubmission.ts";

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
}

/** Peer refusals that may turn into signatures later (the peer's chain view lags, its cache is stale). */
const TRANSIENT_REFUSALS = new Set<string>([
  NODE_CODES.NODE_FRESHNESS_BLOCK_UNCONFIRMED,
  NODE_CODES.NODE_FRESHNESS_BLOCK_UNKNOWN,
  NODE_CODES.NODE_PEER_ISSUED_AT_SKEW,
  NODE_CODES.NODE_VALIDATOR_CONTEXT_UNKNOWN,
  NODE_CODES.NODE_UNKNOWN_WORKLOAD,
]);

type Outcome = "done" | "retry";

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #submissions = new Map<Hex, Submission>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #attempts = new Map<string, number>();
  readonly #waiters = new Map<Hex, Set<() => void>>();
  #batchQueue: Array<{ verdictId: Hex; verdict: Verdict }> = [];
  #batchTimer: NodeJS.Timeout | undefined;
  #activeSingles = 0;
  #activeBatches = 0;
  readonly #singleQueue: Hex[] = [];
  readonly #batchRunQueue: Hex[] = [];
  #rotation = 0;
  #stopping = false;
  /** Whether each peer answered the last request sent to it (for the peers_reachable gauge). */
  readonly #reachable = new Map<Address, boolean>();

  constructor(options: OutboxOptions) {
    this.#o = options;
  }

  /** Resumes everything the store holds that is neither finalized nor rejected. */
  async start(): Promise<{ verdicts: number; batches: number }> {
    const open = await this.#o.store.openVerdicts();
    const batches = await this.#o.store.openBatches();
    for (const v of open) {
      if (v.mode === "single") this.#scheduleVerdict(v.verdictId, 0);
      else if (v.state === "pending") this.#batchQueue.push({ verdictId: v.verdictId, verdict: verdictFromJson(v.verdict) });
    }
    for (const b of batches) this.#scheduleBatch(b.batchId, 0);
    if (this.#batchQueue.length > 0) this.#armBatchTimer();
    this.#updateDepth();
    return { verdicts: open.length, batches: batches.length };
  }

  /** Takes a newly accepted verdict (already in the store with this node's signature). */
  add(verdictId: Hex, verdict: Verdict, mode: VerdictMode, submission: Submission): void {
    this.#submissions.set(verdictId, submission);
    if (mode === "single") {
      this.#scheduleVerdict(verdictId, 0);
    } else {
      this.#batchQueue.push({ verdictId, verdict });
      if (this.#batchQueue.length >= this.#o.batch.maxItems) this.#flushBatch();
      else this.#armBatchTimer();
    }
    this.#updateDepth();
  }

  /** Resolves when the verdict is finalized or rejected, or after `timeoutMs`. */
  waitFor(verdictId: Hex, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiters.get(verdictId) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
      this.#waiters.set(verdictId, set);
    });
  }

  /** Stops starting new work and waits (at most `timeoutMs`) for what is running; the rest resumes at the next start. */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.race([Promise.allSettled([...this.#running.values()]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  depth(): { pending: number; batching: number; running: number } {
    return { pending: this.#singleQueue.length + this.#timers.size, batching: this.#batchQueue.length, running: this.#running.size };
  }

  #updateDepth(): void {
    const d = this.depth();
    this.#o.metrics.queueDepth.set({ stage: "pending" }, d.pending);
    this.#o.metrics.queueDepth.set({ stage: "batching" }, d.batching);
    this.#o.metrics.queueDepth.set({ stage: "running" }, d.running);
  }

  #settle(verdictIds: readonly Hex[]): void {
    for (const id of verdictIds) {
      this.#submissions.delete(id);
      for (const w of [...(this.#waiters.get(id) ?? [])]) w();
      this.#waiters.delete(id);
    }
  }

  // ===== Scheduling =====

  #scheduleVerdict(verdictId: Hex, delayMs: number): void {
    this.#schedule(`v:${verdictId}`, delayMs, () => {
      this.#singleQueue.push(verdictId);
      this.#pump();
    });
  }

  #scheduleBatch(batchId: Hex, delayMs: number): void {
    this.#schedule(`b:${batchId}`, delayMs, () => {
      this.#batchRunQueue.push(batchId);
      this.#pump();
    });
  }

  #schedule(key: string, delayMs: number, run: () => void): void {
    if (this.#stopping || this.#timers.has(key)) return;
    if (delayMs <= 0) return run();
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      run();
    }, delayMs);
    this.#timers.set(key, timer);
  }

  #pump(): void {
    const singleLimit = this.#o.concurrency ?? 64;
    const batchLimit = this.#o.batchConcurrency ?? 4;
    while (!this.#stopping && this.#activeSingles < singleLimit && this.#singleQueue.length > 0) {
      const id = this.#singleQueue.shift()!;
      if (this.#running.has(`v:${id}`)) continue;
      this.#activeSingles++;
      this.#run(`v:${id}`, () => this.#processVerdict(id), (delay) => this.#scheduleVerdict(id, delay), () => this.#activeSingles--);
    }
    while (!this.#stopping && this.#activeBatches < batchLimit && this.#batchRunQueue.length > 0) {
      const id = this.#batchRunQueue.shift()!;
      if (this.#running.has(`b:${id}`)) continue;
      this.#activeBatches++;
      this.#run(`b:${id}`, () => this.#processBatch(id), (delay) => this.#scheduleBatch(id, delay), () => this.#activeBatches--);
    }
    this.#updateDepth();
  }

  #run(key: string, work: () => Promise<Outcome>, retry: (delayMs: number) => void, release: () => void): void {
    const task = (async () => {
      let outcome: Outcome;
      try {
        outcome = await work();
      } catch (error) {
        this.#o.log.warn("outbox work failed; retrying", { err: error, reason: key.slice(0, 1) === "v" ? "verdict" : "batch" });
        outcome = "retry";
      }
      const attempt = (this.#attempts.get(key) ?? 0) + 1;
      if (outcome === "retry") {
        this.#attempts.set(key, attempt);
        retry(Math.max(250, backoffDelay(attempt, { baseMs: 500, maxMs: 30_000 })));
      } else {
        this.#attempts.delete(key);
      }
    })().finally(() => {
      this.#running.delete(key);
      release();
      this.#pump();
    });
    this.#running.set(key, task);
  }

  // ===== Shared steps =====

  #counting(view: ValidatorSetView): (signer: Address) => boolean {
    return (signer) => view.validators.get(getAddress(signer))?.counting === true;
  }

  /** Peers worth asking: counting, with an endpoint, not this node, not already signed; rotated for load. */
  #peersToAsk(view: ValidatorSetView, signed: ReadonlySet<string>): ValidatorView[] {
    const peers = [...view.validators.values()].filter((v) => v.counting && v.endpoint !== "" && v.address !== this.#o.signer.address && !signed.has(v.address));
    const start = peers.length === 0 ? 0 : this.#rotation++ % peers.length;
    return [...peers.slice(start), ...peers.slice(0, start)];
  }

  /**
   * Whether definitive refusals make the threshold unreachable: of the C counting validators, those that
   * refused for good can never sign, so at most C − refusals signatures exist.
   */
  #quorumRefused(view: ValidatorSetView, result: CollectResult): boolean {
    const definitive = new Set(result.refusals.filter((r) => !TRANSIENT_REFUSALS.has(r.refusal.error.code)).map((r) => r.peer));
    const counting = [...view.validators.values()].filter((v) => v.counting).length;
    return definitive.size > 0 && counting - definitive.size < view.threshold;
  }

  async #submissionFor(verdictId: Hex): Promise<Submission | undefined> {
    return this.#submissions.get(verdictId) ?? (await loadSubmission(this.#o.store, verdictId));
  }

  async #readVerdictOnChain(verdictId: Hex): Promise<boolean> {
    try {
      const s = await this.#o.chain.publicClient.readContract({
        address: this.#o.chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "verdictOf",
        args: [verdictId],
      });
      return s.finalized;
    } catch (error) {
      throw chainError(error, "verdictOf");
    }
  }

  async #readBatchOnChain(batchId: Hex): Promise<boolean> {
    try {
      const b = await this.#o.chain.publicClient.readContract({
        address: this.#o.chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "batchOf",
        args: [batchId],
      });
      return b.finalizedAt !== 0n;
    } catch (error) {
      throw chainError(error, "batchOf");
    }
  }

  /**
   * A usable set of stored signatures: from counting validators only, in the form the contract accepts
   * (a stored signature was checked when it arrived; the form is checked again, cheaply, so that nothing
   * stored before that check existed can make the chain refuse the finalization).
   */
  async #countingSignatures(subjectId: Hex, view: ValidatorSetView) {
    const counts = this.#counting(view);
    return (await this.#o.store.signatures(subjectId)).filter((s) => counts(s.signer as Address) && signatureFormProblem(s.signature) === undefined);
  }

  /** Checks each peer's signature over `digest` as the contract will, against the validator set in `view`. */
  #checker(digest: Hex, view: ValidatorSetView): (peer: Address, signature: Hex) => SignatureCheck {
    const counts = this.#counting(view);
    return (peer, signature) => checkPeerSignature({ digest, signature, expected: peer, counts });
  }

  /** A peer answered with a signature the contract would refuse: dropped, and the peer counted faulty. */
  #faulty(peer: Address, fault: Extract<SignatureCheck, { ok: false }>, subject: { verdictId?: Hex; batchId?: Hex }): void {
    this.#o.metrics.peerFaults.inc({ peer, code: fault.code });
    this.#o.log.warn("dropped a peer's signature the contract would refuse; the peer is faulty", { peer, code: fault.code, reason: fault.reason, ...subject });
  }

  // ===== Single verdicts =====

  async #processVerdict(verdictId: Hex): Promise<Outcome> {
    const { store, chain, metrics, log } = this.#o;
    const record = await store.verdict(verdictId);
    if (!record || record.state === "finalized" || record.state === "rejected" || record.state === "superseded") return this.#finish([verdictId]);
    if (record.mode !== "single") return "done";
    const v = verdictFromJson(record.verdict);
    if (await this.#readVerdictOnChain(verdictId)) return this.#finalized(record, record.txHash ?? undefined, "already_finalized");
    if (v.expiresAt <= chain.now()) return this.#reject([verdictId], expiredError(v));

    const view = await chain.validatorSet();
    const self = this.#o.signer.address;
    if (view.validators.get(self)?.counting && !(await store.signatures(verdictId)).some((s) => getAddress(s.signer) === self)) {
      // A verdict accepted in batch mode that finalizes alone after all: this node signs it now.
      const own = await this.#o.signer.signVerdict(v);
      await store.addSignature(verdictId, own.signer, own.signature);
    }
    let signatures = await this.#countingSignatures(verdictId, view);
    if (signatures.length < view.threshold) {
      const submission = await this.#submissionFor(verdictId);
      if (!submission) return this.#reject([verdictId], errorJson(new PolicyError(NODE_CODES.NODE_QUORUM_REFUSED, "the evidence of this verdict is no longer in the store")));
      const { wire, blobs } = encodeSubmissions([submission]);
      const body = { verdict: verdictToJson(v), submission: wire[0], blobs };
      const started = performance.now();
      const result = await collectSignatures({
        peers: this.#peersToAsk(view, new Set(signatures.map((s) => getAddress(s.signer)))),
        need: view.threshold - signatures.length,
        ask: (peer) => this.#askPeer(peer, "/v1/peer/sign", body),
        check: this.#checker(this.#o.signer.verdictDigest(v), view),
        hedgeAfterMs: this.#o.hedgeAfterMs,
        onSignature: (signer, signature) => store.addSignature(verdictId, signer, signature),
        onFaulty: (peer, fault) => this.#faulty(peer, fault, { verdictId }),
      });
      metrics.quorumSeconds.observe({ mode: "single" }, (performance.now() - started) / 1000);
      signatures = [...signatures, ...result.signatures];
      if (signatures.length < view.threshold) {
        const healed = await this.#heal(record, submission, result);
        if (healed) return healed;
        if (this.#quorumRefused(view, result)) {
          return this.#reject([verdictId], quorumRefusedError(result));
        }
        log.info("quorum not reached yet; retrying", { verdictId, count: signatures.length, threshold: view.threshold, codes: result.refusals.map((r) => r.refusal.error.code) });
        return "retry";
      }
    }
    const packed = packSignatures(signatures.slice(0, Math.max(view.threshold, 1)).map((s) => ({ signer: getAddress(s.signer), signature: s.signature })));
    await store.setVerdictState(verdictId, "submitting");
    const started = performance.now();
    const outcome = await this.#o.sender.send(
      {
        address: chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "finalizeVerdict",
        args: [normalizeVerdict(v), BigInt(chain.deployment.chainId), chain.deployment.contracts.attestationRegistry, packed],
      },
      { onBroadcast: (hash) => store.setVerdictState(verdictId, "submitting", { txHash: hash }) },
    );
    metrics.finalizeSeconds.observe({ mode: "single" }, (performance.now() - started) / 1000);
    return this.#afterSend(outcome, { kind: "verdict", record, view });
  }

  /**
   * Peers refused the verdict's collateral as superseded or stale: re-appraise with what they showed and
   * fresh fetches. A new verdict takes the old one's place in the outbox (its waiters follow it), the
   * evidence refused by newer collateral is rejected, and otherwise the refusals count as before.
   */
  async #heal(record: VerdictRecord, submission: Submission, result: CollectResult): Promise<Outcome | undefined> {
    const outcome = await this.#o.healer?.heal(record, submission, result.refusals);
    switch (outcome?.kind) {
      case undefined:
      case "unchanged":
        return undefined;
      case "retry":
        return "retry";
      case "refused":
        return this.#reject([record.verdictId], outcome.error);
      case "superseded": {
        const old = record.verdictId;
        this.#submissions.delete(old);
        this.#submissions.set(outcome.verdictId, outcome.submission);
        const waiters = this.#waiters.get(old);
        if (waiters) {
          this.#waiters.delete(old);
          const already = this.#waiters.get(outcome.verdictId);
          if (already) for (const w of waiters) already.add(w);
          else this.#waiters.set(outcome.verdictId, waiters);
        }
        this.#scheduleVerdict(outcome.verdictId, 0);
        return "done";
      }
    }
  }

  async #askPeer(peer: ValidatorView, path: "/v1/peer/sign" | "/v1/peer/sign-batch", body: unknown) {
    const answer = await this.#o.peers.post(peer, path, body);
    this.#o.metrics.peerRequests.inc({ peer: peer.address, outcome: answer.kind });
    this.#reachable.set(peer.address, answer.kind !== "unreachable");
    this.#o.metrics.peersReachable.set([...this.#reachable.values()].filter(Boolean).length);
    return answer;
  }

  async #afterSend(outcome: SendOutcome, target: { kind: "verdict"; record: VerdictRecord; view: ValidatorSetView } | { kind: "batch"; record: BatchRecord; view: ValidatorSetView }): Promise<Outcome> {
    const { metrics, store, log } = this.#o;
    const mode = target.kind === "verdict" ? "single" : "batch";
    const id = target.kind === "verdict" ? target.record.verdictId : target.record.batchId;
    if (outcome.ok) {
      metrics.submissions.inc({ mode, outcome: "finalized" });
      metrics.gasUsed.inc({ mode }, Number(outcome.gasUsed));
      return target.kind === "verdict" ? this.#finalized(target.record, outcome.hash, "finalized") : this.#batchFinalized(target.record, outcome.hash);
    }
    const name = outcome.revert?.errorName;
    if (name === "AttestationRegistryVerdictAlreadyFinalized" || name === "AttestationRegistryBatchAlreadyFinalized") {
      metrics.submissions.inc({ mode, outcome: "already_finalized" });
      return target.kind === "verdict" ? this.#finalized(target.record, outcome.hash, "already_finalized") : this.#batchFinalized(target.record, outcome.hash);
    }
    if (name === "AttestationRegistryUnknownSigner" || name === "AttestationRegistryInactiveValidator") {
      // A signer stopped counting between signing and sending: drop its signature and collect another.
      const signer = outcome.revert?.args[0] as Address;
      await store.dropSignature(id, getAddress(signer));
      this.#o.chain.invalidateValidators();
      metrics.submissions.inc({ mode, outcome: "retried" });
      await this.#backToSigning(target);
      return "retry";
    }
    if (name === "AttestationRegistryTooFewSigners" || name === "AttestationRegistryThresholdNotSet") {
      this.#o.chain.invalidateValidators();
      metrics.submissions.inc({ mode, outcome: "retried" });
      await this.#backToSigning(target);
      return "retry";
    }
    if (outcome.revert === undefined && outcome.error.retryable) {
      metrics.submissions.inc({ mode, outcome: "retried" });
      return "retry";
    }
    metrics.submissions.inc({ mode, outcome: "reverted" });
    const error = name === "AttestationRegistryVerdictExpired" ? expiredErrorJson() : errorJson(outcome.error);
    log.warn("finalization refused by the chain", { verdictId: target.kind === "verdict" ? id : undefined, batchId: target.kind === "batch" ? id : undefined, errorName: name, code: error.code });
    if (target.kind === "verdict") return this.#reject([id], error);
    await store.setBatchState(id, "rejected", { error });
    return this.#finish(await store.batchVerdictIds(id));
  }

  async #backToSigning(target: { kind: "verdict"; record: VerdictRecord } | { kind: "batch"; record: BatchRecord }): Promise<void> {
    if (target.kind === "verdict") await this.#o.store.setVerdictState(target.record.verdictId, "pending");
    else await this.#o.store.setBatchState(target.record.batchId, "signing");
  }

  async #finalized(record: VerdictRecord, txHash: Hex | undefined, how: "finalized" | "already_finalized"): Promise<Outcome> {
    await this.#o.store.setVerdictState(record.verdictId, "finalized", txHash ? { txHash } : {});
    this.#o.metrics.verdictsFinalized.inc({ mode: "single" });
    this.#o.log.info("verdict finalized", { verdictId: record.verdictId, txHash, outcome: how });
    this.#o.onFinalized?.(record.verdictId, verdictFromJson(record.verdict));
    return this.#finish([record.verdictId]);
  }

  async #reject(verdictIds: Hex[], error: ErrorJson): Promise<Outcome> {
    for (const id of verdictIds) await this.#o.store.setVerdictState(id, "rejected", { error });
    this.#o.log.warn("verdict rejected", { verdictIds, code: error.code });
    return this.#finish(verdictIds);
  }

  #finish(verdictIds: Hex[]): Outcome {
    this.#settle(verdictIds);
    return "done";
  }

  // ===== Batches =====

  #armBatchTimer(): void {
    if (this.#batchTimer || this.#stopping) return;
    this.#batchTimer = setTimeout(() => {
      this.#batchTimer = undefined;
      this.#flushBatch();
    }, this.#o.batch.maxWaitMs);
  }

  #flushBatch(): void {
    if (this.#stopping) return;
    while (this.#batchQueue.length > 0) {
      const take = this.#batchQueue.splice(0, this.#o.batch.maxItems);
      void this.#createBatch(take).catch((error: unknown) => {
        // Nothing was assigned (the assignment is one transaction): queue the verdicts again.
        this.#o.log.warn("could not form a batch; retrying", { err: error, count: take.length });
        this.#batchQueue.unshift(...take);
        this.#armBatchTimer();
      });
      if (this.#batchQueue.length < this.#o.batch.maxItems) break;
    }
    if (this.#batchQueue.length > 0) this.#armBatchTimer();
    else if (this.#batchTimer) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = undefined;
    }
    this.#updateDepth();
  }

  async #createBatch(items: Array<{ verdictId: Hex; verdict: Verdict }>): Promise<void> {
    const batch = groupVerdicts(items);
    const own = await this.#o.signer.signBatch(batch.root, batch.count);
    await this.#o.store.createBatch(batch.root, batch.groups, batch.verdictIds, own);
    this.#o.log.info("batch formed", { batchId: batch.root, items: batch.count, groups: batch.groups.length });
    this.#scheduleBatch(batch.root, 0);
  }

  async #processBatch(batchId: Hex): Promise<Outcome> {
    const { store, chain, metrics, log } = this.#o;
    const record = await store.batch(batchId);
    if (!record) return "done";
    const ids = await store.batchVerdictIds(batchId);
    if (record.state === "finalized" || record.state === "rejected") return this.#finish(ids);
    if (await this.#readBatchOnChain(batchId)) return this.#batchFinalized(record, record.txHash ?? undefined);
    const now = chain.now();
    if (record.groups.some((g) => g.expiresAt <= now)) {
      await store.setBatchState(batchId, "rejected", { error: expiredErrorJson() });
      return this.#finish(ids);
    }
    const view = await chain.validatorSet();
    let signatures = await this.#countingSignatures(batchId, view);
    if (signatures.length < view.threshold) {
      const submissions: Submission[] = [];
      for (const id of ids) {
        const s = await this.#submissionFor(id);
        if (!s) {
          await store.dissolveBatch(batchId, new Set([id]));
          return this.#requeueDissolved(ids, new Set([id]));
        }
        submissions.push(s);
      }
      const { wire, blobs } = encodeSubmissions(submissions);
      const body = { root: batchId, count: record.count, groups: groupsToWire(record.groups), submissions: wire, blobs };
      const started = performance.now();
      const result = await collectSignatures({
        peers: this.#peersToAsk(view, new Set(signatures.map((s) => getAddress(s.signer)))),
        need: view.threshold - signatures.length,
        ask: (peer) => this.#askPeer(peer, "/v1/peer/sign-batch", body),
        check: this.#checker(this.#o.signer.batchDigest(batchId, record.count), view),
        hedgeAfterMs: this.#o.hedgeAfterMs,
        onSignature: (signer, signature) => store.addSignature(batchId, signer, signature),
        onFaulty: (peer, fault) => this.#faulty(peer, fault, { batchId }),
      });
      metrics.quorumSeconds.observe({ mode: "batch" }, (performance.now() - started) / 1000);
      signatures = [...signatures, ...result.signatures];
      if (signatures.length < view.threshold) {
        // Items a peer refused go on alone (where a refusal is final for them); the rest are batched again.
        const refusedItems = new Set(result.refusals.flatMap((r) => (r.refusal.refused ?? []).map((i) => ids[i.index]).filter((x): x is Hex => x !== undefined)));
        if (refusedItems.size > 0 || this.#quorumRefused(view, result)) {
          log.warn("peers refused items of a batch; splitting it", { batchId, count: refusedItems.size });
          const single = refusedItems.size > 0 ? refusedItems : new Set(ids);
          await store.dissolveBatch(batchId, single);
          return this.#requeueDissolved(ids, single);
        }
        log.info("batch quorum not reached yet; retrying", { batchId, count: signatures.length, threshold: view.threshold });
        return "retry";
      }
    }
    const packed = packSignatures(signatures.slice(0, view.threshold).map((s) => ({ signer: getAddress(s.signer), signature: s.signature })));
    await store.setBatchState(batchId, "submitting");
    const started = performance.now();
    const outcome = await this.#o.sender.send(
      {
        address: chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "finalizeBatch",
        args: [record.groups, BigInt(chain.deployment.chainId), chain.deployment.contracts.attestationRegistry, packed],
      },
      { onBroadcast: (hash) => store.setBatchState(batchId, "submitting", { txHash: hash }) },
    );
    metrics.finalizeSeconds.observe({ mode: "batch" }, (performance.now() - started) / 1000);
    return this.#afterSend(outcome, { kind: "batch", record, view });
  }

  async #requeueDissolved(ids: readonly Hex[], single: ReadonlySet<Hex>): Promise<Outcome> {
    for (const id of ids) {
      if (single.has(id)) {
        this.#scheduleVerdict(id, 0);
      } else {
        const v = await this.#o.store.verdict(id);
        if (v) this.#batchQueue.push({ verdictId: id, verdict: verdictFromJson(v.verdict) });
      }
    }
    this.#armBatchTimer();
    return "done";
  }

  async #batchFinalized(record: BatchRecord, txHash: Hex | undefined): Promise<Outcome> {
    await this.#o.store.setBatchState(record.batchId, "finalized", txHash ? { txHash } : {});
    this.#o.metrics.verdictsFinalized.inc({ mode: "batch" }, record.count);
    this.#o.log.info("batch finalized", { batchId: record.batchId, txHash, items: record.count });
    return this.#finish(await this.#o.store.batchVerdictIds(record.batchId));
  }
}
