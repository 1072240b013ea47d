/**
 * Where a validator's own evidence comes from: the TEE it runs in (configfs-tsm in TDX and SEV-SNP
 * guests, Gramine's /dev/attestation in SGX enclaves) or, for development only, a debug Keep signed with
 * the node's own key. A provider turns 64 bytes of report data into evidence that carries them.
 */
import type { CollateralFile } from "../types.ts";

export interface ProvidedEvidence {
  evidence: Uint8Array;
  /** Collateral the device hands out with the evidence (the SEV-SNP certificate table). */
  collateral: CollateralFile[];
}

export interface EvidenceProvider {
  readonly name: "configfs-tsm" | "gramine" | "none";
  /** No TEE stands behind the evidence: development only, reported loudly. */
  readonly insecure: boolean;
  /**
   * Evidence whose report data is exactly `reportData` (64 bytes). `now` is the chain's time, which a
   * debug Keep puts in its evidence; hardware ignores it.
   */
  getEvidence(reportData: Uint8Array, now: Date): Promise<ProvidedEvidence>;
}
