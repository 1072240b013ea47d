import { BoundedCache, type BoundedCacheOptions } from "../../util/boundedCache.ts";
import type { ParsedCertificate, ParsedCrl } from "./certificate.ts";

/**
 * What X.509 parsing and chain verification may remember, by exact bytes: parsed certificates and CRLs
 * (by SHA-256 of the DER) and signature checks (by signed and issuer fingerprints). Passed in by the
 * caller; without it every parse and check is done again.
 */
export interface PkiCaches {
  certificates: BoundedCache<string, ParsedCertificate>;
  crls: BoundedCache<string, ParsedCrl>;
  signatures: BoundedCache<string, boolean>;
}

export function createPkiCaches(bounds: BoundedCacheOptions): PkiCaches {
  return {
    certificates: new BoundedCache(bounds),
    crls: new BoundedCache(bounds),
    signatures: new BoundedCache({ ...bounds, maxEntries: bounds.maxEntries * 4 }),
  };
}
