/**
 * The collector's reaction when peers refuse its collateral as superseded or stale (docs/node.md,
 * "Collateral independence and the floor"): a peer that holds a newer, verified CRL, TCB Info or QE
 * Identity never signs on the older one, so without a reaction the collector would be refused until its
 * own cache expires. The healer treats the documents a refusal shows (`details.superseding`) as supplied
 * collateral — untrusted, verified to the pinned roots like any posted file — asks the node's own sources
 * to bypass their caches once, and re-appraises the request. A new verdict replaces the pending one
 * (NodeStore.supersede, once, in one transaction); a refusal of the evidence by the newer collateral
 * (CERT_REVOKED, a revoked TCB) refuses the request; documents that prove nothing (forged, older, the
 * same) change nothing. At most `maxHeals` re-appraisals per request, counted in the store before each
 * one, so that a lying peer cannot keep the collector re-appraising, across restarts either.
 */
import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { PolicyError, declaredErrorCodes, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Verdict } from "@keepledger/sdk/internal/ids/index";
import { UNPROVEN_OWN_COLLATERAL, type Appraisal, type Appraiser } from "../appraisal/appraiseSubmission.ts";
import { dedupeFiles } from "../appraisal/collateralFiles.ts";
import type { HealedCollateral } from "../appraisal/HealedCollateral.ts";
import { SUPERSEDING_REFUSALS, supersedingFromDetails } from "../appraisal/supersedingDocuments.ts";
import { NODE_CODES } from "../codes.ts";
import { errorJson } from "../errorJson.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import { evidenceLinkOf, signedRecordOf } from "../appraisal/appraisalRecords.ts";
import type { PeerRefusal } from "../peer/peerProtocol.ts";
import type { VerdictSigner } from "../quorum/verdictSigner.ts";
import type { NodeStore, VerdictRecord } from "../store/NodeStore.ts";
import { verdictFromJson, verdictToJson, type CollateralFile, type ErrorJson, type Submission } from "../types.ts";

export interface CollateralHealerOptions {
  appraiser: Appraiser;
  store: NodeStore;
  signer: VerdictSigner;
  log: NodeLogger;
  metrics: NodeMetrics;
  /** Re-appraisals per request at most. Default 2. */
  maxHeals?: number;
  /** Distinct sets of shown documents tried per re-appraisal (one per refusing peer). Default 3. */
  maxOffers?: number;
  /** Where documents a heal verified and used are kept, as one of the appraiser's own sources. */
  healed?: HealedCollateral;
}

export function defaultCollateralHealerOptions(): Required<Pick<CollateralHealerOptions, "maxHeals" | "maxOffers">> {
  return { maxHeals: 2, maxOffers: 3 };
}

export type HealOutcome =
  /** The request's verdict is now `verdictId` (the old one superseded, its signatures discarded). */
  | { kind: "superseded"; verdictId: Hex; verdict: Verdict; submission: Submission }
  /** The newer collateral refuses the evidence: the request is refused with this error. */
  | { kind: "refused"; error: ErrorJson }
  /** Nothing changed (documents unproven, older or the same; or the request's heals are used up): the refusals stand. */
  | { kind: "unchanged" }
  /** A source or the store failed: try again later. */
  | { kind: "retry" };

type Outcome = "superseded" | "refused" | "unchanged" | "retry" | "limit";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Whether a peer refusal says the collector's collateral is not the newest (and may show the newer documents). */
export function isSupersedingRefusal(refusal: PeerRefusal): boolean {
  return SUPERSEDING_REFUSALS.has(refusal.error.code) || supersedingFromDetails(refusal.error.details).length > 0;
}

export class CollateralHealer {
  readonly #o: CollateralHealerOptions;
  readonly #maxHeals: number;
  readonly #maxOffers: number;

  constructor(options: CollateralHealerOptions) {
    this.#o = options;
    this.#maxHeals = options.maxHeals ?? defaultCollateralHealerOptions().maxHeals;
    this.#maxOffers = options.maxOffers ?? defaultCollateralHealerOptions().maxOffers;
  }

  /**
   * Reacts to the refusals a pending single verdict got; undefined when none says the collateral is
   * superseded or stale. `submission` is what the collector sent its peers (the collateral it verified with).
   */
  async heal(
    record: VerdictRecord,
    submission: Submission,
    refusals: ReadonlyArray<{ peer: string; refusal: PeerRefusal }>,
  ): Promise<HealOutcome | undefined> {
    const triggers = refusals.filter((r) => isSupersedingRefusal(r.refusal));
    if (triggers.length === 0) return undefined;
    const reason = reasonOf(triggers[0]!.refusal.error.code);
    const { store, log } = this.#o;
    const count = await store.countCollateralHeal(record.requestId);
    if (count > this.#maxHeals) {
      if (count === this.#maxHeals + 1)
        log.warn("peers still refuse this verdict's collateral; no more re-appraisals for it", {
          verdictId: record.verdictId,
          reason,
          heals: this.#maxHeals,
        });
      return this.#done(reason, "limit", { kind: "unchanged" });
    }
    const request = await store.request(record.requestId);
    // On-chain requests keep their block's issuedAt, so that every validator taking them up proposes alike.
    const issuedAt = request?.source === "onchain" ? verdictFromJson(record.verdict).issuedAt : undefined;
    // Each refusing peer's documents are tried on their own (a forged one must not mask a genuine one),
    // then the node's own sources alone, freshly fetched.
    const offers = distinctOffers(triggers.map((t) => supersedingFromDetails(t.refusal.error.details))).slice(0, this.#maxOffers);
    for (const offer of [...offers, []]) {
      let appraisal: Appraisal;
      try {
        appraisal = await this.#o.appraiser.appraise(
          { ...submission, collateral: dedupeFiles([...submission.collateral, ...offer]) },
          { role: "collector", refreshSources: true, ...(issuedAt !== undefined ? { issuedAt } : {}) },
        );
      } catch (error) {
        if (!isKeepledgerError(error) || error.stage === "infrastructure") {
          log.warn("could not re-appraise with newer collateral now; retrying", { verdictId: record.verdictId, reason, err: error });
          return this.#done(reason, "retry", { kind: "retry" });
        }
        // A shown document that does not verify (forged, malformed, out of its dates) proves nothing.
        if (offer.length > 0 && UNPROVEN_OWN_COLLATERAL.has(error.code)) {
          log.warn("a peer showed collateral that does not verify; ignored", {
            verdictId: record.verdictId,
            reason,
            code: error.code,
            peers: triggers.map((t) => t.peer),
          });
          continue;
        }
        log.warn("newer collateral refuses the evidence", { verdictId: record.verdictId, reason, code: error.code });
        return this.#done(reason, "refused", { kind: "refused", error: errorJson(error) });
      }
      // The same verdict but for its time (a re-appraisal is issued now): these documents changed nothing.
      if (sameButTime(appraisal.verdict, verdictFromJson(record.verdict))) continue;
      if (offer.length > 0) this.#o.healed?.add(offer);
      return this.#supersede(record, submission, appraisal, reason, request?.source ?? "http");
    }
    log.info("peers' newer collateral changed nothing; their refusals stand", { verdictId: record.verdictId, reason });
    return this.#done(reason, "unchanged", { kind: "unchanged" });
  }

  async #supersede(
    record: VerdictRecord,
    submission: Submission,
    a: Appraisal,
    reason: string,
    source: "http" | "onchain" | "self",
  ): Promise<HealOutcome> {
    const own = await this.#o.signer.signVerdict(a.verdict);
    const replaced = await this.#o.store.supersede(
      record.verdictId,
      {
        requestId: record.requestId,
        workloadId: a.verdict.workloadId,
        source,
        verdictId: a.verdictId,
        verdict: verdictToJson(a.verdict),
        mode: "single",
        evidence: a.evidence,
        collateral: a.collateral,
        link: evidenceLinkOf(a),
        signed: signedRecordOf(a),
        signature: own,
      },
      errorJson(
        new PolicyError(
          NODE_CODES.NODE_VERDICT_SUPERSEDED,
          "re-appraised with newer collateral a peer showed; replaced by another verdict",
          {
            details: { supersededBy: a.verdictId, reason, collateralHash: a.verdict.collateralHash },
          },
        ),
      ),
    );
    if (!replaced) return this.#done(reason, "unchanged", { kind: "unchanged" });
    this.#o.log.info("verdict superseded: re-appraised with newer collateral", {
      verdictId: record.verdictId,
      supersededBy: a.verdictId,
      reason,
      collateralHash: a.verdict.collateralHash,
      tcbStatus: a.verified.tcb.status,
    });
    return this.#done(reason, "superseded", {
      kind: "superseded",
      verdictId: a.verdictId,
      verdict: a.verdict,
      submission: { ...submission, evidence: a.evidence, collateral: a.collateral },
    });
  }

  #done<T extends HealOutcome>(reason: string, outcome: Outcome, result: T): T {
    this.#o.metrics.collateralRefreshes.inc({ reason, outcome });
    return result;
  }
}

/** A peer's refusal code as a metric label: a code keepledger declares, else "other" (a peer must not mint label values). */
function reasonOf(code: string): string {
  return declaredErrorCodes().has(code) ? code : "other";
}

/** Whether two verdicts agree in every field but issuedAt and expiresAt. */
export function sameButTime(a: Verdict, b: Verdict): boolean {
  const fields = [
    "workloadId",
    "measurementHash",
    "tee",
    "tcbStatus",
    "subject",
    "evidenceHash",
    "collateralHash",
    "freshnessBlock",
  ] as const;
  return fields.every((f) => String(a[f]).toLowerCase() === String(b[f]).toLowerCase());
}

/** Non-empty sets of files, without repeats (the same documents shown by several peers are tried once). */
function distinctOffers(offers: ReadonlyArray<readonly CollateralFile[]>): CollateralFile[][] {
  const seen = new Set<string>();
  const out: CollateralFile[][] = [];
  for (const files of offers) {
    if (files.length === 0) continue;
    const key = files
      .map((f) => sha(f.bytes))
      .sort()
      .join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([...files]);
  }
  return out;
}
