import { directoryCollateral, staticCollateral } from "../collateral/staticCollateral.ts";
import type { CollateralProvider } from "../collateral/types.ts";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";

export interface VerifyOfflineOptions {
  /**
   * Collateral: a directory path, files in memory (`{ name, bytes }`, recognized by content) or providers
   * (e.g. `intelPcsCollateral`, `amdKdsCollateral`). Nitro documents need none.
   */
  collateral?: string | ReadonlyArray<{ name: string; bytes: Uint8Array }> | CollateralProvider | readonly CollateralProvider[];
  /** Verify as of this time (default: now). */
  at?: Date;
}

/**
 * Verifies evidence locally, without a node or a chain: the same engine the
 * validators run (signatures, chains to the pinned vendor roots, CRLs, TCB).
 * Resolves with the verified claims or rejects with a KeepledgerError.
 */
export async function verifyOffline(evidence: Uint8Array, options: VerifyOfflineOptions = {}): Promise<VerifiedEvidence> {
  const { collateral } = options;
  let providers: CollateralProvider | readonly CollateralProvider[] | undefined;
  if (typeof collateral === "string") providers = await directoryCollateral(collateral);
  else if (Array.isArray(collateral) && collateral.length > 0 && "bytes" in (collateral[0] as object)) {
    providers = staticCollateral(collateral as ReadonlyArray<{ name: string; bytes: Uint8Array }>);
  } else providers = collateral as CollateralProvider | readonly CollateralProvider[] | undefined;
  return verifyEvidence(evidence, {
    ...(providers !== undefined ? { collateral: providers } : {}),
    ...(options.at ? { at: options.at } : {}),
  });
}
