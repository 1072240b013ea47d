/**
 * A workload's platform policy in the names the rest of keepledger uses, and its on-chain form
 * (the Policy struct of contracts/libraries/KeepTypes.sol: bitmasks and uint64 seconds).
 */
import type { Hex } from "viem";
import { UsageError } from "../errors/index.ts";
import { amdProductLineMask, AMD_PRODUCT_LINE_BITS, tcbStatusMask, tcbStatusesOfMask, teeKindMask, teeKindsOfMask } from "../ids/index.ts";
import { IDS_CODES } from "../ids/codes.ts";
import { defaultLaunchPolicy, type WorkloadPolicy } from "../policy/types.ts";
import type { AmdProductLine } from "../verify/roots.ts";
import type { TcbStatus, TeeKind } from "../verify/types.ts";

export interface PlatformPolicy {
  allowedTees: TeeKind[];
  acceptedTcbStatuses: TcbStatus[];
  /** Debug evidence and the debug kind allowed. Only on registries deployed allowing dev policies. */
  dev: boolean;
  /** Accept evidence that binds no key (verdicts then name a key-less pseudo-subject). Needs dev. */
  allowUnboundEvidence: boolean;
  deniedAmdProductLines: AmdProductLine[];
  /** Seconds. */
  maxEvidenceAge: bigint;
  verdictLifetime: bigint;
  tcbGracePeriod: bigint;
  /** Advisory ids such as "INTEL-SA-00615". */
  deniedAdvisories: string[];
  /** FMSPCs as 12 lowercase hex digits. */
  deniedFmspcs: string[];
}

/** The on-chain Policy struct, as viem encodes and decodes it. */
export interface ChainPolicy {
  allowedTees: number;
  acceptedTcbStatuses: number;
  dev: boolean;
  allowUnboundEvidence: boolean;
  deniedAmdProductLines: number;
  maxEvidenceAge: bigint;
  verdictLifetime: bigint;
  tcbGracePeriod: bigint;
  deniedAdvisories: readonly string[];
  deniedFmspcs: readonly Hex[];
}

/** The policy a workload gets at registration (WorkloadRegistry.registerWorkload). */
export function defaultPolicy(): PlatformPolicy {
  return {
    allowedTees: ["sgx", "tdx", "sev-snp", "nitro"],
    acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
    dev: false,
    allowUnboundEvidence: false,
    deniedAmdProductLines: [],
    maxEvidenceAge: 3_600n,
    verdictLifetime: 7n * 86_400n,
    tcbGracePeriod: 0n,
    deniedAdvisories: [],
    deniedFmspcs: [],
  };
}

export function toChainPolicy(p: PlatformPolicy): ChainPolicy {
  return {
    allowedTees: teeKindMask(p.allowedTees),
    acceptedTcbStatuses: tcbStatusMask(p.acceptedTcbStatuses),
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: amdProductLineMask(p.deniedAmdProductLines),
    maxEvidenceAge: p.maxEvidenceAge,
    verdictLifetime: p.verdictLifetime,
    tcbGracePeriod: p.tcbGracePeriod,
    deniedAdvisories: [...p.deniedAdvisories],
    deniedFmspcs: p.deniedFmspcs.map((f) => {
      if (!/^[0-9a-fA-F]{12}$/.test(f)) {
        throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `an FMSPC is 12 hex digits, got "${f}"`, { at: { field: "deniedFmspcs" }, details: { got: f } });
      }
      return `0x${f.toLowerCase()}` as Hex;
    }),
  };
}

export function fromChainPolicy(p: ChainPolicy): PlatformPolicy {
  return {
    allowedTees: teeKindsOfMask(p.allowedTees),
    acceptedTcbStatuses: tcbStatusesOfMask(p.acceptedTcbStatuses),
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: (Object.keys(AMD_PRODUCT_LINE_BITS) as AmdProductLine[]).filter(
      (line) => (p.deniedAmdProductLines & AMD_PRODUCT_LINE_BITS[line]) !== 0,
    ),
    maxEvidenceAge: p.maxEvidenceAge,
    verdictLifetime: p.verdictLifetime,
    tcbGracePeriod: p.tcbGracePeriod,
    deniedAdvisories: [...p.deniedAdvisories],
    deniedFmspcs: p.deniedFmspcs.map((f) => f.slice(2).toLowerCase()),
  };
}

/** The WorkloadPolicy (src/policy) form of an on-chain policy: what appraisal reads. */
export function workloadPolicyOf(p: ChainPolicy): WorkloadPolicy {
  const policy = fromChainPolicy(p);
  return {
    allowedTees: policy.allowedTees,
    acceptedTcbStatuses: policy.acceptedTcbStatuses,
    dev: policy.dev,
    allowUnboundEvidence: policy.allowUnboundEvidence,
    deniedAmdProductLines: policy.deniedAmdProductLines,
    maxEvidenceAge: Number(policy.maxEvidenceAge),
    verdictLifetime: Number(policy.verdictLifetime),
    tcbGracePeriod: Number(policy.tcbGracePeriod),
    deniedAdvisories: policy.deniedAdvisories,
    deniedFmspcs: policy.deniedFmspcs,
    // TODO(issue 10): read from the on-chain Policy once the contract carries it.
    launch: defaultLaunchPolicy(),
  };
}
