import type { Hex } from "../util/bytes.ts";
import type { TcbStatus, TeeKind } from "../verify/types.ts";

export const AMD_PRODUCT_LINES = ["Milan", "Genoa", "Turin"] as const;
export type AmdProductLineName = (typeof AMD_PRODUCT_LINES)[number];

/** A workload's platform policy as the contracts hold it, in TypeScript terms. */
export interface WorkloadPolicy {
  allowedTees: TeeKind[];
  acceptedTcbStatuses: TcbStatus[];
  /** Debug evidence (debug TEEs and debug Keeps) is acceptable: development networks only. */
  dev: boolean;
  /** Evidence whose report data binds no key is acceptable (dev only); its verdict gets a key-less pseudo-subject. */
  allowUnboundEvidence: boolean;
  deniedAmdProductLines: AmdProductLineName[];
  /** Seconds: how old the bound block may be when the verdict is issued. */
  maxEvidenceAge: number;
  /** Seconds: the longest a verdict may live. */
  verdictLifetime: number;
  /** Seconds a verdict keeps being countersigned after new collateral would downgrade it. */
  tcbGracePeriod: number;
  /** Intel advisory ids, e.g. "INTEL-SA-00615". */
  deniedAdvisories: string[];
  /** 12 lowercase hex digits each. */
  deniedFmspcs: string[];
}

/** A measurement the workload owner approved, with its raw value (layout per kind in docs/ids.md). */
export interface ApprovedMeasurement {
  hash: Hex;
  tee: TeeKind;
  version: number;
  revoked: boolean;
  value: Hex;
}

/** The fields of a verdict, exactly as signed (see docs/ids.md). Times are unix seconds. */
export interface VerdictFields {
  workloadId: Hex;
  measurementHash: Hex;
  tee: TeeKind;
  tcbStatus: TcbStatus;
  subject: Hex;
  evidenceHash: Hex;
  collateralHash: Hex;
  issuedAt: number;
  expiresAt: number;
  freshnessBlock: number;
}
