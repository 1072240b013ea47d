/**
 * The one codec between a workload policy (WorkloadPolicy, src/policy/types.ts: what the chain reading,
 * appraisal, the node, the audit, the CLI and the indexer all use) and its on-chain form, the Policy
 * struct of contracts/libraries/KeepTypes.sol (bitmasks, uint64 seconds) as the generated binding types it.
 * The on-chain struct appears nowhere else: readers decode with fromChainPolicy, writers encode with
 * toChainPolicy.
 */
import type { ContractFunctionReturnType, Hex } from "viem";
import type { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import {
  amdProductLineMask,
  AMD_PRODUCT_LINE_BITS,
  tcbStatusMask,
  tcbStatusesOfMask,
  teeKindMask,
  teeKindsOfMask,
} from "@keepledger/sdk/internal/ids/index";
import { IDS_CODES } from "@keepledger/sdk/internal/ids/codes";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import {
  AMD_PRODUCT_LINES,
  type AmdProductLineName,
  type LaunchPolicy,
  type SnpTcbComponents,
  type WorkloadPolicy,
} from "../policy/types.ts";

/** The on-chain Policy struct exactly as the generated binding types it (viem's view of the ABI). */
export type ChainPolicy = ContractFunctionReturnType<typeof workloadRegistryAbi, "view", "policyOf">[0];
/** The on-chain LaunchPolicy struct. */
export type ChainLaunchPolicy = ChainPolicy["launch"];
/** The on-chain SnpTcb struct: one product line's minimum REPORTED_TCB (all zero: no minimum). */
type ChainSnpTcb = ChainLaunchPolicy["snpMinTcbMilan"];

const ZERO_DIGEST: Hex = `0x${"00".repeat(32)}`;
const SNP_TCB_FIELDS = ["bootloader", "tee", "snp", "microcode", "fmc"] as const;
const CHAIN_TCB_KEY = { Milan: "snpMinTcbMilan", Genoa: "snpMinTcbGenoa", Turin: "snpMinTcbTurin" } as const satisfies Record<
  AmdProductLineName,
  keyof ChainLaunchPolicy
>;
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
function toChainLaunchPolicy(l: LaunchPolicy): ChainLaunchPolicy {
  const tcb = (line: AmdProductLineName): ChainSnpTcb => {
    const t: SnpTcbComponents | undefined = l.minSnpTcb[line];
    const out: ChainSnpTcb = { bootloader: 0, tee: 0, snp: 0, microcode: 0, fmc: 0 };
    if (!t) return out;
    for (const f of SNP_TCB_FIELDS) out[f] = checkUint(`launch.minSnpTcb.${line}.${f}`, t[f] ?? 0, 255);
    if (line !== "Turin" && out.fmc !== 0)
      invalid(`launch.minSnpTcb.${line}.fmc`, `only Turin has an fmc component, got fmc=${out.fmc} for ${line}`, out.fmc);
    return out;
  };
  let vmpls = 0;
  for (const v of l.snpAllowedVmpls) vmpls |= 1 << checkUint("launch.snpAllowedVmpls", v, 3);
  if (vmpls === 0) invalid("launch.snpAllowedVmpls", "at least one VMPL (0..3) must be allowed", l.snpAllowedVmpls);
  const digest = l.tdxOwnerConfigDigest ?? ZERO_DIGEST;
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest))
    invalid("launch.tdxOwnerConfigDigest", `the owner-config digest is 32 bytes of hex, got "${digest}"`, digest);
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
function fromChainLaunchPolicy(l: ChainLaunchPolicy): LaunchPolicy {
  const minSnpTcb: LaunchPolicy["minSnpTcb"] = {};
  for (const line of AMD_PRODUCT_LINES) {
    const t = l[CHAIN_TCB_KEY[line]];
    if (SNP_TCB_FIELDS.every((f) => t[f] === 0)) continue;
    minSnpTcb[line] =
      line === "Turin"
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

/** Seconds as the contract holds them (uint64); a WorkloadPolicy's seconds are safe integers. */
function toChainSeconds(field: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0)
    invalid(field, `${field} must be a whole number of seconds in 0..${Number.MAX_SAFE_INTEGER}, got ${value}`, value);
  return BigInt(value);
}

/**
 * Seconds read from the contract. uint64 allows more than 2^53 - 1 s (285 million years); such a value
 * is read as Number.MAX_SAFE_INTEGER, which no clock reaches either, so every decision stays the same.
 */
function fromChainSeconds(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The on-chain form of a workload policy (what schedulePolicy sends). */
export function toChainPolicy(p: WorkloadPolicy): ChainPolicy {
  return {
    allowedTees: teeKindMask(p.allowedTees),
    acceptedTcbStatuses: tcbStatusMask(p.acceptedTcbStatuses),
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: amdProductLineMask(p.deniedAmdProductLines),
    maxEvidenceAge: toChainSeconds("maxEvidenceAge", p.maxEvidenceAge),
    verdictLifetime: toChainSeconds("verdictLifetime", p.verdictLifetime),
    tcbGracePeriod: toChainSeconds("tcbGracePeriod", p.tcbGracePeriod),
    deniedAdvisories: [...p.deniedAdvisories],
    deniedFmspcs: p.deniedFmspcs.map((f) => {
      if (!/^[0-9a-fA-F]{12}$/.test(f)) {
        throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `an FMSPC is 12 hex digits, got "${f}"`, {
          at: { field: "deniedFmspcs" },
          details: { got: f },
        });
      }
      return `0x${f.toLowerCase()}` as Hex;
    }),
    launch: toChainLaunchPolicy(p.launch),
  };
}

/** The workload policy of an on-chain one (policyOf, pendingPolicyOf, PolicyScheduled). */
export function fromChainPolicy(p: ChainPolicy): WorkloadPolicy {
  return {
    allowedTees: teeKindsOfMask(p.allowedTees),
    acceptedTcbStatuses: tcbStatusesOfMask(p.acceptedTcbStatuses),
    dev: p.dev,
    allowUnboundEvidence: p.allowUnboundEvidence,
    deniedAmdProductLines: (Object.keys(AMD_PRODUCT_LINE_BITS) as AmdProductLineName[]).filter(
      (line) => (p.deniedAmdProductLines & AMD_PRODUCT_LINE_BITS[line]) !== 0,
    ),
    maxEvidenceAge: fromChainSeconds(p.maxEvidenceAge),
    verdictLifetime: fromChainSeconds(p.verdictLifetime),
    tcbGracePeriod: fromChainSeconds(p.tcbGracePeriod),
    deniedAdvisories: [...p.deniedAdvisories],
    deniedFmspcs: p.deniedFmspcs.map((f) => f.slice(2).toLowerCase()),
    launch: fromChainLaunchPolicy(p.launch),
  };
}
