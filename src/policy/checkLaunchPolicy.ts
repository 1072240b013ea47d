import { adapterFor } from "../tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { LaunchPolicy } from "./types.ts";

/**
 * The launch parameters and firmware levels outside the approved measurement (policy `launch`):
 * SEV-SNP minimum TCB per product line, VMPL, MIGRATE_MA, SMT; TDX TD_ATTRIBUTES, XFAM and owner
 * config; SGX ATTRIBUTES and minimum ISVSVN. Debug bits are left to the policy's `dev` flag. Each kind checks its own part
 * (src/tee/<kind>/launchPolicy.ts, through its adapter).
 * Throws a PolicyError naming the field, what the evidence has and what the policy allows.
 */
export function checkLaunchPolicy(evidence: VerifiedEvidence, launch: LaunchPolicy): void {
  adapterFor(evidence.tee).checkLaunchPolicy(evidence, launch);
}
