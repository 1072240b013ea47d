/**
 * The ids of registry entities that the chain does not name itself (docs/registry.md): measurements,
 * policies and governance changes. Verdict ids and batch ids are the chain's own (packages/sdk/src/ids/verdictCodec.ts).
 */

/** A number as 8 lowercase hex digits (log indexes, policy sequence numbers). */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** GovernanceChange ids: the transaction hash followed by the log index as 8 hex digits. */
export function eventId(txHash: string, logIndex: number): string {
  return `${txHash.toLowerCase()}${hex8(logIndex)}`;
}

/** Measurement ids: workloadId ‖ measurementHash. */
export function measurementEntityId(workloadId: string, measurementHash: string): string {
  return `${workloadId.toLowerCase()}${measurementHash.slice(2).toLowerCase()}`;
}

/** Policy ids: workloadId ‖ the policy's sequence number in the workload as 8 hex digits. */
export function policyEntityId(workloadId: string, sequence: number): string {
  return `${workloadId.toLowerCase()}${hex8(sequence)}`;
}
