/** The SEV-SNP part of a workload's launch policy (policy `launch`): minimum TCB per product line, VMPL, MIGRATE_MA, SMT. */
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { SnpClaims, SnpTcbClaim } from "@keepledger/sdk/internal/tee/sev-snp/claims";
import { deny } from "../launchPolicyHelpers.ts";

/** Declared under the module "policy/launch" with the other kinds' launch codes (docs/errors.md). */
export const SNP_LAUNCH_CODES = defineErrorCodes("policy/launch", {
  POLICY_SNP_TCB_BELOW_MINIMUM: {
    stage: "policy",
    description:
      "A component (bootloader, tee, snp, microcode, fmc) of the SEV-SNP REPORTED_TCB is below the policy's minimum for the AMD product line: the host must update its firmware or microcode.",
  },
  POLICY_SNP_VMPL_NOT_ALLOWED: {
    stage: "policy",
    description:
      "The SEV-SNP report comes from a VMPL the policy does not allow (default: only VMPL 0, the guest's most privileged level).",
  },
  POLICY_SNP_MIGRATE_MA: {
    stage: "policy",
    description: "The SEV-SNP guest policy allows a migration agent (MIGRATE_MA), which the workload policy refuses (the default).",
  },
  POLICY_SNP_SMT_ALLOWED: {
    stage: "policy",
    description: "The workload policy requires SMT off but the SEV-SNP guest policy lets the host run the guest with SMT (bit 16).",
  },
});

export const AMD_PRODUCT_LINES = ["Milan", "Genoa", "Turin"] as const;
export type AmdProductLineName = (typeof AMD_PRODUCT_LINES)[number];

/** SEV-SNP security patch levels of a TCB_VERSION; fmc exists on Turin only. */
export interface SnpTcbComponents {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  /** Turin only. */
  fmc?: number;
}

export interface SnpLaunchPolicy {
  /** Minimum REPORTED_TCB per AMD product line, per component. A line absent here has no minimum (shown as such). */
  minSnpTcb: Partial<Record<AmdProductLineName, SnpTcbComponents>>;
  /** The VMPLs a report may come from (default: [0]). */
  snpAllowedVmpls: number[];
  /** A migration agent may be associated (guest policy MIGRATE_MA; default false). */
  snpAllowMigrateMa: boolean;
  /** The guest policy must forbid SMT (bit 16 clear; default false: SMT allowed). */
  snpRequireSmtOff: boolean;
}

export function defaultSnpLaunchPolicy(): SnpLaunchPolicy {
  return { minSnpTcb: {}, snpAllowedVmpls: [0], snpAllowMigrateMa: false, snpRequireSmtOff: false };
}

/** The SNP TCB components policy compares, in the order they are reported. */
const SNP_TCB_COMPONENTS = ["bootloader", "tee", "snp", "microcode", "fmc"] as const;

/** Throws a PolicyError naming the field, what the evidence has and what the policy allows. */
export function checkSnpLaunchPolicy(evidence: VerifiedEvidence<"sev-snp">, launch: SnpLaunchPolicy): void {
  checkSnp(evidence.claims, evidence.platform.amdProductLine, launch);
}

function checkSnp(claims: SnpClaims, productLine: string | undefined, launch: SnpLaunchPolicy): void {
  if (!launch.snpAllowedVmpls.includes(claims.vmpl)) {
    deny(
      SNP_LAUNCH_CODES.POLICY_SNP_VMPL_NOT_ALLOWED,
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
      SNP_LAUNCH_CODES.POLICY_SNP_MIGRATE_MA,
      "the guest policy allows a migration agent (MIGRATE_MA) and the workload policy does not",
      {
        field: "POLICY.MIGRATE_MA",
        got: true,
        allowed: false,
      },
    );
  }
  if (claims.guestPolicy.smt && launch.snpRequireSmtOff) {
    deny(SNP_LAUNCH_CODES.POLICY_SNP_SMT_ALLOWED, "the guest policy allows SMT and the workload policy requires SMT off", {
      field: "POLICY.SMT",
      got: true,
      allowed: false,
    });
  }
  checkSnpMinimumTcb(claims.tcb.reported, productLine, launch.minSnpTcb);
}

function checkSnpMinimumTcb(reported: SnpTcbClaim, productLine: string | undefined, minima: SnpLaunchPolicy["minSnpTcb"]): void {
  const line = AMD_PRODUCT_LINES.find((l) => l === productLine) as AmdProductLineName | undefined;
  const min: SnpTcbComponents | undefined = line === undefined ? undefined : minima[line];
  if (min === undefined) {
    // A minimum for some line while the product line is unknown cannot be honoured: refuse rather than skip.
    if (line === undefined && Object.keys(minima).length > 0) {
      deny(
        SNP_LAUNCH_CODES.POLICY_SNP_TCB_BELOW_MINIMUM,
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
        SNP_LAUNCH_CODES.POLICY_SNP_TCB_BELOW_MINIMUM,
        `REPORTED_TCB ${component} SPL ${got ?? "absent"} is below the ${line} minimum ${want}`,
        { component, got: got ?? null, min: want, productLine: line, reportedTcb: reported.raw },
      );
    }
  }
}
