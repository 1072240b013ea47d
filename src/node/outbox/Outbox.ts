/**
 * The collector's outbox: every accepted verdict is driven from pending to finalized (or rejected) —
 * countersignatures from peers until the threshold, then finalizeVerdict (SingleVerdictMachine.ts), or in
 * batch mode grouped into batches whose root the peers sign and finalizeBatch finalizes (BatchMachine.ts).
 * State lives in the NodeStore, so after a crash start() picks up where it stopped; the chain is asked
 * first (verdictOf / batchOf) so a verdict is finalized once, and a duplicate finalization ("already
 * finalized") settles it instead of looping.
 *
 * This file is the scheduler: which verdict or batch runs next, how many at once, the timers, and the
 * retries with backoff (RPC and peer outages are retried until the verdict would expire; a peer heard
 * from again wakes them, see peerHeardFrom); also the waiters of waitFor() and the submissions kept in
 * memory since intake.
 */
import type { Address, Hex } from "viem";
import { backoffDelay } from "../../chain/retry.ts";
import type { Verdict } from "@keepledger/sdk/internal/ids/index";
import { verdictFromJson, type Submission, type VerdictMode } from "../types.ts";
import { BatchMachine } from "./BatchMachine.ts";
import { loadSubmission } from "./loadSubmission.ts";
import type { OutboxOptions, OutboxScheduler, Outcome } from "./outboxTypes.ts";
import { OutboxQuorum } from "./OutboxQuorum.ts";
import { SingleVerdictMachine } from "./SingleVerdictMachine.ts";

export type { OutboxOptions } from "./outboxTypes.ts";

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #single: SingleVerdictMachine;
  readonly #batch: BatchMachine;
  readonly #quorum: OutboxQuorum;
  readonly #submissions = new Map<Hex, Submission>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #attempts = new Map<string, number>();
  readonly #waiters = new Map<Hex, Set<() => void>>();
  #activeSingles = 0;
  #activeBatches = 0;
  readonly #singleQueue: Hex[] = [];
  readonly #batchRunQueue: Hex[] = [];
  #stopping = false;
  /** Counts peerHeardFrom wake-ups: a run that started before one retries at once, its backoff reset. */
  #wakes = 0;

  constructor(options: OutboxOptions) {
    this.#o = options;
    const scheduler: OutboxScheduler = {
      scheduleVerdict: (verdictId, delayMs) => this.#scheduleVerdict(verdictId, delayMs),
      scheduleBatch: (batchId, delayMs) => this.#scheduleBatch(batchId, delayMs),
      settle: (verdictIds) => this.#settle(verdictIds),
      submissionFor: (verdictId) => this.#submissionFor(verdictId),
      replaceVerdict: (oldId, newId, submission) => this.#replaceVerdict(oldId, newId, submission),
      stopping: () => this.#stopping,
      updateDepth: () => this.#updateDepth(),
    };
    this.#quorum = new OutboxQuorum(options);
    this.#single = new SingleVerdictMachine(options, scheduler, this.#quorum);
    this.#batch = new BatchMachine(options, scheduler, this.#quorum);
  }

  /** Resumes everything the store holds that is neither finalized nor rejected. */
  async start(): Promise<{ verdicts: number; batches: number }> {
    const open = await this.#o.store.openVerdicts();
    const batches = await this.#o.store.openBatches();
    for (const v of open) {
      if (v.mode === "single") this.#scheduleVerdict(v.verdictId, 0);
      else if (v.state === "pending") this.#batch.restore({ verdictId: v.verdictId, verdict: verdictFromJson(v.verdict) });
    }
    for (const b of batches) this.#scheduleBatch(b.batchId, 0);
    if (this.#batch.queued() > 0) this.#batch.arm();
    this.#updateDepth();
    return { verdicts: open.length, batches: batches.length };
  }

  /** Takes a newly accepted verdict (already in the store with this node's signature). */
  add(verdictId: Hex, verdict: Verdict, mode: VerdictMode, submission: Submission): void {
    this.#submissions.set(verdictId, submission);
    if (mode === "single") this.#scheduleVerdict(verdictId, 0);
    else this.#batch.add({ verdictId, verdict });
    this.#updateDepth();
  }

  /**
   * Resolves when the verdict is finalized or rejected, after `timeoutMs`, when `signal` aborts, or when
   * the outbox stops (nothing settles after that): the caller reads the verdict's state to tell which.
   */
  waitFor(verdictId: Hex, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopping || signal?.aborted) return resolve();
      const set = this.#waiters.get(verdictId) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
      this.#waiters.set(verdictId, set);
    });
  }

  /**
   * A peer validator was heard from (it sent this node an authenticated peer request). When the last
   * request to it had failed, the retries waiting out a backoff that grew while it was down (or not
   * listening yet: the first validator of a network attests itself before the others have started) run
   * now, with their backoff reset: the outage they measured is over. Otherwise nothing changes.
   */
  peerHeardFrom(peer: Address): void {
    if (this.#stopping || !this.#quorum.heardFrom(peer)) return;
    this.#wakes++;
    const woken = [...this.#timers.keys()];
    if (woken.length === 0) return;
    this.#o.log.info("a peer that could not be reached is back; retrying now", { peer, count: woken.length });
    for (const key of woken) {
      clearTimeout(this.#timers.get(key));
      this.#timers.delete(key);
      this.#attempts.delete(key);
      const id = key.slice(2) as Hex;
      if (key.startsWith("v:")) this.#scheduleVerdict(id, 0);
      else this.#scheduleBatch(id, 0);
    }
  }

  /**
   * Stops starting new work and waits (at most `timeoutMs`) for what is running; the rest resumes at the
   * next start. Waiters are released: nothing settles in a stopped outbox.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#batch.stop();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const set of this.#waiters.values()) for (const w of [...set]) w();
    this.#waiters.clear();
    await Promise.race([Promise.allSettled([...this.#running.values()]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  depth(): { pending: number; batching: number; running: number } {
    return { pending: this.#singleQueue.length + this.#timers.size, batching: this.#batch.queued(), running: this.#running.size };
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

  async #submissionFor(verdictId: Hex): Promise<Submission | undefined> {
    return this.#submissions.get(verdictId) ?? (await loadSubmission(this.#o.store, verdictId));
  }

  #replaceVerdict(oldId: Hex, newId: Hex, submission: Submission): void {
    this.#submissions.delete(oldId);
    this.#submissions.set(newId, submission);
    const waiters = this.#waiters.get(oldId);
    if (waiters) {
      this.#waiters.delete(oldId);
      const already = this.#waiters.get(newId);
      if (already) for (const w of waiters) already.add(w);
      else this.#waiters.set(newId, waiters);
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
      this.#run(
        `v:${id}`,
        () => this.#single.process(id),
        (delay) => this.#scheduleVerdict(id, delay),
        () => this.#activeSingles--,
      );
    }
    while (!this.#stopping && this.#activeBatches < batchLimit && this.#batchRunQueue.length > 0) {
      const id = this.#batchRunQueue.shift()!;
      if (this.#running.has(`b:${id}`)) continue;
      this.#activeBatches++;
      this.#run(
        `b:${id}`,
        () => this.#batch.process(id),
        (delay) => this.#scheduleBatch(id, delay),
        () => this.#activeBatches--,
      );
    }
    this.#updateDepth();
  }

  #run(key: string, work: () => Promise<Outcome>, retry: (delayMs: number) => void, release: () => void): void {
    const wakes = this.#wakes;
    const task = (async () => {
      let outcome: Outcome;
      try {
        outcome = await work();
      } catch (error) {
        this.#o.log.warn("outbox work failed; retrying", { err: error, reason: key.slice(0, 1) === "v" ? "verdict" : "batch" });
        outcome = "retry";
      }
      // A peer came back while this ran (it may have failed to reach it just before): start the backoff over.
      if (this.#wakes !== wakes) this.#attempts.delete(key);
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
}
