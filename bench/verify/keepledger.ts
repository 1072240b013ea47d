/**
 * keepledger's side of the verification benchmark: the public
 * `verifyEvidence` path (decode → detect → parse → collateral → verify), warm
 * and cold.
 */
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { defaultAdapters } from "../../src/tee/table.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { createVerifierContext } from "../../src/tee/verifierContext.ts";
import type { Operation } from "./measure.ts";
import type { BenchVector } from "./vectors.ts";

/** The status and kind each vector must verify to, from its expected.json. */
function expectedOutcome(vector: BenchVector): { tee: string; status: string } {
  const tcb = vector.expected.tcb_status as { status?: string } | undefined;
  return { tee: vector.kind, status: tcb?.status ?? "NotApplicable" };
}

/**
 * The production adapters, except that the SEV-SNP vectors (dstack's Milan report, the Azure CVM's embedded Milan
 * report) are checked without AMD's CRL, explicitly: none is among the vectors. A present CRL would add one CRL parse
 * and signature check. Likewise the NVIDIA GPU vector without OCSP responses.
 */
function adaptersFor(vector: BenchVector) {
  return defaultAdapters({
    dangerouslyAllowMissingAmdCrl: vector.kind === "sev-snp" || vector.kind === "azure-cvm",
    // NVIDIA publishes no OCSP responses for its sample: revocation unchecked, explicitly (an OCSP response
    // would add one P-384 signature check per certificate answered for).
    dangerouslyAllowUncheckedGpuRevocation: vector.kind === "nvidia-gpu",
  });
}

function check(vector: BenchVector, r: VerifiedEvidence): void {
  const want = expectedOutcome(vector);
  if (r.tee !== want.tee || r.tcb.status !== want.status) {
    throw new Error(`keepledger: ${vector.kind}/${vector.set} verified to ${r.tee}/${r.tcb.status}, expected ${want.tee}/${want.status}`);
  }
}

/**
 * Warm: the collateral provider is loaded once and one long-lived verifier
 * context (as a node keeps) is filled by the first verification; each call
 * then verifies the same evidence again with it.
 * Nothing about the evidence itself is remembered (its signature is checked
 * and its hash computed every time), so this is the cost of a fresh quote or
 * report from a platform seen before.
 */
export async function keepledgerWarm(vector: BenchVector): Promise<Operation> {
  const provider = staticCollateral(vector.collateral);
  const options = { collateral: provider, at: vector.at, adapters: adaptersFor(vector), context: createVerifierContext() };
  check(vector, await verifyEvidence(vector.evidence, options));
  return async () => recorded(await verifyEvidence(vector.evidence, options));
}

/**
 * What a validator reads of a result before it signs a verdict: the evidence hash among it. Some kinds compute
 * it when first read (a composite's parts are never recorded by their own hash), so every timed call reads it.
 */
function recorded(r: VerifiedEvidence): VerifiedEvidence {
  if (r.evidenceHash.length !== 66) throw new Error(`keepledger: an evidence hash of ${r.evidenceHash.length} characters`);
  return r;
}

export interface KeepledgerColdOptions {
  /**
   * true: the provider keeps its collateral parsed from one call to the next,
   * as a running validator's directory or PCS provider does (each verification
   * still gets a fresh verifier context, so every signature is checked again); false: the collateral is
   * recognized again from its bytes in memory before every verification.
   */
  collateralPreloaded: boolean;
}

/** Cold: a fresh verifier context for every verification (verifyEvidence's default); every certificate, CRL and collateral signature checked again. */
export async function keepledgerCold(vector: BenchVector, options: KeepledgerColdOptions): Promise<Operation> {
  const preloaded = staticCollateral(vector.collateral);
  const adapters = adaptersFor(vector);
  const run = (): Promise<VerifiedEvidence> => {
    const collateral = options.collateralPreloaded ? preloaded : staticCollateral(vector.collateral);
    return verifyEvidence(vector.evidence, { collateral, at: vector.at, adapters });
  };
  check(vector, await run());
  return async () => recorded(await run());
}
