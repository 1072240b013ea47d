/** Shapes the node's parts share: what is submitted, verdicts as JSON, and what a status lookup returns. */
import type { Address } from "viem";
import type { StoredCollateralFile } from "../evidenceStore/EvidenceStore.ts";
import type { Verdict } from "../ids/index.ts";
import type { Hex } from "../util/bytes.ts";

/** "keep" binds context 0; "validator" binds the validator context of the subject's on-chain logging profile. */
export type BindingContextKind = "keep" | "validator";

export type CollateralFile = StoredCollateralFile;

/** One piece of evidence to appraise, however it arrived (HTTP, on-chain request, self-attestation, peer). */
export interface Submission {
  workloadId: Hex;
  /** The raw evidence bytes (decoded from base64 or hex). */
  evidence: Uint8Array;
  /** The bound key X‖Y (64 bytes), or null for unbound evidence. */
  subjectPublicKey: Hex | null;
  /** The bound block; 0 for unbound evidence. */
  freshnessBlock: bigint;
  context: BindingContextKind;
  /** Collateral posted with the evidence (or, between peers, every file the collector verified with). */
  collateral: CollateralFile[];
}

export type RequestSource = "http" | "onchain" | "self";
export type VerdictMode = "single" | "batch";

/** The status a client sees. */
export type PublicStatus = "pending" | "finalized" | "rejected";

/** A verdict in JSON: the uint64 fields as decimal strings. */
export interface VerdictJson {
  workloadId: Hex;
  measurementHash: Hex;
  tee: number;
  tcbStatus: number;
  subject: Address;
  evidenceHash: Hex;
  collateralHash: Hex;
  issuedAt: string;
  expiresAt: string;
  freshnessBlock: string;
}

export function verdictToJson(v: Verdict): VerdictJson {
  return {
    workloadId: v.workloadId,
    measurementHash: v.measurementHash,
    tee: v.tee,
    tcbStatus: v.tcbStatus,
    subject: v.subject,
    evidenceHash: v.evidenceHash,
    collateralHash: v.collateralHash,
    issuedAt: v.issuedAt.toString(),
    expiresAt: v.expiresAt.toString(),
    freshnessBlock: v.freshnessBlock.toString(),
  };
}

export function verdictFromJson(j: VerdictJson): Verdict {
  return { ...j, issuedAt: BigInt(j.issuedAt), expiresAt: BigInt(j.expiresAt), freshnessBlock: BigInt(j.freshnessBlock) };
}

export interface ErrorJson {
  code: string;
  message: string;
  stage: string;
  details?: Record<string, unknown>;
}

/** What GET /v1/verdicts/{id} answers. */
export interface VerdictView {
  requestId: Hex;
  status: PublicStatus;
  verdictId?: Hex;
  verdict?: VerdictJson;
  mode?: VerdictMode;
  txHash?: Hex;
  batchId?: Hex;
  /** The Merkle proof of a batched verdict, for materializeVerdict. */
  proof?: Hex[];
  error?: ErrorJson;
}
