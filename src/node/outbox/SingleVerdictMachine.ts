/**
 * A single verdict's way through the outbox: settled if the store or the chain already says so, rejected
 * once expired, else countersignatures collected from peers until the threshold (a heal when peers refuse
 * its collateral as superseded, a rejection when definitive refusals make the quorum unreachable), then
 * finalizeVerdict and its answer. Each run of process() is one step; the scheduler runs it again on "retry".
 */
import { getAddress, type Hex } from "viem";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { packSignatures } from "../../chain/signVerdict.ts";
import { chainError } from "../../chain/transactions.ts";
import { PolicyError } from "@keepledger/sdk/internal/errors/index";
import { normalizeVerdict } from "@keepledger/sdk/internal/ids/index";
import { NODE_CODES } from "../codes.ts";
import { errorJson, expiredError, quorumRefusedError } from "../errorJson.ts";
import { encodeSubmissions } from "../peer/peerProtocol.ts";
import { collectSignatures, type CollectResult } from "../quorum/collectSignatures.ts";
import type { VerdictRecord } from "../store/NodeStore.ts";
import { verdictFromJson, verdictToJson, type ErrorJson, type Submission } from "../types.ts";
import { afterSend } from "./afterSend.ts";
import type { OutboxOptions, OutboxScheduler, Outcome } from "./outboxTypes.ts";
import type { OutboxQuorum } from "./OutboxQuorum.ts";

export class SingleVerdictMachine {
  readonly #o: OutboxOptions;
  readonly #scheduler: OutboxScheduler;
  readonly #quorum: OutboxQuorum;

  constructor(options: OutboxOptions, scheduler: OutboxScheduler, quorum: OutboxQuorum) {
    this.#o = options;
    this.#scheduler = scheduler;
    this.#quorum = quorum;
  }

  async process(verdictId: Hex): Promise<Outcome> {
    const { store, chain, metrics, log } = this.#o;
    const record = await store.verdict(verdictId);
    if (!record || record.state === "finalized" || record.state === "rejected" || record.state === "superseded")
      return this.#finish([verdictId]);
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
    let signatures = await this.#quorum.countingSignatures(verdictId, view);
    if (signatures.length < view.threshold) {
      const submission = await this.#scheduler.submissionFor(verdictId);
      if (!submission)
        return this.#reject(
          [verdictId],
          errorJson(new PolicyError(NODE_CODES.NODE_QUORUM_REFUSED, "the evidence of this verdict is no longer in the store")),
        );
      const { wire, blobs } = encodeSubmissions([submission]);
      const body = { verdict: verdictToJson(v), submission: wire[0], blobs };
      const started = performance.now();
      const result = await collectSignatures({
        peers: this.#quorum.peersToAsk(view, new Set(signatures.map((s) => getAddress(s.signer)))),
        need: view.threshold - signatures.length,
        ask: (peer) => this.#quorum.askPeer(peer, "/v1/peer/sign", body),
        check: this.#quorum.checker(this.#o.signer.verdictDigest(v), view),
        hedgeAfterMs: this.#o.hedgeAfterMs,
        onSignature: (signer, signature) => store.addSignature(verdictId, signer, signature),
        onFaulty: (peer, fault) => this.#quorum.faulty(peer, fault, { verdictId }),
      });
      metrics.quorumSeconds.observe({ mode: "single" }, (performance.now() - started) / 1000);
      signatures = [...signatures, ...result.signatures];
      if (signatures.length < view.threshold) {
        const healed = await this.#heal(record, submission, result);
        if (healed) return healed;
        if (this.#quorum.quorumRefused(view, result)) {
          return this.#reject([verdictId], quorumRefusedError(result));
        }
        log.info("quorum not reached yet; retrying", {
          verdictId,
          count: signatures.length,
          threshold: view.threshold,
          codes: result.refusals.map((r) => r.refusal.error.code),
        });
        return "retry";
      }
    }
    this.#o.failpoints?.hit("outbox.afterSignatures");
    const packed = packSignatures(
      signatures.slice(0, Math.max(view.threshold, 1)).map((s) => ({ signer: getAddress(s.signer), signature: s.signature })),
    );
    await store.setVerdictState(verdictId, "submitting");
    const started = performance.now();
    const outcome = await this.#o.sender.send(
      {
        address: chain.deployment.contracts.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "finalizeVerdict",
        args: [normalizeVerdict(v), BigInt(chain.deployment.chainId), chain.deployment.contracts.attestationRegistry, packed],
      },
      {
        onBroadcast: async (hash) => {
          await store.setVerdictState(verdictId, "submitting", { txHash: hash });
          this.#o.failpoints?.hit("outbox.afterBroadcast");
        },
      },
    );
    if (outcome.ok) this.#o.failpoints?.hit("outbox.afterMined");
    metrics.finalizeSeconds.observe({ mode: "single" }, (performance.now() - started) / 1000);
    const after = await afterSend(this.#o, outcome, {
      mode: "single",
      id: verdictId,
      backToSigning: () => store.setVerdictState(verdictId, "pending"),
    });
    switch (after.kind) {
      case "finalized":
        // "Already finalized" was read at the pending state: it counts once it is `confirmations` deep
        // (a reorg may yet drop the other transaction; the next run then sends again).
        if (after.how === "already_finalized" && !(await this.#readVerdictOnChain(verdictId))) return "retry";
        return this.#finalized(record, after.txHash, after.how);
      case "retry":
        return "retry";
      case "refused":
        return this.#reject([verdictId], after.error);
    }
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
      case "superseded":
        this.#scheduler.replaceVerdict(record.verdictId, outcome.verdictId, outcome.submission);
        this.#scheduler.scheduleVerdict(outcome.verdictId, 0);
        return "done";
    }
  }

  /** Whether the verdict is finalized in the block `confirmations` deep (what a reorg that shallow cannot undo). */
  async #readVerdictOnChain(verdictId: Hex): Promise<boolean> {
    try {
      const s = await this.#o.chain.publicClient.readContract({
        blockNumber: (await this.#o.chain.nonceBlock()).number,
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
    this.#scheduler.settle(verdictIds);
    return "done";
  }
}
