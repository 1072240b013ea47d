/**
 * Batch mode: batch-mode verdicts wait in a queue until `batch.maxItems` of them or `batch.maxWaitMs`
 * have gathered; they are grouped (groupVerdicts.ts), this node signs the root and the batch is stored
 * with its items atomically. A batch is then driven like a single verdict — settled if the chain already
 * finalized it, rejected once a group expired, root signatures collected from peers, finalizeBatch — and
 * when peers refuse items, those go on alone as single verdicts and the rest are batched again.
 */
import { getAddress, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { packSignatures } from "../../chain/signVerdict.ts";
import { chainError } from "../../chain/transactions.ts";
import { expiredErrorJson } from "../errorJson.ts";
import { encodeSubmissions, groupsToWire } from "../peer/peerProtocol.ts";
import { collectSignatures } from "../quorum/collectSignatures.ts";
import type { BatchRecord } from "../store/NodeStore.ts";
import { verdictFromJson, type Submission } from "../types.ts";
import { afterSend } from "./afterSend.ts";
import { groupVerdicts } from "./groupVerdicts.ts";
import type { BatchItem, OutboxOptions, OutboxScheduler, Outcome } from "./outboxTypes.ts";
import type { OutboxQuorum } from "./OutboxQuorum.ts";

export class BatchMachine {
  readonly #o: OutboxOptions;
  readonly #scheduler: OutboxScheduler;
  readonly #quorum: OutboxQuorum;
  #queue: BatchItem[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OutboxOptions, scheduler: OutboxScheduler, quorum: OutboxQuorum) {
    this.#o = options;
    this.#scheduler = scheduler;
    this.#quorum = quorum;
  }

  /** Verdicts waiting to be put in a batch. */
  queued(): number {
    return this.#queue.length;
  }

  /** Puts verdicts in the queue without starting the wait (start() arms it once, after reloading them all). */
  restore(item: BatchItem): void {
    this.#queue.push(item);
  }

  /** Takes a newly accepted batch-mode verdict: a full queue forms a batch at once, else the wait starts. */
  add(item: BatchItem): void {
    this.#queue.push(item);
    if (this.#queue.length >= this.#o.batch.maxItems) this.#flush();
    else this.arm();
  }

  /** Starts the `maxWaitMs` wait after which the queue forms a batch, unless it is running already. */
  arm(): void {
    if (this.#timer || this.#scheduler.stopping()) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#o.batch.maxWaitMs);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  #flush(): void {
    if (this.#scheduler.stopping()) return;
    while (this.#queue.length > 0) {
      const take = this.#queue.splice(0, this.#o.batch.maxItems);
      void this.#createBatch(take).catch((error: unknown) => {
        // Nothing was assigned (the assignment is one transaction): queue the verdicts again.
        this.#o.log.warn("could not form a batch; retrying", { err: error, count: take.length });
        this.#queue.unshift(...take);
        this.arm();
      });
      if (this.#queue.length < this.#o.batch.maxItems) break;
    }
    if (this.#queue.length > 0) this.arm();
    else if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#scheduler.updateDepth();
  }

  async #createBatch(items: BatchItem[]): Promise<void> {
    const batch = groupVerdicts(items);
    const own = await this.#o.signer.signBatch(batch.root, batch.count);
    await this.#o.store.createBatch(batch.root, batch.groups, batch.verdictIds, own);
    this.#o.log.info("batch formed", { batchId: batch.root, items: batch.count, groups: batch.groups.length });
    this.#scheduler.scheduleBatch(batch.root, 0);
  }

  async process(batchId: Hex): Promise<Outcome> {
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
    let signatures = await this.#quorum.countingSignatures(batchId, view);
    if (signatures.length < view.threshold) {
      const submissions: Submission[] = [];
      for (const id of ids) {
        const s = await this.#scheduler.submissionFor(id);
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
        peers: this.#quorum.peersToAsk(view, new Set(signatures.map((s) => getAddress(s.signer)))),
        need: view.threshold - signatures.length,
        ask: (peer) => this.#quorum.askPeer(peer, "/v1/peer/sign-batch", body),
        check: this.#quorum.checker(this.#o.signer.batchDigest(batchId, record.count), view),
        hedgeAfterMs: this.#o.hedgeAfterMs,
        onSignature: (signer, signature) => store.addSignature(batchId, signer, signature),
        onFaulty: (peer, fault) => this.#quorum.faulty(peer, fault, { batchId }),
      });
      metrics.quorumSeconds.observe({ mode: "batch" }, (performance.now() - started) / 1000);
      signatures = [...signatures, ...result.signatures];
      if (signatures.length < view.threshold) {
        // Items a peer refused go on alone (where a refusal is final for them); the rest are batched again.
        const refusedItems = new Set(
          result.refusals.flatMap((r) => (r.refusal.refused ?? []).map((i) => ids[i.index]).filter((x): x is Hex => x !== undefined)),
        );
        if (refusedItems.size > 0 || this.#quorum.quorumRefused(view, result)) {
          log.warn("peers refused items of a batch; splitting it", { batchId, count: refusedItems.size });
          const single = refusedItems.size > 0 ? refusedItems : new Set(ids);
          await store.dissolveBatch(batchId, single);
          return this.#requeueDissolved(ids, single);
        }
        log.info("batch quorum not reached yet; retrying", { batchId, count: signatures.length, threshold: view.threshold });
        return "retry";
      }
    }
    const packed = packSignatures(
      signatures.slice(0, view.threshold).map((s) => ({ signer: getAddress(s.signer), signature: s.signature })),
    );
    this.#o.failpoints?.hit("outbox.afterSignatures");
    await store.setBatchState(batchId, "submitting");
    const started = performance.now();
    const outcome = await this.#o.sender.send(
      {
        address: chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "finalizeBatch",
        args: [record.groups, BigInt(chain.deployment.chainId), chain.deployment.contracts.attestationRegistry, packed],
      },
      {
        onBroadcast: async (hash) => {
          await store.setBatchState(batchId, "submitting", { txHash: hash });
          this.#o.failpoints?.hit("outbox.afterBroadcast");
        },
      },
    );
    if (outcome.ok) this.#o.failpoints?.hit("outbox.afterMined");
    metrics.finalizeSeconds.observe({ mode: "batch" }, (performance.now() - started) / 1000);
    const after = await afterSend(this.#o, outcome, {
      mode: "batch",
      id: batchId,
      backToSigning: () => store.setBatchState(batchId, "signing"),
    });
    switch (after.kind) {
      case "finalized":
        // As for single verdicts: "already finalized" counts once it is `confirmations` deep.
        if (after.how === "already_finalized" && !(await this.#readBatchOnChain(batchId))) return "retry";
        return this.#batchFinalized(record, after.txHash);
      case "retry":
        return "retry";
      case "refused":
        await store.setBatchState(batchId, "rejected", { error: after.error });
        return this.#finish(await store.batchVerdictIds(batchId));
    }
  }

  /** The verdicts `single` names go on alone; the others wait for the next batch. */
  async #requeueDissolved(ids: readonly Hex[], single: ReadonlySet<Hex>): Promise<Outcome> {
    for (const id of ids) {
      if (single.has(id)) {
        this.#scheduler.scheduleVerdict(id, 0);
      } else {
        const v = await this.#o.store.verdict(id);
        if (v) this.#queue.push({ verdictId: id, verdict: verdictFromJson(v.verdict) });
      }
    }
    this.arm();
    return "done";
  }

  /** Whether the batch is finalized in the block `confirmations` deep (what a reorg that shallow cannot undo). */
  async #readBatchOnChain(batchId: Hex): Promise<boolean> {
    try {
      const b = await this.#o.chain.publicClient.readContract({
        blockNumber: (await this.#o.chain.nonceBlock()).number,
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

  async #batchFinalized(record: BatchRecord, txHash: Hex | undefined): Promise<Outcome> {
    await this.#o.store.setBatchState(record.batchId, "finalized", txHash ? { txHash } : {});
    this.#o.metrics.verdictsFinalized.inc({ mode: "batch" }, record.count);
    this.#o.log.info("batch finalized", { batchId: record.batchId, txHash, items: record.count });
    return this.#finish(await this.#o.store.batchVerdictIds(record.batchId));
  }

  #finish(verdictIds: Hex[]): Outcome {
    this.#scheduler.settle(verdictIds);
    return "done";
  }
}
