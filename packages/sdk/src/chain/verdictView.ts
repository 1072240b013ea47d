/**
 * The node's HTTP answers as the SDK reads them: a verdict in JSON, a refusal's error body and what
 * GET /v1/verdicts/{id} returns. Declared here, below both the node (which writes them) and the SDK
 * (which reads them), so that neither imports the other.
 */
import type { Address } from "../util/hex.ts";
import type { Verdict } from "../ids/index.ts";
import type { Hex } from "../util/bytes.ts";

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
