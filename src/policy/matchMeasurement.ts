import { PolicyError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { fromHex } from "@keepledger/sdk/internal/util/bytes";
import { factsOf, type Measurement, type MeasurementLayout } from "@keepledger/sdk/internal/tee/kindFacts";
import { adapterFor } from "../tee/table.ts";
import type { TeeKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { POLICY_CODES } from "./codes.ts";
import type { ApprovedMeasurement } from "./types.ts";

/** Whether the verified claims are the approved measurement (layouts in docs/ids.md, read from the kind's facts). */
export function claimsMatch(evidence: VerifiedEvidence, approved: ApprovedMeasurement): boolean {
  if (approved.tee !== evidence.tee) return false;
  const layout = factsOf(approved.tee).measurement as MeasurementLayout<TeeKind, Measurement>;
  const v = fromHex(approved.value);
  if (v.length !== layout.length) {
    throw new PolicyError(POLICY_CODES.POLICY_MEASUREMENT_MALFORMED, `approved ${approved.tee} measurement has ${v.length} bytes`, {
      details: { want: layout.length, got: v.length, hash: approved.hash },
    });
  }
  return layout.matches(evidence.claims, v);
}

/**
 * Picks the approved measurement the evidence matches: the highest version
 * among live ones. A match on revoked measurements only is its own failure so
 * the operator learns the release was withdrawn rather than never approved.
 */
export function matchMeasurement(evidence: VerifiedEvidence, approved: readonly ApprovedMeasurement[]): ApprovedMeasurement {
  const matches = approved.filter((m) => claimsMatch(evidence, m));
  const live = matches.filter((m) => !m.revoked).sort((a, b) => b.version - a.version);
  if (live[0]) return live[0];
  if (matches.length > 0) {
    throw new PolicyError(POLICY_CODES.POLICY_MEASUREMENT_REVOKED, "the evidence matches only revoked measurements", {
      details: { revoked: matches.map((m) => ({ hash: m.hash, version: m.version })) },
    });
  }
  // A kind may name why a nearly matching approved value refuses the evidence (a composite's GPU requirements).
  const explain = adapterFor(evidence.tee).explainMismatch;
  if (explain !== undefined) {
    const ofKind = approved.filter((m) => m.tee === evidence.tee && !m.revoked).sort((a, b) => b.version - a.version);
    for (const m of ofKind) explain(evidence, m.value);
  }
  throw new PolicyError(POLICY_CODES.POLICY_MEASUREMENT_NOT_APPROVED, `the ${evidence.tee} measurement is not approved for this workload`, {
    details: { tee: evidence.tee, approvedForKind: approved.filter((m) => m.tee === evidence.tee).length },
  });
}
