/**
 * Which finalized verdicts rest on a revoked platform. The verdict does not carry the platform (FMSPC,
 * AMD chip id, product line), so each candidate's evidence is read from the evidence store and
 * re-verified as of its issuedAt with the collateral stored beside it; the platform facts of that
 * verification (platformEntriesOf) decide. A TEE kind needs no evidence: the verdict carries it.
 * Candidates come from the registry index (live verdicts of the TEE kinds the platform can belong to).
 */
import type { Hex } from "viem";
import { staticCollateral } from "../collateral/staticCollateral.ts";
import type { EvidenceStore } from "../evidenceStore/EvidenceStore.ts";
import { platformEntriesOf, type PlatformEntry, type PlatformRevocationKind } from "../policy/checkRevocations.ts";
import type { TeeAdapter } from "../tee/adapter.ts";
import { TEE_KINDS, type TeeKind } from "@keepledger/sdk/internal/kinds/index";
import { factsOf, type TeeVendor } from "@keepledger/sdk/internal/tee/kindFacts";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import type { TrustedRoot } from "../pki/x509/verifyCertificateChain.ts";

export interface PlatformCandidate {
  id: Hex;
  tee: TeeKind;
  evidenceHash: Hex;
  /** Unix seconds: the verification is repeated as of this time. */
  issuedAt: bigint;
}

export interface FindPlatformVerdictsOptions {
  entry: PlatformEntry;
  candidates: readonly PlatformCandidate[];
  /** Where each candidate's evidence is read from; not needed for a TEE kind. */
  evidenceStore?: EvidenceStore;
  adapters?: readonly TeeAdapter[];
  /** Replace the pinned vendor roots. Tests only. */
  trustedRoots?: readonly TrustedRoot[];
}

export interface FindPlatformVerdictsResult {
  /** Verdicts whose evidence comes from the platform. */
  matched: Hex[];
  /** Verdicts that could not be decided (no stored evidence, or it no longer verifies), with why. */
  undecided: Array<{ id: Hex; reason: string }>;
}

/** Whose platforms a revocation names: an FMSPC is Intel's, a chip id or product line AMD's (the kinds' facts say whose kinds). */
const PLATFORM_VENDOR: Record<Exclude<PlatformRevocationKind, "tee">, TeeVendor> = {
  fmspc: "intel",
  amdChipId: "amd",
  amdProductLine: "amd",
};

/** The TEE kinds whose evidence can name a platform of this kind. */
export function teeKindsOfPlatform(entry: PlatformEntry): TeeKind[] {
  if (entry.kind === "tee") return [entry.value as TeeKind];
  const vendor = PLATFORM_VENDOR[entry.kind];
  // A kind on another vendor's hardware (an Azure CVM on AMD or Intel) names that vendor in hardwareVendors.
  return TEE_KINDS.filter((k) => (factsOf(k).hardwareVendors ?? [factsOf(k).vendor]).includes(vendor));
}

const same = (a: PlatformEntry, b: PlatformEntry) => a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase();

export async function findPlatformVerdicts(options: FindPlatformVerdictsOptions): Promise<FindPlatformVerdictsResult> {
  const { entry } = options;
  const kinds = teeKindsOfPlatform(entry);
  const result: FindPlatformVerdictsResult = { matched: [], undecided: [] };
  for (const c of options.candidates) {
    if (!kinds.includes(c.tee)) continue;
    if (entry.kind === "tee") {
      result.matched.push(c.id);
      continue;
    }
    const stored = await options.evidenceStore?.getEvidence(c.evidenceHash);
    if (!stored) {
      result.undecided.push({ id: c.id, reason: options.evidenceStore ? "no evidence stored for it" : "no evidence store given" });
      continue;
    }
    try {
      const verified = await verifyEvidence(stored.evidence, {
        at: new Date(Number(c.issuedAt) * 1000),
        collateral: staticCollateral(stored.collateral, "evidence store"),
        ...(options.adapters ? { adapters: options.adapters } : {}),
        ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}),
      });
      if (platformEntriesOf(verified).some((e) => same(e, entry))) result.matched.push(c.id);
    } catch (error) {
      result.undecided.push({ id: c.id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
