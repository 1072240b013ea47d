import { debugFacts } from "@keepledger/sdk/internal/tee/debug/facts";
import { detectDebugEvidence } from "./detectDebugEvidence.ts";
import { parseDebugEvidence, type DebugEvidence } from "./parseDebugEvidence.ts";
import type { TeeAdapter } from "../adapter.ts";
import { verifyDebugEvidence, type VerifyDebugEvidenceOptions } from "./verifyDebugEvidence.ts";

export type DebugAdapterOptions = Omit<VerifyDebugEvidenceOptions, "at">;

/**
 * The debug Keep (no TEE): a documented, signed format for development.
 * Always verified as `debug: true`. There is no collateral and no root of
 * trust: a context's `trustedRoots` are irrelevant and ignored.
 */
export function createDebugAdapter(options: DebugAdapterOptions = {}): TeeAdapter<"debug", DebugEvidence> {
  return {
    ...debugFacts,
    // No launch-policy checks for this kind: its measurement is all the policy asks for.
    checkLaunchPolicy: () => {},
    detect: detectDebugEvidence,
    parse: parseDebugEvidence,
    collateralRequests: () => [],
    verify: (evidence, context) => verifyDebugEvidence(evidence, { ...options, at: context.at }),
  };
}

/** The debug adapter with the default maximum age (24 h). */
export const debugAdapter: TeeAdapter<"debug", DebugEvidence> = createDebugAdapter();
