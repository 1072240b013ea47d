import type { Hex } from "../util/bytes.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";

export const AMD_PRODUCT_LINES = ["Milan", "Genoa", "Turin"] as const;
export type AmdProductLineName = (typeof AMD_PRODUCT_LINES)[number];

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

/** SEV-SNP security patch levels of a TCB_VERSION; fmc exists on Turin only. */
export interface SnpTcbComponents {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  /** Turin only. */
  fmc?: number;
}

/**
 * What a policy demands of the platform's launch configuration and firmware beyond the approved
 * measurement. Every field has a safe default (defaultLaunchPolicy); none is ignored by appraisal.
 */
export interface LaunchPolicy {
  /** Minimum REPORTED_TCB per AMD product line, per component. A line absent here has no minimum (shown as such). */
  minSnpTcb: Partial<Record<AmdProductLineName, SnpTcbComponents>>;
  /** The VMPLs a report may come from (default: [0]). */
  snpAllowedVmpls: number[];
  /** A migration agent may be associated (guest policy MIGRATE_MA; default false). */
  snpAllowMigrateMa: boolean;
  /** The guest policy must forbid SMT (bit 16 clear; default false: SMT allowed). */
  snpRequireSmtOff: boolean;
  /** TD_ATTRIBUTES bits that may be set (DEBUG is ruled by `dev`); default SEPT_VE_DISABLE | PKS | KL. */
  tdxAllowedTdAttributes: bigint;
  /** XFAM bits that may be set (default: all; XFAM selects CPU features, not isolation). */
  tdxAllowedXfam: bigint;
  /**
   * keccak256(MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG) the TD must carry; null: all three must be zero.
   */
  tdxOwnerConfigDigest: Hex | null;
  /** SGX ATTRIBUTES.FLAGS bits that may be set (DEBUG is ruled by `dev`); default INIT | MODE64BIT | KSS | AEXNOTIFY. */
  sgxAllowedAttributes: bigint;
  /** The lowest ISVSVN accepted (default 0). */
  sgxMinIsvSvn: number;
}

/** TD_ATTRIBUTES bits: SEPT_VE_DISABLE (28), PKS (30), KL (31). */
export const TDX_DEFAULT_ALLOWED_TD_ATTRIBUTES = (1n << 28n) | (1n << 30n) | (1n << 31n);
/** SGX ATTRIBUTES.FLAGS bits: INIT (0), MODE64BIT (2), KSS (7), AEXNOTIFY (10). */
export const SGX_DEFAULT_ALLOWED_ATTRIBUTES = (1n << 0n) | (1n << 2n) | (1n << 7n) | (1n << 10n);

/** The launch policy a workload gets at registration. */
export function defaultLaunchPolicy(): LaunchPolicy {
  return {
    minSnpTcb: {},
    snpAllowedVmpls: [0],
    snpAllowMigrateMa: false,
    snpRequireSmtOff: false,
    tdxAllowedTdAttributes: TDX_DEFAULT_ALLOWED_TD_ATTRIBUTES,
    tdxAllowedXfam: 0xffff_ffff_ffff_ffffn,
    tdxOwnerConfigDigest: null,
    sgxAllowedAttributes: SGX_DEFAULT_ALLOWED_ATTRIBUTES,
    sgxMinIsvSvn: 0,
  };
}

/** The policy a workload gets at registration (WorkloadRegistry.registerWorkload). */
export function defaultPolicy(): WorkloadPolicy {
  return {
    allowedTees: ["sgx", "tdx", "sev-snp", "nitro"],
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
