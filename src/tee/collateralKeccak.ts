/**
 * keccak256 of the collateral items a verdict's collateralHash covers, shared by every kind: remembered in a
 * verifier context under the keys its `keccak` cache documents (`der:<SHA-256 fingerprint>` for a certificate,
 * CRL or OCSP response, `body:<SHA-256>` for a document), so the same bytes met by two kinds hash once, and a
 * pinned root's value taken from the process's own (src/pki/roots.ts) without hashing or caching anything.
 */
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { pinnedRootKeccak } from "../pki/roots.ts";
import { evidenceKeccak } from "../util/evidenceKeccak.ts";
import { acrossVerifications, type VerifierContext } from "./verifierContext.ts";

/** keccak256 of a DER item (certificate, CRL, OCSP response) identified by its SHA-256 fingerprint. */
export function derKeccak(item: { der: Uint8Array; fingerprint: string }, context?: VerifierContext): Hex {
  const pinned = pinnedRootKeccak(item);
  if (pinned !== undefined) return pinned;
  const cache = acrossVerifications(context)?.keccak;
  return cache ? cache.getOrSet(`der:${item.fingerprint}`, () => evidenceKeccak(item.der)) : evidenceKeccak(item.der);
}

/** keccak256 of a document's bytes whose SHA-256 (as the caller computed it for its own caches) is `sha256`. */
export function bodyKeccak(sha256: string, body: Uint8Array, context?: VerifierContext): Hex {
  const cache = acrossVerifications(context)?.keccak;
  return cache ? cache.getOrSet(`body:${sha256}`, () => evidenceKeccak(body)) : evidenceKeccak(body);
}
