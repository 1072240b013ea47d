import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ParsedCertificate, ParsedCrl } from "./certificate.ts";
import { X509_CODES } from "./codes.ts";
import type { PkiCaches } from "./pkiCaches.ts";
import { verifyWith } from "./signatureAlgorithm.ts";
import { checkFreshness, crlNumberOf, crlStamp, type CollateralFreshnessOptions } from "../freshness/collateralStamp.ts";

/** A vendor root, pinned by the SHA-256 fingerprint of its DER encoding. */
export interface TrustedRoot {
  name: string;
  certificate: ParsedCertificate;
}

export interface VerifyCertificateChainOptions {
  /** Human name of the chain for messages ("PCK certificate chain"). */
  name: string;
  /** Leaf first. The root may be included (it must then be one of `roots`) or left out. */
  chain: readonly ParsedCertificate[];
  roots: readonly TrustedRoot[];
  at: Date;
  crls?: readonly ParsedCrl[];
  /** Every certificate below the root must be covered by a CRL from its issuer. */
  requireCrls?: boolean;
  /** The floor and maximum age the chosen CRLs must meet (CRL_STALE, COLLATERAL_TOO_OLD). */
  crlFreshness?: CollateralFreshnessOptions;
  /**
   * What the first certificate is. "end-entity" (the default: PCK, TCB signer,
   * VCEK/VLEK, Nitro leaf) refuses one marked as a CA; "ca" is for checking an
   * intermediate on its own (AMD's ASK/ASVK against the ARK).
   */
  leaf?: "end-entity" | "ca";
  /** Where signature checks are remembered (a verifier context's); without it every signature is checked. */
  caches?: PkiCaches;
}

/** Extensions whose meaning chain validation enforces; any other one marked critical is refused (RFC 5280 §4.2). */
export const UNDERSTOOD_CRITICAL_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ["2.5.29.19", "basicConstraints"],
  ["2.5.29.15", "keyUsage"],
]);
const NAME_CONSTRAINTS = "2.5.29.30";

export interface VerifiedChain {
  root: TrustedRoot;
  /** Leaf first, ending with the pinned root. */
  certificates: ParsedCertificate[];
  crlsUsed: ParsedCrl[];
  /** The earliest notAfter of the certificates and nextUpdate of the CRLs used. */
  expiresAt: Date;
}

/**
 * Whether `signed` (a certificate or CRL) carries a valid signature by `issuer`'s key.
 * Remembered by exact bytes: the answer for the same bytes and key never changes.
 */
export function isSignedBy(signed: ParsedCertificate | ParsedCrl, issuer: ParsedCertificate, caches?: PkiCaches): boolean {
  const hit = caches?.certificateSignatures.get(signed.fingerprint, issuer.fingerprint);
  if (hit !== undefined) return hit;
  const ok = verifyWith(signed.signatureAlgorithm, signed.tbs, signed.signature, issuer.publicKey, "der");
  return caches ? caches.certificateSignatures.set(signed.fingerprint, issuer.fingerprint, ok) : ok;
}

function checkValidity(cert: ParsedCertificate, at: Date, name: string, index: number): void {
  if (at >= cert.notBefore && at <= cert.notAfter) return;
  const details = { subject: cert.subject, notBefore: cert.notBefore, notAfter: cert.notAfter, at };
  if (at < cert.notBefore) {
    throw new VerificationError(X509_CODES.CERT_NOT_YET_VALID, `${name}: certificate "${cert.subject}" is not yet valid`, {
      at: { field: `${name}[${index}]` },
      details,
    });
  }
  if (at > cert.notAfter) {
    throw new VerificationError(X509_CODES.CERT_EXPIRED, `${name}: certificate "${cert.subject}" has expired`, {
      at: { field: `${name}[${index}]` },
      details,
    });
  }
}

/** Refuses extensions the chain would have to enforce but keepledger does not: unknown critical ones, nameConstraints. */
function checkExtensions(cert: ParsedCertificate, name: string, index: number): void {
  for (const ext of cert.extensions) {
    if (ext.oid === NAME_CONSTRAINTS) {
      throw new VerificationError(
        X509_CODES.CERT_NAME_CONSTRAINTS_UNSUPPORTED,
        `${name}: "${cert.subject}" carries nameConstraints, which keepledger does not enforce`,
        {
          at: { field: `${name}[${index}].extensions`, offset: ext.offset },
          details: { subject: cert.subject, oid: ext.oid, critical: ext.critical },
        },
      );
    }
    if (ext.critical && !UNDERSTOOD_CRITICAL_EXTENSIONS.has(ext.oid)) {
      throw new VerificationError(
        X509_CODES.CERT_CRITICAL_EXTENSION_UNSUPPORTED,
        `${name}: "${cert.subject}" has an unsupported critical extension ${ext.oid}`,
        {
          at: { field: `${name}[${index}].extensions`, offset: ext.offset },
          details: { subject: cert.subject, oid: ext.oid, understood: [...UNDERSTOOD_CRITICAL_EXTENSIONS.values()] },
        },
      );
    }
  }
}

/**
 * Picks the newest (thisUpdate, then CRL number) CRL of `issuer` that is in force at `at`, checking its
 * signature and dates, and that it is no older than the freshness floor for this issuer.
 */
function crlFor(
  issuer: ParsedCertificate,
  crls: readonly ParsedCrl[],
  at: Date,
  name: string,
  freshness?: CollateralFreshnessOptions,
  caches?: PkiCaches,
): ParsedCrl | undefined {
  const candidates = crls.filter((c) => c.issuer === issuer.subject);
  if (candidates.length === 0) return undefined;
  const signed = candidates.filter((c) => isSignedBy(c, issuer, caches));
  if (signed.length === 0) {
    throw new VerificationError(X509_CODES.CRL_SIGNATURE_INVALID, `${name}: the CRL of "${issuer.subject}" is not signed by it`, {
      details: { issuer: issuer.subject },
    });
  }
  if (!issuer.canSignCrls) {
    throw new VerificationError(X509_CODES.CERT_ISSUER_NOT_CA, `${name}: "${issuer.subject}" may not sign CRLs`, {
      details: { issuer: issuer.subject },
    });
  }
  const current = signed
    .filter((c) => c.thisUpdate <= at)
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime() || crlNumberOf(b) - crlNumberOf(a));
  const crl = current[0];
  if (!crl) {
    throw new VerificationError(X509_CODES.CRL_NOT_YET_VALID, `${name}: the CRL of "${issuer.subject}" is not yet valid`, {
      details: { issuer: issuer.subject, thisUpdate: signed[0]!.thisUpdate, at },
    });
  }
  if (crl.nextUpdate !== undefined && crl.nextUpdate < at) {
    throw new VerificationError(X509_CODES.CRL_EXPIRED, `${name}: the CRL of "${issuer.subject}" has expired`, {
      details: { issuer: issuer.subject, nextUpdate: crl.nextUpdate, at },
    });
  }
  if (freshness) checkFreshness(crlStamp(crl, issuer), freshness, at, `${name}: the CRL of "${issuer.subject}"`);
  return crl;
}

/**
 * Verifies a certificate chain to a pinned root as of `at`: names link up,
 * every signature verifies, issuers are CAs with keyCertSign whose
 * pathLenConstraint holds, the leaf is an end entity (unless `leaf: "ca"`),
 * no certificate has a critical extension other than basicConstraints and
 * keyUsage or any nameConstraints, every certificate is within its validity
 * period, and no certificate is revoked by a CRL in force at `at`.
 */
export function verifyCertificateChain(options: VerifyCertificateChainOptions): VerifiedChain {
  const { name, chain, roots, at, crls = [], requireCrls = false, crlFreshness, leaf = "end-entity" } = options;
  if (chain.length === 0) {
    throw new VerificationError(X509_CODES.CERT_CHAIN_BROKEN, `${name} is empty`);
  }
  const last = chain[chain.length - 1]!;
  const path = [...chain];
  let root = roots.find((r) => r.certificate.fingerprint === last.fingerprint);
  // A chain that carries its root carries a copy of it: the pinned object takes its place, so what is checked
  // with the root's key uses the key imported once with it, not the copy's, imported again per verification.
  if (root) path[path.length - 1] = root.certificate;
  if (!root) {
    if (last.subject === last.issuer) {
      throw new VerificationError(X509_CODES.CERT_ROOT_UNTRUSTED, `${name} ends at a root that is not pinned`, {
        details: { subject: last.subject, fingerprint: last.fingerprint, pinned: roots.map((r) => r.certificate.fingerprint) },
      });
    }
    root = roots.find((r) => r.certificate.subject === last.issuer && isSignedBy(last, r.certificate, options.caches));
    if (!root) {
      throw new VerificationError(X509_CODES.CERT_ROOT_UNTRUSTED, `${name} does not chain to a pinned root`, {
        details: { issuer: last.issuer, pinned: roots.map((r) => r.name) },
      });
    }
    path.push(root.certificate);
  }

  if (leaf === "end-entity" && path[0]!.isCa) {
    throw new VerificationError(X509_CODES.CERT_LEAF_IS_CA, `${name}: the end-entity certificate "${path[0]!.subject}" is marked as a CA`, {
      at: { field: `${name}[0].basicConstraints`, offset: path[0]!.extensions.find((e) => e.oid === "2.5.29.19")?.offset ?? 0 },
      details: { subject: path[0]!.subject, pathLenConstraint: path[0]!.pathLenConstraint },
    });
  }

  // The shape of the path first (extensions, pathLenConstraint): no signature or CRL is needed to refuse it.
  // casBelow counts the CA certificates between the leaf and path[i]; self-issued ones do not count (RFC 5280 §4.2.1.9).
  let casBelow = 0;
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    checkExtensions(cert, name, i);
    if (i > 0 && cert.pathLenConstraint !== null && casBelow > cert.pathLenConstraint) {
      throw new VerificationError(
        X509_CODES.CERT_PATH_LENGTH_EXCEEDED,
        `${name}: "${cert.subject}" allows ${cert.pathLenConstraint} CA certificate(s) below it, the chain has ${casBelow}`,
        {
          at: {
            field: `${name}[${i}].basicConstraints.pathLenConstraint`,
            offset: cert.extensions.find((e) => e.oid === "2.5.29.19")?.offset ?? 0,
          },
          details: { subject: cert.subject, pathLenConstraint: cert.pathLenConstraint, intermediatesBelow: casBelow },
        },
      );
    }
    if (i > 0 && cert.subject !== cert.issuer) casBelow++;
  }

  const crlsUsed: ParsedCrl[] = [];
  let expiresAt = root.certificate.notAfter;
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    checkValidity(cert, at, name, i);
    if (cert.notAfter < expiresAt) expiresAt = cert.notAfter;
    if (i === path.length - 1) break; // the pinned root vouches for itself
    const issuer = path[i + 1]!;
    if (cert.issuer !== issuer.subject) {
      throw new VerificationError(X509_CODES.CERT_CHAIN_BROKEN, `${name}: "${cert.subject}" is not issued by "${issuer.subject}"`, {
        at: { field: `${name}[${i}]` },
        details: { issuer: cert.issuer, next: issuer.subject },
      });
    }
    if (!issuer.isCa || !issuer.canSignCertificates) {
      throw new VerificationError(X509_CODES.CERT_ISSUER_NOT_CA, `${name}: "${issuer.subject}" is not a CA`, {
        at: { field: `${name}[${i + 1}]` },
      });
    }
    if (!isSignedBy(cert, issuer, options.caches)) {
      throw new VerificationError(X509_CODES.CERT_SIGNATURE_INVALID, `${name}: the signature on "${cert.subject}" does not verify`, {
        at: { field: `${name}[${i}]` },
        details: { issuer: issuer.subject },
      });
    }
    const crl = crlFor(issuer, crls, at, name, crlFreshness, options.caches);
    if (!crl) {
      if (requireCrls) {
        throw new VerificationError(X509_CODES.CRL_MISSING, `${name}: no CRL from "${issuer.subject}" was provided`, {
          details: { issuer: issuer.subject },
        });
      }
      continue;
    }
    if (!crlsUsed.includes(crl)) crlsUsed.push(crl);
    if (crl.nextUpdate !== undefined && crl.nextUpdate < expiresAt) expiresAt = crl.nextUpdate;
    if (crl.revokedSerials.has(cert.serial)) {
      throw new VerificationError(X509_CODES.CERT_REVOKED, `${name}: certificate "${cert.subject}" is revoked`, {
        at: { field: `${name}[${i}]` },
        details: { serial: cert.serial, issuer: issuer.subject },
      });
    }
  }
  return { root, certificates: path, crlsUsed, expiresAt };
}
