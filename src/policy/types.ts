import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { TEE_KINDS, type TcbStatus, type TeeKind } from "@keepledger/sdk/internal/kinds/index";
import { factsOf } from "@keepledger/sdk/internal/tee/kindFacts";

import { defaultSgxLaunchPolicy, type SgxLaunchPolicy } from "../tee/sgx/launchPolicy.ts";
import { defaultSnpLaunchPolicy, type AmdProductLineName, type SnpLaunchPolicy } from "../tee/sev-snp/launchPolicy.ts";
import { defaultTdxLaunchPolicy, type TdxLaunchPolicy } from "../tee/tdx/launchPolicy.ts";

export { AMD_PRODUCT_LINES, type AmdProductLineName, type SnpTcbComponents } from "../tee/sev-snp/launchPolicy.ts";
export { SGX_DEFAULT_ALLOWED_ATTRIBUTES } from "../tee/sgx/launchPolicy.ts";
export { TDX_DEFAULT_ALLOWED_TD_ATTRIBUTES } from "../tee/tdx/launchPolicy.ts";

/**
 * A workload's policy: the one TypeScript shape from the chain reading (src/chain/policy.ts decodes the
 * on-chain Policy struct into it) to appraisal, the node, `keepledger audit`, the CLI and the indexer.
 * Durations are seconds as `number`: every clock they are compared with (chain time, issuedAt,
 * expiresAt, TCB Info dates) is unix seconds as a number here, so appraisal does no bigint arithmetic;
 * the codec turns them into uint64 at the chain edge.
 */
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
  /** Launch parameters and firmware levels outside the measurement (docs/evidence/*, "policy"). */
  launch: LaunchPolicy;
}

/**
 * What a policy demands of the platform's launch configuration and firmware beyond the approved
 * measurement, composed of the kinds' parts (src/tee/<kind>/launchPolicy.ts). Every field has a safe
 * default (defaultLaunchPolicy); none is ignored by appraisal.
 */
export type LaunchPolicy = SnpLaunchPolicy & TdxLaunchPolicy & SgxLaunchPolicy;

/** The launch policy a workload gets at registration. */
export function defaultLaunchPolicy(): LaunchPolicy {
  return { ...defaultSnpLaunchPolicy(), ...defaultTdxLaunchPolicy(), ...defaultSgxLaunchPolicy() };
}

/** The policy a workload gets at registration (WorkloadRegistry.registerWorkload). */
export function defaultPolicy(): WorkloadPolicy {
  return {
    // Every kind with a TEE behind it; the debug kind (no TEE) only when a dev policy adds it.
    allowedTees: TEE_KINDS.filter((k) => factsOf(k).vendor !== "none"),
    acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
    dev: false,
    allowUnboundEvidence: false,
    deniedAmdProductLines: [],
    maxEvidenceAge: 3_600,
    verdictLifetime: 7 * 86_400,
    tcbGracePeriod: 0,
    deniedAdvisories: [],
    deniedFmspcs: [],
    launch: defaultLaunchPolicy(),
  };
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
