import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { PkiCaches } from "../../pki/x509/pkiCaches.ts";
import { AMD_ARKS, type AmdProductLine } from "../../pki/roots.ts";
import type { ParsedCertificate, ParsedCrl } from "../../pki/x509/certificate.ts";
import { commonName } from "../../pki/x509/names.ts";
import { verifyCertificateChain, type TrustedRoot, type VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import { SNP_VERIFY_CODES } from "./codes.ts";
import type { CollateralFreshnessOptions } from "../../pki/freshness/collateralStamp.ts";

/** The CN of a certificate's subject ("SEV-Milan"), or "" when it has none. */
export function commonNameOf(cert: ParsedCertificate): string {
  return commonName(cert.subject);
}

/** "SEV-Milan" (ASK) or "SEV-VLEK-Milan" (ASVK) → product line and key kind; undefined for any other name. */
export function amdIntermediateName(commonName: string): { productLine: AmdProductLine; signingKey: "vcek" | "vlek" } | undefined {
  const m = /^SEV-(VLEK-)?(Milan|Genoa|Turin)$/.exec(commonName);
  if (!m) return undefined;
  return { productLine: m[2] as AmdProductLine, signingKey: m[1] ? "vlek" : "vcek" };
}

/**
 * The roots a product line's chains may end at: its pinned ARK, or — in tests
 * only — the explicitly trusted roots whose CN is `ARK-<product line>`, so a
 * test ARK of one product line never vouches for another.
 */
export function amdRootsFor(productLine: AmdProductLine, trustedRoots?: readonly TrustedRoot[]): TrustedRoot[] {
  if (trustedRoots === undefined) return [AMD_ARKS[productLine]];
  return trustedRoots.filter((r) => commonNameOf(r.certificate) === `ARK-${productLine}`);
}

export interface VerifyAmdSigningChainOptions {
  /** The ASK (issuer of VCEKs) or ASVK (issuer of VLEKs). */
  intermediate: ParsedCertificate;
  at: Date;
  /** CRLs to apply, typically the ARK's from KDS `/vcek/v1/{product}/crl`. */
  crls?: readonly ParsedCrl[];
  /** Fail with CRL_MISSING unless a CRL from the ARK covers the intermediate. Off by default: KDS CRLs are optional collateral. */
  requireCrl?: boolean;
  /** Roots to trust instead of the pinned ARKs; tests only. */
  trustedRoots?: readonly TrustedRoot[];
  /** Floor and maximum age for the ARK's CRL (CRL_STALE, COLLATERAL_TOO_OLD). */
  freshness?: CollateralFreshnessOptions;
  /** Where parsed objects and signature checks are remembered; see VerifierContext. */
  caches?: PkiCaches;
}

export interface VerifyAmdSigningChainResult {
  productLine: AmdProductLine;
  /** "vcek" for an ASK, "vlek" for an ASVK. */
  signingKey: "vcek" | "vlek";
  chain: VerifiedChain;
}

/**
 * Verifies an ASK or ASVK to the pinned ARK of the product line its name
 * gives (RSA-PSS signatures, validity at `at`, the ARK's CRL when given,
 * outer and signed signature algorithms equal).
 * The ARK is never taken from collateral: the chain is extended with the pinned root.
 */
export function verifyAmdSigningChain(options: VerifyAmdSigningChainOptions): VerifyAmdSigningChainResult {
  const { intermediate, at, crls = [], requireCrl = false, trustedRoots, freshness } = options;
  const cn = commonNameOf(intermediate);
  const named = amdIntermediateName(cn);
  if (!named) {
    throw new VerificationError(
      SNP_VERIFY_CODES.SNP_PRODUCT_UNDETERMINED,
      `"${cn}" is not an AMD SEV signing key (SEV-<product> or SEV-VLEK-<product>)`,
      {
        at: { field: "ASK" },
        details: { subject: intermediate.subject },
      },
    );
  }
  const chain = verifyCertificateChain({
    name: named.signingKey === "vlek" ? "AMD ASVK chain" : "AMD ASK chain",
    chain: [intermediate],
    roots: amdRootsFor(named.productLine, trustedRoots),
    at,
    crls,
    requireCrls: requireCrl,
    ...(freshness ? { crlFreshness: freshness } : {}),
    caches: options.caches,
    leaf: "ca", // the ASK/ASVK is checked alone here; the VCEK/VLEK chain below it checks the end entity
  });
  return { ...named, chain };
}
