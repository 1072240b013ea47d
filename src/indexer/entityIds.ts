/**
 * The ids of registry entities that the chain does not name itself (docs/registry.md): measurements,
 * policies, governance changes, key versions and key releases. Verdict ids and batch ids are the chain's own (packages/sdk/src/ids/verdictCodec.ts).
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

/** KeyVersion ids: keyId ‖ the version as 8 hex digits. */
export function keyVersionEntityId(keyId: string, version: number): string {
  return `${keyId.toLowerCase()}${hex8(version)}`;
}

/** KeyRelease ids: the receipt batch's Merkle root ‖ the receipt's index in the batch as 8 hex digits. */
export function keyReleaseEntityId(batchRoot: string, index: number): string {
  return `${batchRoot.toLowerCase()}${hex8(index)}`;
}
