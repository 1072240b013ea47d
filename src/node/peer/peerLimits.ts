/**
 * Body limits of the peer endpoints, sized from what an honest collector can send. A single verdict
 * carries one submission — no bigger than the public intake accepts (limits.maxBodyBytes) — plus the
 * collateral the collector fetched for it; a batch carries up to batch.maxItems submissions whose
 * collateral files travel once as shared blobs. limits.peerMaxBodyBytes caps both.
 */

/** Room for the proposed verdict and the collateral a collector adds from its providers (TCB Info, CRLs, certificates). */
export const PEER_COLLATERAL_ALLOWANCE_BYTES = 1 << 20;
/** One batch item on the wire: its evidence (any supported kind is below 16 KiB, base64 included), its fields and its share of the collateral. */
export const PEER_BATCH_ITEM_BYTES = 64 << 10;

export interface PeerBodyLimits {
  "/v1/peer/sign": number;
  "/v1/peer/sign-batch": number;
}

export function peerBodyLimits(limits: { maxBodyBytes: number; peerMaxBodyBytes: number }, batchMaxItems: number): PeerBodyLimits {
  return {
    "/v1/peer/sign": Math.min(limits.peerMaxBodyBytes, limits.maxBodyBytes + PEER_COLLATERAL_ALLOWANCE_BYTES),
    "/v1/peer/sign-batch": Math.min(limits.peerMaxBodyBytes, PEER_COLLATERAL_ALLOWANCE_BYTES + batchMaxItems * PEER_BATCH_ITEM_BYTES),
  };
}
