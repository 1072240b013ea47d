import { PolicyError } from "../errors/KeepledgerError.ts";
import { fromHex, isAllZero, toHex, type Hex } from "../util/bytes.ts";
import type { ClaimsByKind, TeeKind, VerifiedEvidence } from "../tee/types.ts";
import { POLICY_CODES } from "./codes.ts";
import type { ApprovedMeasurement } from "./types.ts";

const SIZES: Record<TeeKind, number> = { sgx: 68, tdx: 240, "sev-snp": 81, nitro: 144, debug: 32 };

function slice(b: Uint8Array, start: number, end: number): Hex {
  return toHex(b.subarray(start, end));
}

/** Whether the verified claims are the approved measurement (layouts in docs/ids.md). */
export function claimsMatch(evidence: VerifiedEvidence, approved: ApprovedMeasurement): boolean {
  if (approved.tee !== evidence.tee) return false;
  const v = fromHex(approved.value);
  if (v.length !== SIZES[approved.tee]) {
    throw new PolicyError(POLICY_CODES.POLICY_MEASUREMENT_MALFORMED, `approved ${approved.tee} measurement has ${v.length} bytes`, {
      details: { want: SIZES[approved.tee], got: v.length, hash: approved.hash },
    });
  }
  switch (evidence.tee) {
    case "sgx": {
      const c = evidence.claims as ClaimsByKind["sgx"];
      const mrenclave = v.subarray(0, 32);
      if (!isAllZero(mrenclave)) return toHex(mrenclave) === c.mrenclave;
      const prodId = (v[64]! << 8) | v[65]!;
      const minSvn = (v[66]! << 8) | v[67]!;
      return slice(v, 32, 64) === c.mrsigner && prodId === c.isvProdId && c.isvSvn >= minSvn;
    }
    case "tdx": {
      const c = evidence.claims as ClaimsByKind["tdx"];
      return (
        slice(v, 0, 48) === c.mrtd &&
        slice(v, 48, 96) === c.rtmr0 &&
        slice(v, 96, 144) === c.rtmr1 &&
        slice(v, 144, 192) === c.rtmr2 &&
        slice(v, 192, 240) === c.rtmr3
      );
    }
    case "sev-snp": {
      const c = evidence.claims as ClaimsByKind["sev-snp"];
      if (slice(v, 0, 48) !== c.measurement) return false;
      return v[48] === 0 || slice(v, 49, 81) === c.hostData;
    }
    case "nitro": {
      const c = evidence.claims as ClaimsByKind["nitro"];
      return slice(v, 0, 48) === c.pcr0 && slice(v, 48, 96) === c.pcr1 && slice(v, 96, 144) === c.pcr2;
    }
    case "debug": {
      const c = evidence.claims as ClaimsByKind["debug"];
      return toHex(v) === c.measurement;
    }
  }
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
  throw new PolicyError(POLICY_CODES.POLICY_MEASUREMENT_NOT_APPROVED, `the ${evidence.tee} measurement is not approved for this workload`, {
    details: { tee: evidence.tee, approvedForKind: approved.filter((m) => m.tee === evidence.tee).length },
  });
}
