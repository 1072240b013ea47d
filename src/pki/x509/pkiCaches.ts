import { BoundedCache, type BoundedCacheOptions } from "../../util/boundedCache.ts";
import { PINNED_ROOTS } from "../roots.ts";
import type { ParsedCertificate, ParsedCrl } from "./certificate.ts";
import { SignatureChecks } from "./signatureChecks.ts";

/**
 * What X.509 parsing and chain verification may remember, by exact bytes: parsed certificates and CRLs
 * (by SHA-256 of the DER), certificate and CRL signature checks (by signed and issuer fingerprints) and other
 * signature checks (OCSP responses, RIMs, CCA tokens: by a key of their own). Passed in by the
 * caller; without it every parse and check is done again.
 */
export interface PkiCaches {
  /** The pinned roots' certificates, parsed once per process: a certificate with exactly the bytes of one is it. */
  pinnedRoots: readonly ParsedCertificate[];
  certificates: BoundedCache<string, ParsedCertificate>;
  crls: BoundedCache<string, ParsedCrl>;
  /** Whether a certificate or CRL is signed by an issuer's key (isSignedBy). */
  certificateSignatures: SignatureChecks;
  signatures: BoundedCache<string, boolean>;
}

const PINNED_ROOT_CERTIFICATES: readonly ParsedCertificate[] = Object.freeze(PINNED_ROOTS.map((r) => r.certificate));

/**
 * Caches that know the pinned roots, parsed once per process: a collateral file or an issuer chain that carries
 * a copy of one (AMD's cert_chain.pem ends with the ARK, every Intel issuer chain and PCK chain with the SGX Root
 * CA) gets the pinned object for bytes that are exactly its own — compared before any hashing — instead of
 * parsing it again (~80 µs for an RSA-4096 ARK).
 */
export function createPkiCaches(bounds: BoundedCacheOptions): PkiCaches {
  return {
    pinnedRoots: PINNED_ROOT_CERTIFICATES,
    certificates: new BoundedCache(bounds),
    crls: new BoundedCache(bounds),
    certificateSignatures: new SignatureChecks({ ...bounds, maxEntries: bounds.maxEntries * 4 }),
    signatures: new BoundedCache({ ...bounds, maxEntries: bounds.maxEntries * 4 }),
  };
}
