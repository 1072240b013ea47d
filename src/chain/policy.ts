/**
 * A workload's platform policy in the names the rest of keepledger uses, and its on-chain form
 * (the Policy struct of contracts/libraries/KeepTypes.sol: bitmasks and uint64 seconds).
 */
import type { Hex } from "viem";
import { UsageError } from "../errors/index.ts";
import { amdProductLineMask, AMD_PRODUCT_LINE_BITS, tcbStatusMask, tcbStatusesOfMask, teeKindMask, teeKindsOfMask } from "../ids/index.ts";
import { IDS_CODES } from "../ids/codes.ts";
import { CHAIN_CODES } from "./codes.ts";
import { AMD_PRODUCT_LINES, defaultLaunchPolicy, type AmdProductLineName, type LaunchPolicy, type SnpTcbComponents, type WorkloadPolicy } from "../policy/types.ts";
import type { AmdProductLine } from "../pki/roots.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";

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
  /** Launch configuration and firmware levels beyond the measurement (the on-chain LaunchPolicy). */
  launch: LaunchPolicy;
}

/** The on-chain SnpTcb struct: one product line's minimum REPORTED_TCB (all zero: no minimum). */
export interface ChainSnpTcb {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  fmc: number;
}

/** The on-chain LaunchPolicy struct (contracts/libraries/KeepTypes.sol), as viem encodes and decodes it. */
export interface ChainLaunchPolicy {
  snpMinTcbMilan: ChainSnpTcb;
  snpMinTcbGenoa: ChainSnpTcb;
  snpMinTcbTurin: ChainSnpTcb;
  tdxAllowedTdAttributes: bigint;
  tdxAllowedXfam: bigint;
  sgxAllowedAttributes: bigint;
  sgxMinIsvSvn: number;
  /** Bitmask of 1 << VMPL. */
  snpAllowedVmpls: number;
  snpAllowMigrateMa: boolean;
  snpRequireSmtOff: boolean;
  /** Zero: MRCONFIGID, MROWNER and MROWNERCONFIG must all be zero. */
  tdxOwnerConfigDigest: Hex;
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
  launch: ChainLaunchPolicy;
}

const ZERO_DIGEST: Hex = `0x${"00".repeat(32)}`;
const SNP_TCB_FIELDS = ["bootloader", "tee", "snp", "microcode", "fmc"] as const;
const CHAIN_TCB_KEY = { Milan: "snpMinTcbMilan", Genoa: "snpMinTcbGenoa", Turin: "snpMinTcbTurin" } as const satisfies Record<AmdProductLineName, keyof ChainLaunchPolicy>;
const UINT64_MAX = (1n << 64n) - 1n;

function invalid(field: string, message: string, got: unknown): never {
  throw new UsageError(CHAIN_CODES.CHAIN_POLICY_INVALID, message, { at: { field }, details: { got: String(got) } });
}

function checkUint(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) invalid(field, `${field} must be an integer in 0..${max}, got ${value}`, value);
  return value;
}

function checkMask(field: string, value: bigint): bigint {
  if (value < 0n || value > UINT64_MAX) invalid(field, `${field} must fit 64 bits, got ${value}`, value);
  return value;
}

/** The on-chain form of a LaunchPolicy: absent product lines become all-zero TCBs, VMPLs a bitmask. */
export function toChainLaunchPolicy(l: LaunchPolicy): ChainLaunchPolicy {
  const tcb = (line: AmdProductLineName): ChainSnpTcb => {
    const t: SnpTcbComponents | undefined = l.minSnpTcb[line];
    const out: ChainSnpTcb = { bootloader: 0, tee: 0, snp: 0, microcode: 0, fmc: 0 };
    if (!t) return out;
    for (const f of SNP_TCB_FIELDS) out[f] = checkUint(`launch.minSnpTcb.${line}.${f}`, t[f] ?? 0, 255);
    if (line !== "Turin" && out.fmc !== 0) invalid(`launch.minSnpTcb.${line}.fmc`, `only Turin has an fmc component, got fmc=${out.fmc} for ${line}`, out.fmc);
    return out;
  };
  let vmpls = 0;
  for (const v of l.snpAllowedVmpls) vmpls |= 1 << checkUint("launch.snpAllowedVmpls", v, 3);
  if (vmpls === 0) invalid("launch.snpAllowedVmpls", "at least one VMPL (0..3) must be allowed", l.snpAllowedVmpls);
  const digest = l.tdxOwnerConfigDigest ?? ZERO_DIGEST;
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest)) invalid("launch.tdxOwnerConfigDigest", `the owner-config digest is 32 bytes of hex, got "${digest}"`, digest);
  return {
    snpMinTcbMilan: tcb("Milan"),
    snpMinTcbGenoa: tcb("Genoa"),
    snpMinTcbTurin: tcb("Turin"),
    tdxAllowedTdAttributes: checkMask("launch.tdxAllowedTdAttributes", l.tdxAllowedTdAttributes),
    tdxAllowedXfam: checkMask("launch.tdxAllowedXfam", l.tdxAllowedXfam),
    sgxAllowedAttributes: checkMask("launch.sgxAllowedAttributes", l.sgxAllowedAttributes),
    sgxMinIsvSvn: checkUint("launch.sgxMinIsvSvn", l.sgxMinIsvSvn, 0xffff),
    snpAllowedVmpls: vmpls,
    snpAllowMigrateMa: l.snpAllowMigrateMa,
    snpRequireSmtOff: l.snpRequireSmtOff,
    tdxOwnerConfigDigest: digest.toLowerCase() as Hex,
  };
}

/** The LaunchPolicy of an on-chain one: an all-zero TCB means no minimum for that line (the key is absent). */
export function fromChainLaunchPolicy(l: ChainLaunchPolicy): LaunchPolicy {
  const minSnpTcb: LaunchPolicy["minSnpTcb"] = {};
  for (const line of AMD_PRODUCT_LINES) {
    const t = l[CHAIN_TCB_KEY[line]];
    if (SNP_TCB_FIELDS.every((f) => t[f] === 0)) continue;
    minSnpTcb[line] = line === "Turin"
      ? { bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode, fmc: t.fmc }
      : { bootloader: t.bootloader, tee: t.tee, snp: t.snp, microcode: t.microcode };
  }
  return {
    minSnpTcb,
    snpAllowedVmpls: [0, 1, 2, 3].filter((v) => (l.snpAllowedVmpls & (1 << v)) !== 0),
    snpAllowMigrateMa: l.snpAllowMigrateMa,
    snpRequireSmtOff: l.snpRequireSmtOff,
    tdxAllowedTdAttributes: l.tdxAllowedTdAttributes,
    tdxAllowedXfam: l.tdxAllowedXfam,
    tdxOwnerConfigDigest: /^0x0{64}$/.test(l.tdxOwnerConfigDigest) ? null : (l.tdxOwnerConfigDigest.toLowerCase() as Hex),
    sgxAllowedAttributes: l.sgxAllowedAttributes,
    sgxMinIsvSvn: l.sgxMinIsvSvn,
  };
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
    launch: defaultLaunchPolicy(),
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
    launch: toChainLaunchPolicy(p.launch),
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
    launch: fromChainLaunchPolicy(p.launch),
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
    launch: policy.launch,
  };
}
