/**
 * Verified RIMs remembered by content. A driver or VBIOS RIM is the same document for every report of that
 * version, and all its costly work — XML parse, C14N 1.1, the SHA-384 digest, the XML-DSig ECDSA P-384
 * signature, the signer chain's signatures to the pinned root — is a pure function of its bytes and the roots.
 * Only that is remembered; nothing that depends on time or on per-evidence collateral is:
 *  - an entry carries the window its chain was verified in (latest notBefore, earliest notAfter of the path):
 *    an "as of" time outside it is verified again in full, which refuses it with the chain's expiry code;
 *  - OCSP is checked on every call, with the responses of that call (revocation is not cached here).
 * Keys are the document's SHA-256 (collision resistant: a tampered document never finds another's entry), and
 * for verifications also the pinned roots' fingerprints.
 */
import { hash } from "node:crypto";
import { BoundedCache, type BoundedCacheOptions } from "../../../util/boundedCache.ts";
import type { PkiCaches } from "../../../pki/x509/pkiCaches.ts";
import type { TrustedRoot, VerifiedChain } from "../../../pki/x509/verifyCertificateChain.ts";
import { checkChainRevocation } from "../revocation.ts";
import { parseRim, type ParsedRim } from "./parseRim.ts";
import { verifyRim, type VerifiedRim, type VerifyRimOptions } from "./verifyRim.ts";

/** What verifyRim established from the bytes and roots alone, and when its chain is valid. */
export interface CachedRimVerification {
  rim: ParsedRim;
  chain: VerifiedChain;
  digest: Uint8Array;
  /** The latest notBefore and earliest notAfter of the signer chain (root included), inclusive as X.509 has it. */
  validFrom: Date;
  validUntil: Date;
}

export interface RimCache {
  /** SHA-256 of the document → the parsed RIM, or null when it does not parse (not this evidence's RIM). */
  readonly parsed: BoundedCache<string, ParsedRim | null>;
  /** `${SHA-256 of the document}:${root fingerprints}` → its verification and validity window. */
  readonly verified: BoundedCache<string, CachedRimVerification>;
  /**
   * A collateral RIM array → its SHA-256, so that a RIM (20 KB) is hashed once per array, not per
   * verification. By identity: collateral is not changed once handed to a verifier, and a provider that
   * rewrote a buffer in place would still get the RIM first parsed from it — whose signature was verified
   * over exactly those bytes — never an unverified one.
   */
  readonly contentHashes: WeakMap<Uint8Array, string>;
}

export function createRimCache(bounds: BoundedCacheOptions): RimCache {
  return { parsed: new BoundedCache(bounds), verified: new BoundedCache(bounds), contentHashes: new WeakMap() };
}

export function rimContentHash(bytes: Uint8Array): string {
  return hash("sha256", bytes, "hex");
}

/** parseRim, remembered by content; a document that does not parse gives null (remembered too). */
export function parseRimCached(bytes: Uint8Array, cache: RimCache | undefined, pki?: PkiCaches): ParsedRim | null {
  const parse = (): ParsedRim | null => {
    try {
      return parseRim(bytes, pki);
    } catch {
      return null;
    }
  };
  if (!cache) return parse();
  let hash = cache.contentHashes.get(bytes);
  if (hash === undefined) cache.contentHashes.set(bytes, (hash = rimContentHash(bytes)));
  return cache.parsed.getOrSet(hash, parse);
}

function windowOf(chain: VerifiedChain): { validFrom: Date; validUntil: Date } {
  let validFrom = chain.certificates[0]!.notBefore;
  let validUntil = chain.certificates[0]!.notAfter;
  for (const c of chain.certificates) {
    if (c.notBefore > validFrom) validFrom = c.notBefore;
    if (c.notAfter < validUntil) validUntil = c.notAfter;
  }
  return { validFrom, validUntil };
}

/**
 * verifyRim, with its time-independent part remembered in `cache`: a hit whose window holds `options.at` costs
 * one SHA-256 of the document and the OCSP check; anything else is verified in full (and remembered if it verifies).
 */
export function verifyRimCached(rim: ParsedRim, options: VerifyRimOptions & { cache?: RimCache }): VerifiedRim {
  const { cache } = options;
  if (!cache) return verifyRim(rim, options);
  const key = `${rim.contentHash}:${options.roots.map((r: TrustedRoot) => r.certificate.fingerprint).join(",")}`;
  const hit = cache.verified.get(key);
  if (hit && hit.validFrom <= options.at && options.at <= hit.validUntil) {
    const revocation = checkChainRevocation(hit.chain, 0, options);
    return {
      rim,
      chain: hit.chain,
      digest: hit.digest,
      revocationChecked: revocation.checked,
      expiresAt: revocation.expiresAt < hit.chain.expiresAt ? revocation.expiresAt : hit.chain.expiresAt,
    };
  }
  const verified = verifyRim(rim, options);
  cache.verified.set(key, { rim, chain: verified.chain, digest: verified.digest, ...windowOf(verified.chain) });
  return verified;
}
