/** The TDX part of a workload's launch policy (policy `launch`): TD_ATTRIBUTES, XFAM and the owner configuration. */
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { concatBytes, fromHex, isAllZero, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { TdxClaims } from "@keepledger/sdk/internal/tee/tdx/claims";
import { bitNames, deny, hex64 } from "../launchPolicyHelpers.ts";

/** Declared under the module "policy/launch" with the other kinds' launch codes (docs/errors.md). */
export const TDX_LAUNCH_CODES = defineErrorCodes("policy/launch", {
  POLICY_TDX_TD_ATTRIBUTES: {
    stage: "policy",
    description:
      "The TD runs with TD_ATTRIBUTES bits the policy does not allow (e.g. MIGRATABLE, PERFMON); DEBUG is ruled by the policy's dev flag.",
  },
  POLICY_TDX_XFAM: { stage: "policy", description: "The TD's XFAM enables extended CPU features the policy does not allow." },
  POLICY_TDX_OWNER_CONFIG: {
    stage: "policy",
    description:
      "MRCONFIGID, MROWNER and MROWNERCONFIG are not what the policy requires: all zero by default, or keccak256(MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG) equal to the policy's owner config digest.",
  },
});

export interface TdxLaunchPolicy {
  /** TD_ATTRIBUTES bits that may be set (DEBUG is ruled by `dev`); default SEPT_VE_DISABLE | PKS | KL. */
  tdxAllowedTdAttributes: bigint;
  /** XFAM bits that may be set (default: all; XFAM selects CPU features, not isolation). */
  tdxAllowedXfam: bigint;
  /**
   * keccak256(MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG) the TD must carry; null: all three must be zero.
   */
  tdxOwnerConfigDigest: Hex | null;
}

/** TD_ATTRIBUTES bits: SEPT_VE_DISABLE (28), PKS (30), KL (31). */
export const TDX_DEFAULT_ALLOWED_TD_ATTRIBUTES = (1n << 28n) | (1n << 30n) | (1n << 31n);

export function defaultTdxLaunchPolicy(): TdxLaunchPolicy {
  return { tdxAllowedTdAttributes: TDX_DEFAULT_ALLOWED_TD_ATTRIBUTES, tdxAllowedXfam: 0xffff_ffff_ffff_ffffn, tdxOwnerConfigDigest: null };
}

/** TD_ATTRIBUTES bit 0: ruled by the policy's `dev`, not here. */
const TDX_DEBUG = 1n << 0n;

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

/** Throws a PolicyError naming the field, what the evidence has and what the policy allows. */
export function checkTdxLaunchPolicy(evidence: VerifiedEvidence<"tdx">, launch: TdxLaunchPolicy): void {
  checkTdx(evidence.claims, launch);
}

function checkTdx(claims: TdxClaims, launch: TdxLaunchPolicy): void {
  const attributes = BigInt(claims.tdAttributes);
  const extra = attributes & ~(launch.tdxAllowedTdAttributes | TDX_DEBUG);
  if (extra !== 0n) {
    deny(
      TDX_LAUNCH_CODES.POLICY_TDX_TD_ATTRIBUTES,
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
    deny(TDX_LAUNCH_CODES.POLICY_TDX_XFAM, `XFAM enables features the policy does not allow (${hex64(extraXfam)})`, {
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
      deny(TDX_LAUNCH_CODES.POLICY_TDX_OWNER_CONFIG, `${set.join(", ")} must be zero: the policy names no owner configuration`, {
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
      TDX_LAUNCH_CODES.POLICY_TDX_OWNER_CONFIG,
      "keccak256(MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG) is not the policy's owner config digest",
      {
        field: "MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG",
        got: digest,
        allowed: launch.tdxOwnerConfigDigest,
      },
    );
  }
}
