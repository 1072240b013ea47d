import type { BenchVector } from "../verify/vectors.ts";

/** The TCB status a DCAP vector verifies to (expected.json), so a peer is only timed on a verification that succeeds. */
export function expectedDcapStatus(vector: BenchVector): string {
  const status = (vector.expected.tcb_status as { status?: unknown } | undefined)?.status;
  if (typeof status !== "string") throw new Error(`${vector.kind}/${vector.set}: expected.json has no tcb_status.status`);
  return status;
}
