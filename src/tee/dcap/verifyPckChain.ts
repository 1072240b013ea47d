import type { CollateralSet } from "../../collateral/types.ts";
import type { VerifierContext } from "../verifierContext.ts";
import type { DcapQuote } from "./types.ts";
import { EvidenceFormatError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_FORMAT_CODES } from "./formatCodes.ts";
import { PCK_CHAIN_LENGTH } from "./parsePckChainData.ts";
import { X509_CODES } from "../../pki/x509/codes.ts";
import type { ParsedCertificate, ParsedCrl } from "../../pki/x509/certificate.ts";
import { verifyCertificateChain, type TrustedRoot, type VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import { DCAP_CODES } from "./codes.ts";
import { commonName } from "../../pki/x509/names.ts";
import { parseCertificate } from "../../pki/x509/certificate.ts";
import { sameBytes } from "../../util/bufferView.ts";
import type { CollateralFreshnessOptions } from "../../pki/freshness/collateralStamp.ts";

export interface VerifyPckChainOptions {
  collateral: CollateralSet;
  roots: readonly TrustedRoot[];
  at: Date;
  /** The PCK CRL and the root CA CRL must be in the collateral (default true). */
  requireCrls: boolean;
  /** Floor and maximum age for the PCK CRL and the root CA CRL. */
  freshness?: CollateralFreshnessOptions;
  /** What to remember between verifications (a long-lived verifier's); without it nothing is. */
  context?: VerifierContext;
}

export interface VerifiedPckChain {
  leaf: ParsedCertificate;
  pckCa: "platform" | "processor";
  chain: VerifiedChain;
  pckCrl?: ParsedCrl;
  rootCaCrl?: ParsedCrl;
}

const PCK_CAS: Record<string, "platform" | "processor"> = {
  "Intel SGX PCK Platform CA": "platform",
  "Intel SGX PCK Processor CA": "processor",
};

/**
 * Quotes carry the Intel root itself at the end of the chain. Bytes equal to a
 * trusted root's DER are that root: its parsed form is reused rather than
 * parsing the copy again (the most expensive step of a cold verification
 * after the signatures), and the chain check then finds it by fingerprint as before.
 */
function trustedRootWithDer(der: Uint8Array, roots: readonly TrustedRoot[]): ParsedCertificate | undefined {
  return roots.find((r) => sameBytes(r.certificate.der, der))?.certificate;
}

/**
 * The PCK CA the quote carries is also in the collateral (the PCK CRL's issuer chain): bytes equal to a
 * collateral certificate's DER are that certificate, already parsed (strictly, as every collateral
 * certificate is) — the same object a cache keyed by the DER's SHA-256 would return, found without parsing
 * the copy again (~25 µs of a cold verification).
 */
function collateralCertificateWithDer(der: Uint8Array, certificates: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  return certificates.find((c) => sameBytes(c.der, der));
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new VerificationError(DCAP_CODES.DCAP_PCK_CERT_INVALID, message, { at: { field: "quote.signature.pckChain" }, details });
}

/**
 * The PCK chain the quote carries (certification data type 5), leaf first, to
 * a pinned root as of `at`, with the PCK CRL of its issuing CA and the root CA
 * CRL from the collateral. The chain must be exactly what Intel's quoting
 * enclaves write — PCK certificate, PCK CA, and the pinned root's very bytes:
 * the generic chain check would also accept a chain that leaves the root out,
 * and a second accepted form of the same quote is a second evidence hash.
 */
export function verifyPckChain(quote: DcapQuote, options: VerifyPckChainOptions): VerifiedPckChain {
  const ders = quote.signature.pckChain.certificates;
  if (ders.length !== PCK_CHAIN_LENGTH) {
    throw new EvidenceFormatError(
      DCAP_FORMAT_CODES.DCAP_PCK_CHAIN_LENGTH,
      `the PCK certificate chain holds ${ders.length} certificate(s), not ${PCK_CHAIN_LENGTH} (PCK certificate, PCK CA, Intel SGX Root CA)`,
      {
        at: { field: "quote.signature.pckChain" },
        details: { got: ders.length, want: PCK_CHAIN_LENGTH },
      },
    );
  }
  const certs = ders.map(
    (der, i) =>
      trustedRootWithDer(der, options.roots) ??
      collateralCertificateWithDer(der, options.collateral.certificates) ??
      parseCertificate(der, `PCK certificate chain[${i}]`, options.context?.pki),
  );
  const last = certs[PCK_CHAIN_LENGTH - 1]!;
  if (!options.roots.some((r) => r.certificate === last)) {
    throw new VerificationError(X509_CODES.CERT_ROOT_UNTRUSTED, "the PCK certificate chain does not end with a pinned root", {
      at: { field: `quote.signature.pckChain[${PCK_CHAIN_LENGTH - 1}]` },
      details: { subject: last.subject, fingerprint: last.fingerprint, pinned: options.roots.map((r) => r.certificate.fingerprint) },
    });
  }
  const leaf = certs[0]!;
  // Intel's QVL requires "SGX PCK Certificate" in the leaf's CN.
  if (!commonName(leaf.subject).includes("SGX PCK Certificate"))
    invalid("the first certificate is not an SGX PCK certificate", { subject: leaf.subject });
  const pckCa = PCK_CAS[commonName(leaf.issuer)];
  if (!pckCa) invalid("the PCK certificate is not issued by the PCK Platform CA or the PCK Processor CA", { issuer: leaf.issuer });
  const chain = verifyCertificateChain({
    name: "PCK certificate chain",
    chain: certs,
    roots: options.roots,
    at: options.at,
    crls: options.collateral.crls,
    requireCrls: options.requireCrls,
    ...(options.freshness ? { crlFreshness: options.freshness } : {}),
    caches: options.context?.pki,
  });
  const caSubject = chain.certificates[1]?.subject;
  const rootSubject = chain.root.certificate.subject;
  const pckCrl = chain.crlsUsed.find((c) => c.issuer === caSubject);
  const rootCaCrl = chain.crlsUsed.find((c) => c.issuer === rootSubject);
  return { leaf, pckCa, chain, ...(pckCrl ? { pckCrl } : {}), ...(rootCaCrl ? { rootCaCrl } : {}) };
}
