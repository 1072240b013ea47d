import { PolicyError } from "../errors/KeepledgerError.ts";
import { concatBytes, fromHex, isAllZero } from "../util/bytes.ts";
import { keccak256Hex } from "../util/keccak256.ts";
import type { ClaimsByKind, SnpTcbClaim, VerifiedEvidence } from "../tee/types.ts";
import { LAUNCH_POLICY_CODES } from "./codes.ts";
import { AMD_PRODUCT_LINES, type AmdProductLineName, type LaunchPolicy, type SnpTcbComponents } from "./types.ts";

/** TD_ATTRIBUTES bit 0 and SGX ATTRIBUTES.FLAGS bit 1: ruled by the policy's `dev`, not here. */
const TDX_DEBUG = 1n << 0n;
const SGX_DEBUG = 1n << 1n;

/** Names of the TD_ATTRIBUTES bits the TDX module specification defines, for messages. */
const TD_ATTRIBUTE_NAMES: Record<number, string> = {
  0: "DEBUG",
  28: "SEPT_VE_DISABLE",
  29: "MIGRATABLE",
  30: "PKS",
  31: "KL",
  62: "TPA",
  63: "PERFMON",
};
/** Names of the SGX ATTRIBUTES.FLAGS bits, for messages. */
const SGX_ATTRIBUTE_NAMES: Record<number, string> = {
  0: "INIT",
  1: "DEBUG",
  2: "MODE64BIT",
  4: "PROVISIONKEY",
  5: "EINITTOKEN_KEY",
  6: "CET",
  7: "KSS",
  10: "AEXNOTIFY",
};

/** The SNP TCB components policy compares, in the order they are reported. */
const SNP_TCB_COMPONENTS = ["bootloader", "tee", "snp", "microcode", "fmc"] as const;

function deny(code: string, message: string, details: Record<string, unknown>): never {
  throw new PolicyError(code, message, { details });
}

const hex64 = (v: bigint): string => `0x${v.toString(16)}`;

function bitNames(bits: bigint, names: Record<number, string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((bits >> BigInt(i)) & 1n) out.push(names[i] ?? `bit ${i}`);
  return out;
}

/**
 * The launch parameters and firmware levels outside the approved measurement (policy `launch`):
 * SEV-SNP minimum TCB per product line, VMPL, MIGRATE_MA, SMT; TDX TD_ATTRIBUTES, XFAM and owner
 * config; SGX ATTRIBUTES and minimum ISVSVN. Debug bits are left to the policy's `dev` flag.
 * Throws a PolicyError naming the field, what the evidence has and what the policy allows.
 */
export function checkLaunchPolicy(evidence: VerifiedEvidence, launch: LaunchPolicy): void {
  switch (evidence.tee) {
    case "sev-snp":
      return checkSnp(evidence.claims as ClaimsByKind["sev-snp"], evidence.platform.amdProductLine, launch);
    case "tdx":
      return checkTdx(evidence.claims as ClaimsByKind["tdx"], launch);
    case "sgx":
      return checkSgx(evidence.claims as ClaimsByKind["sgx"], launch);
    case "nitro":
    case "debug":
      return;
  }
}

function checkSnp(claims: ClaimsByKind["sev-snp"], productLine: string | undefined, launch: LaunchPolicy): void {
  if (!launch.snpAllowedVmpls.includes(claims.vmpl)) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_SNP_VMPL_NOT_ALLOWED,
      `the report comes from VMPL ${claims.vmpl}, the policy allows VMPL ${launch.snpAllowedVmpls.join(", ") || "none"}`,
      {
        field: "VMPL",
        got: claims.vmpl,
        allowed: launch.snpAllowedVmpls,
      },
    );
  }
  if (claims.guestPolicy.migrateMa && !launch.snpAllowMigrateMa) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_SNP_MIGRATE_MA,
      "the guest policy allows a migration agent (MIGRATE_MA) and the workload policy does not",
      {
        field: "POLICY.MIGRATE_MA",
        got: true,
        allowed: false,
      },
    );
  }
  if (claims.guestPolicy.smt && launch.snpRequireSmtOff) {
    deny(LAUNCH_POLICY_CODES.POLICY_SNP_SMT_ALLOWED, "the guest policy allows SMT and the workload policy requires SMT off", {
      field: "POLICY.SMT",
      got: true,
      allowed: false,
    });
  }
  checkSnpMinimumTcb(claims.tcb.reported, productLine, launch.minSnpTcb);
}

function checkSnpMinimumTcb(reported: SnpTcbClaim, productLine: string | undefined, minima: LaunchPolicy["minSnpTcb"]): void {
  const line = AMD_PRODUCT_LINES.find((l) => l === productLine) as AmdProductLineName | undefined;
  const min: SnpTcbComponents | undefined = line === undefined ? undefined : minima[line];
  if (min === undefined) {
    // A minimum for some line while the product line is unknown cannot be honoured: refuse rather than skip.
    if (line === undefined && Object.keys(minima).length > 0) {
      deny(
        LAUNCH_POLICY_CODES.POLICY_SNP_TCB_BELOW_MINIMUM,
        "the AMD product line is unknown, so the policy's minimum TCB cannot be checked",
        {
          component: "productLine",
          got: productLine ?? null,
          min: Object.keys(minima),
          productLine: productLine ?? null,
        },
      );
    }
    return;
  }
  for (const component of SNP_TCB_COMPONENTS) {
    const want = min[component];
    if (want === undefined) continue;
    const got = reported[component];
    if (got === undefined || got < want) {
      deny(
        LAUNCH_POLICY_CODES.POLICY_SNP_TCB_BELOW_MINIMUM,
        `REPORTED_TCB ${component} SPL ${got ?? "absent"} is below the ${line} minimum ${want}`,
        { component, got: got ?? null, min: want, productLine: line, reportedTcb: reported.raw },
      );
    }
  }
}

function checkTdx(claims: ClaimsByKind["tdx"], launch: LaunchPolicy): void {
  const attributes = BigInt(claims.tdAttributes);
  const extra = attributes & ~(launch.tdxAllowedTdAttributes | TDX_DEBUG);
  if (extra !== 0n) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_TDX_TD_ATTRIBUTES,
      `TD_ATTRIBUTES has bits the policy does not allow: ${bitNames(extra, TD_ATTRIBUTE_NAMES).join(", ")}`,
      {
        field: "TD_ATTRIBUTES",
        got: claims.tdAttributes,
        allowed: hex64(launch.tdxAllowedTdAttributes),
        refused: bitNames(extra, TD_ATTRIBUTE_NAMES),
      },
    );
  }
  const xfam = BigInt(claims.xfam);
  const extraXfam = xfam & ~launch.tdxAllowedXfam;
  if (extraXfam !== 0n) {
    deny(LAUNCH_POLICY_CODES.POLICY_TDX_XFAM, `XFAM enables features the policy does not allow (${hex64(extraXfam)})`, {
      field: "XFAM",
      got: claims.xfam,
      allowed: hex64(launch.tdxAllowedXfam),
      refused: hex64(extraXfam),
    });
  }
  const owner = [claims.mrConfigId, claims.mrOwner, claims.mrOwnerConfig].map(fromHex);
  if (launch.tdxOwnerConfigDigest === null) {
    const set = (["MRCONFIGID", "MROWNER", "MROWNERCONFIG"] as const).filter((_, i) => !isAllZero(owner[i]!));
    if (set.length > 0) {
      deny(LAUNCH_POLICY_CODES.POLICY_TDX_OWNER_CONFIG, `${set.join(", ")} must be zero: the policy names no owner configuration`, {
        field: set[0],
        got: { mrConfigId: claims.mrConfigId, mrOwner: claims.mrOwner, mrOwnerConfig: claims.mrOwnerConfig },
        allowed: "all zero",
      });
    }
    return;
  }
  const digest = keccak256Hex(concatBytes(...owner));
  if (digest !== launch.tdxOwnerConfigDigest.toLowerCase()) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_TDX_OWNER_CONFIG,
      "keccak256(MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG) is not the policy's owner config digest",
      {
        field: "MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG",
        got: digest,
        allowed: launch.tdxOwnerConfigDigest,
      },
    );
  }
}

function checkSgx(claims: ClaimsByKind["sgx"], launch: LaunchPolicy): void {
  const flags = BigInt(claims.attributes);
  const extra = flags & ~(launch.sgxAllowedAttributes | SGX_DEBUG);
  if (extra !== 0n) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_SGX_ATTRIBUTES,
      `ATTRIBUTES.FLAGS has bits the policy does not allow: ${bitNames(extra, SGX_ATTRIBUTE_NAMES).join(", ")}`,
      {
        field: "ATTRIBUTES.FLAGS",
        got: claims.attributes,
        allowed: hex64(launch.sgxAllowedAttributes),
        refused: bitNames(extra, SGX_ATTRIBUTE_NAMES),
      },
    );
  }
  if (claims.isvSvn < launch.sgxMinIsvSvn) {
    deny(
      LAUNCH_POLICY_CODES.POLICY_SGX_ISVSVN_BELOW_MINIMUM,
      `ISVSVN ${claims.isvSvn} is below the policy's minimum ${launch.sgxMinIsvSvn}`,
      {
        field: "ISVSVN",
        got: claims.isvSvn,
        min: launch.sgxMinIsvSvn,
      },
    );
  }
}
