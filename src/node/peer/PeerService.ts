/**
 * The peer side of the quorum: another validator (the collector) proposes a verdict — or a batch — with
 * the evidence, its binding inputs and the collateral it used. This node appraises every item itself, as
 * of its own view of the chain, and signs exactly the proposed fields only when its own appraisal yields
 * the same verdict; issuedAt may differ from its own clock by a bounded skew, and expiresAt is
 * recomputed from that issuedAt. Whatever it signs, it keeps (evidence, collateral, the signed record)
 * for audits and TCB recovery.
 */
import type { Failpoints } from "../failpoints.ts";
import type { Address, Hex } from "viem";
import type { z } from "zod";
import { PolicyError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { batchLeaves, batchRoot, expandVerdictGroups, verdictId, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { evidenceLinkOf, signedRecordOf } from "../appraisal/appraisalRecords.ts";
import type { Appraisal, Appraiser } from "../appraisal/appraiseSubmission.ts";
import type { ChainState } from "../chain/chainState.ts";
import { NODE_CODES } from "../codes.ts";
import type { NodeLogger } from "../logging/createNodeLogger.ts";
import type { NodeMetrics } from "../nodeMetrics.ts";
import type { VerdictSigner } from "../quorum/verdictSigner.ts";
import type { NodeStore } from "../store/NodeStore.ts";
import { verdictFromJson, type Submission } from "../types.ts";
import {
  asVerdictJson,
  decodeSubmissions,
  groupsFromWire,
  type PeerSignatureAnswer,
  type peerBatchRequestSchema,
  type peerSignRequestSchema,
} from "./peerProtocol.ts";

export interface PeerServiceOptions {
  appraiser: Appraiser;
  signer: VerdictSigner;
  store: NodeStore;
  chain: ChainState;
  log: NodeLogger;
  metrics: NodeMetrics;
  maxIssuedAtSkewSeconds: number;
  /** Crash points of the reliability campaign (../failpoints.ts). */
  failpoints?: Failpoints;
  /** An authenticated peer asked this node to sign: it is up (the outbox retries what waits for it). */
  onPeerRequest?: (collector: Address) => void;
}

/** A batch refusal naming the items this node would not sign. */
export class BatchRefusedError extends PolicyError {
  readonly refused: Array<{ index: number; verdictId: Hex; code: string; message: string }>;
  constructor(refused: BatchRefusedError["refused"]) {
    super(NODE_CODES.NODE_PEER_DISAGREES, `${refused.length} item(s) of the batch do not appraise to the proposed verdicts`, {
      details: { refused: refused.map((r) => ({ index: r.index, code: r.code })) },
    });
    this.refused = refused;
  }
}

const FIELDS = [
  "workloadId",
  "measurementHash",
  "tee",
  "tcbStatus",
  "subject",
  "evidenceHash",
  "collateralHash",
  "issuedAt",
  "expiresAt",
  "freshnessBlock",
] as const;

function differences(proposed: Verdict, own: Verdict): Array<{ field: string; proposed: string; own: string }> {
  return FIELDS.filter((f) => String(proposed[f]).toLowerCase() !== String(own[f]).toLowerCase()).map((f) => ({
    field: f,
    proposed: String(proposed[f]),
    own: String(own[f]),
  }));
}

export class PeerService {
  readonly #o: PeerServiceOptions;

  constructor(options: PeerServiceOptions) {
    this.#o = options;
  }

  #checkSkew(issuedAt: bigint): void {
    const now = this.#o.chain.now();
    const skew = issuedAt > now ? issuedAt - now : now - issuedAt;
    if (skew > BigInt(this.#o.maxIssuedAtSkewSeconds)) {
      throw new PolicyError(NODE_CODES.NODE_PEER_ISSUED_AT_SKEW, `issuedAt ${issuedAt} is ${skew} s from this node's chain time ${now}`, {
        details: { issuedAt, now, maxSkewSeconds: this.#o.maxIssuedAtSkewSeconds },
      });
    }
  }

  /** Appraises one item as a peer and checks it yields exactly the proposed verdict. */
  async #appraiseProposed(proposed: Verdict, submission: Submission): Promise<Appraisal> {
    const own = await this.#o.appraiser.appraise(submission, { role: "peer", issuedAt: proposed.issuedAt });
    if (own.verdictId !== verdictId(proposed)) {
      throw new PolicyError(NODE_CODES.NODE_PEER_DISAGREES, "this validator's own appraisal gives a different verdict", {
        details: { differences: differences(proposed, own.verdict) },
      });
    }
    return own;
  }

  async #keep(appraisals: readonly Appraisal[]): Promise<void> {
    await this.#o.store.keepSigned(
      appraisals.map((a) => ({
        evidence: a.evidence,
        collateral: a.collateral,
        link: evidenceLinkOf(a),
        signed: signedRecordOf(a),
      })),
    );
  }

  async signVerdict(collector: Address, request: z.output<typeof peerSignRequestSchema>): Promise<PeerSignatureAnswer> {
    this.#o.onPeerRequest?.(collector);
    const proposed = verdictFromJson(asVerdictJson(request.verdict));
    try {
      this.#checkSkew(proposed.issuedAt);
      const [submission] = decodeSubmissions([request.submission], request.blobs);
      const own = await this.#appraiseProposed(proposed, submission!);
      const signature = await this.#o.signer.signVerdict(proposed);
      await this.#keep([own]);
      this.#o.failpoints?.hit("peer.beforeAnswer");
      if (own.tcbDowngrade) {
        this.#o.log.warn("countersigned evidence that newer TCB Info downgrades; the grace period still runs", {
          verdictId: own.verdictId,
          graceEndsAt: own.tcbDowngrade.graceEndsAt,
        });
      }
      this.#o.metrics.peerSignatures.inc({ route: "sign", outcome: "signed" });
      this.#o.log.info("countersigned a verdict", {
        verdictId: own.verdictId,
        collector,
        tee: own.verified.tee,
        claims: own.verified.claims,
        evidence: own.evidence,
      });
      return signature;
    } catch (error) {
      this.#o.metrics.peerSignatures.inc({ route: "sign", outcome: isKeepledgerError(error) ? error.code : "UNEXPECTED" });
      this.#o.log.info("refused to countersign a verdict", { collector, verdictId: verdictId(proposed), err: error });
      throw error;
    }
  }

  async signBatch(collector: Address, request: z.output<typeof peerBatchRequestSchema>): Promise<PeerSignatureAnswer> {
    this.#o.onPeerRequest?.(collector);
    const groups = groupsFromWire(request.groups);
    const verdicts = expandVerdictGroups(groups);
    try {
      if (verdicts.length !== request.count || request.submissions.length !== verdicts.length) {
        throw new PolicyError(NODE_CODES.NODE_PEER_BATCH_ROOT_MISMATCH, "the batch's count, groups and submissions do not agree", {
          details: { count: request.count, leaves: verdicts.length, submissions: request.submissions.length },
        });
      }
      for (const g of groups) this.#checkSkew(g.issuedAt);
      const root = batchRoot(batchLeaves(groups));
      if (root !== request.root.toLowerCase()) {
        throw new PolicyError(NODE_CODES.NODE_PEER_BATCH_ROOT_MISMATCH, "the proposed root is not the Merkle root of the proposed items", {
          details: { proposed: request.root, computed: root },
        });
      }
      const submissions = decodeSubmissions(request.submissions, request.blobs);
      const appraisals: Appraisal[] = [];
      const refused: BatchRefusedError["refused"] = [];
      for (const [index, proposed] of verdicts.entries()) {
        try {
          appraisals.push(await this.#appraiseProposed(proposed, submissions[index]!));
        } catch (error) {
          if (!isKeepledgerError(error) || error.stage === "infrastructure") throw error;
          refused.push({ index, verdictId: verdictId(proposed), code: error.code, message: error.shortMessage });
        }
      }
      if (refused.length > 0) throw new BatchRefusedError(refused);
      const signature = await this.#o.signer.signBatch(root, verdicts.length);
      await this.#keep(appraisals);
      this.#o.metrics.peerSignatures.inc({ route: "sign-batch", outcome: "signed" });
      this.#o.log.info("countersigned a batch", { batchId: root, collector, items: verdicts.length });
      return signature;
    } catch (error) {
      this.#o.metrics.peerSignatures.inc({ route: "sign-batch", outcome: isKeepledgerError(error) ? error.code : "UNEXPECTED" });
      this.#o.log.info("refused to countersign a batch", { collector, batchId: request.root, err: error });
      throw error;
    }
  }
}
