/**
 * Governance revocations a validator enforces before it signs: the subject (per workload or in every
 * workload) and the platform the evidence comes from (FMSPC, AMD chip id, AMD product line, TEE kind).
 * The lists live on-chain in the AttestationRegistry (docs/contracts.md "Revocation"); src/chain follows
 * them, this module only decides. A fresh verdict never lifts a revocation: only governance does.
 */
import type { Hex } from "viem";
import { PolicyError } from "@keepledger/sdk/internal/errors/index";
import type { TeeKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { POLICY_CODES } from "./codes.ts";

/** The platform revocation kinds, in the order of their on-chain codes 1..4. */
export const PLATFORM_REVOCATION_KINDS = ["fmspc", "amdChipId", "amdProductLine", "tee"] as const;
export type PlatformRevocationKind = (typeof PLATFORM_REVOCATION_KINDS)[number];

/** One platform fact of the evidence that governance may have revoked. */
export interface PlatformEntry {
  kind: PlatformRevocationKind;
  /** fmspc: 12 lowercase hex digits; amdChipId: 0x + 128 hex digits; amdProductLine: Milan…; tee: a TeeKind. */
  value: string;
}

/** What the chain says about a submission's subject and platform entries. */
export interface RevocationState {
  /** Revoked in the verdict's workload (including a revocation in every workload). */
  subjectRevoked: boolean;
  /** The entries of platformEntriesOf(...) that are on the revocation list. */
  revokedPlatforms: readonly PlatformEntry[];
}

export interface CheckRevocationsOptions {
  subject: Hex;
  workloadId: Hex;
  state: RevocationState;
}

const PLATFORM_CODES: Record<PlatformRevocationKind, string> = {
  fmspc: POLICY_CODES.POLICY_FMSPC_REVOKED,
  amdChipId: POLICY_CODES.POLICY_AMD_CHIP_REVOKED,
  amdProductLine: POLICY_CODES.POLICY_AMD_PRODUCT_LINE_REVOKED,
  tee: POLICY_CODES.POLICY_TEE_KIND_REVOKED,
};

const PLATFORM_NAMES: Record<PlatformRevocationKind, string> = {
  fmspc: "FMSPC",
  amdChipId: "AMD chip",
  amdProductLine: "AMD product line",
  tee: "TEE kind",
};

/** The platform facts of verified evidence that a revocation list can name (absent facts are left out). */
export function platformEntriesOf(verified: Pick<VerifiedEvidence, "tee" | "claims" | "platform">): PlatformEntry[] {
  const entries: PlatformEntry[] = [];
  const fmspc = verified.platform.fmspc?.toLowerCase();
  if (fmspc !== undefined) entries.push({ kind: "fmspc", value: fmspc });
  // Only AMD evidence carries a chip id: SEV-SNP's CHIP_ID in its claims, or in platform.amdChipId when the
  // report is embedded in another kind's evidence (an Azure CVM's paravisor report).
  const chipId = (verified.claims as { chipId?: Hex }).chipId ?? verified.platform.amdChipId;
  if (chipId !== undefined) entries.push({ kind: "amdChipId", value: chipId.toLowerCase() });
  const product = verified.platform.amdProductLine;
  if (product !== undefined) entries.push({ kind: "amdProductLine", value: product });
  entries.push({ kind: "tee", value: verified.tee satisfies TeeKind });
  return entries;
}

/** Throws the typed PolicyError of the first revocation that applies; returns when none does. */
export function checkRevocations({ subject, workloadId, state }: CheckRevocationsOptions): void {
  if (state.subjectRevoked) {
    throw new PolicyError(
      POLICY_CODES.POLICY_SUBJECT_REVOKED,
      `subject ${subject} is revoked in workload ${workloadId} (or in every workload)`,
      {
        details: { subject, workloadId },
      },
    );
  }
  const hit = state.revokedPlatforms[0];
  if (hit) {
    throw new PolicyError(PLATFORM_CODES[hit.kind], `${PLATFORM_NAMES[hit.kind]} ${hit.value} is on the revocation list`, {
      details: { kind: hit.kind, value: hit.value },
    });
  }
}
