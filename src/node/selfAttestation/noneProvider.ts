/**
 * The `none` self-attestation provider: debug Keep evidence (docs/evidence/debug-keep.md) signed with the
 * node's own key. No TEE stands behind it — it is only for development networks whose validator workload
 * has a debug measurement and a dev policy; the node warns loudly at start and in /healthz.
 */
import { keccak256, stringToBytes, type Hex } from "viem";
import { createDebugEvidence } from "../../tee/debug/createDebugEvidence.ts";
import type { EvidenceProvider } from "./EvidenceProvider.ts";

/** The debug measurement validators report when none is configured: keccak256("keepledger.validator.debug"). */
export const DEFAULT_VALIDATOR_DEBUG_MEASUREMENT: Hex = keccak256(stringToBytes("keepledger.validator.debug"));

export function noneProvider(privateKey: Hex, measurement: Hex = DEFAULT_VALIDATOR_DEBUG_MEASUREMENT): EvidenceProvider {
  return {
    name: "none",
    insecure: true,
    async getEvidence(reportData, now) {
      return { evidence: createDebugEvidence({ privateKey, measurement, reportData, timestamp: now }), collateral: [] };
    },
  };
}
