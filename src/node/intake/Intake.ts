/**
 * Evidence intake, however it arrives (HTTP, an on-chain request, the node's own self-attestation): the
 * node appraises it at once (milliseconds), and either records the refusal under the request id or signs
 * its verdict, writes evidence, verdict and signature to the store, and hands the verdict to the outbox —
 * all before answering. The same request twice (same evidence, key, block, context) is one request.
 */
import type { Hex } from "viem";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Appraiser } from "../appraisal/appraiseSubmission.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import { errorJson } from "../errorJson.ts";
import type { Outbox } from "../outbox/Outbox.ts";
import { evidenceLinkOf, signedRecordOf } from "../appraisal/appraisalRecords.ts";
import type { VerdictSigner } from "../quorum/verdictSigner.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import { verdictToJson, type ErrorJson, type PublicStatus, type RequestSource, type Submission, type VerdictMode } from "../types.ts";

export interface IntakeOptions {
  appraiser: Appraiser;
  store: NodeStore;
  outbox: Outbox;
  signer: VerdictSigner;
  log: NodeLogger;
  /** Batch mode for evidence posted over HTTP. */
  batch: boolean;
}

export type IntakeResult =
  | { outcome: "accepted"; requestId: Hex; verdictId: Hex; status: PublicStatus }
  | { outcome: "refused"; requestId: Hex; error: ErrorJson }
  /** Not recorded: an outage (RPC, collateral service, store) — the same request may succeed later. */
  | { outcome: "unavailable"; requestId?: Hex; error: unknown };

export class Intake {
  readonly #o: IntakeOptions;
  readonly #inFlight = new Map<Hex, Promise<IntakeResult>>();

  constructor(options: IntakeOptions) {
    this.#o = options;
  }

  /**
   * `issuedAt` fixes the verdict's issue time (on-chain requests use their block's timestamp, so every
   * validator that picks the request up proposes the same verdict and a second finalization is a no-op).
   */
  submit(submission: Submission, source: RequestSource, options: { issuedAt?: bigint } = {}): Promise<IntakeResult> {
    let requestId: Hex;
    try {
      requestId = this.#o.appraiser.identify(submission).requestId;
    } catch (error) {
      if (isKeepledgerError(error) && error.stage !== "infrastructure") {
        return Promise.resolve({ outcome: "refused", requestId: "0x" as Hex, error: errorJson(error) });
      }
      return Promise.resolve({ outcome: "unavailable", error });
    }
    const running = this.#inFlight.get(requestId);
    if (running) return running;
    const work = this.#submit(requestId, submission, source, options).finally(() => this.#inFlight.delete(requestId));
    this.#inFlight.set(requestId, work);
    return work;
  }

  async #submit(requestId: Hex, submission: Submission, source: RequestSource, options: { issuedAt?: bigint }): Promise<IntakeResult> {
    const { store, log } = this.#o;
    const existing = await store.request(requestId);
    if (existing && existing.status !== "rejected" && existing.verdictId) {
      return { outcome: "accepted", requestId, verdictId: existing.verdictId, status: existing.status };
    }
    let appraisal;
    try {
      appraisal = await this.#o.appraiser.appraise(submission, {
        role: "collector",
        ...(options.issuedAt !== undefined ? { issuedAt: options.issuedAt } : {}),
      });
    } catch (error) {
      if (!isKeepledgerError(error) || error.stage === "infrastructure") {
        log.warn("evidence could not be appraised now", { requestId, err: error });
        return { outcome: "unavailable", requestId, error };
      }
      const { evidenceHash } = this.#o.appraiser.identify(submission);
      const json = errorJson(error);
      await store.reject({ requestId, workloadId: submission.workloadId, evidenceHash, source }, json);
      // Everything goes to the logger; the profile's redaction layer decides what is written.
      log.info("evidence refused", {
        requestId,
        workloadId: submission.workloadId,
        evidenceHash,
        code: error.code,
        err: error,
        evidence: submission.evidence,
        publicKey: submission.subjectPublicKey,
      });
      return { outcome: "refused", requestId, error: json };
    }
    // Own verdicts must be stored to be attached, and on-chain requests may be taken over by another
    // validator proposing the same verdict: both finalize alone, where a duplicate is a no-op.
    const mode: VerdictMode = this.#o.batch && source === "http" ? "batch" : "single";
    // In batch mode the collector signs the batch root, not each verdict (it signs one if the verdict has
    // to finalize alone after all).
    const own = mode === "single" ? await this.#o.signer.signVerdict(appraisal.verdict) : undefined;
    await store.accept({
      requestId,
      workloadId: appraisal.verdict.workloadId,
      source,
      verdictId: appraisal.verdictId,
      verdict: verdictToJson(appraisal.verdict),
      mode,
      evidence: appraisal.evidence,
      collateral: appraisal.collateral,
      link: evidenceLinkOf(appraisal),
      signed: signedRecordOf(appraisal),
      ...(own ? { signature: own } : {}),
    });
    if (appraisal.tcbDowngrade) {
      log.warn("accepted evidence that newer TCB Info downgrades; the grace period still runs", {
        verdictId: appraisal.verdictId,
        graceEndsAt: appraisal.tcbDowngrade.graceEndsAt,
        tcbStatus: appraisal.verified.tcb.status,
      });
    }
    log.info("evidence accepted", {
      requestId,
      verdictId: appraisal.verdictId,
      workloadId: appraisal.verdict.workloadId,
      subject: appraisal.verdict.subject,
      tee: appraisal.verified.tee,
      tcbStatus: appraisal.verified.tcb.status,
      mode,
      claims: appraisal.verified.claims,
      platform: appraisal.verified.platform,
      advisoryIds: appraisal.verified.tcb.advisoryIds,
      publicKey: appraisal.subjectPublicKey,
      evidence: appraisal.evidence,
    });
    this.#o.outbox.add(appraisal.verdictId, appraisal.verdict, mode, {
      ...submission,
      evidence: appraisal.evidence,
      collateral: appraisal.collateral,
    });
    return { outcome: "accepted", requestId, verdictId: appraisal.verdictId, status: "pending" };
  }
}
