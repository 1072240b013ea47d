import { bufferView } from "../../util/bufferView.ts";
import type { CollateralSet, SignedIntelJson } from "../../collateral/types.ts";
import { acrossVerifications, type VerifierContext } from "../verifierContext.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import { verifyCertificateChain, type TrustedRoot, type VerifiedChain } from "../../pki/x509/verifyCertificateChain.ts";
import { DCAP_CODES } from "./codes.ts";
import { commonName } from "../../pki/x509/names.ts";
import { readIntelDocument, type IntelDocument, type TcbInfo } from "./intelCollateral.ts";
import { intelDocumentStamp, type CollateralFreshnessOptions, type CollateralStamp } from "../../pki/freshness/collateralStamp.ts";

export const TCB_SIGNING_CN = "Intel SGX TCB Signing";

export interface VerifyIntelDocumentOptions {
  /** Validated document, chosen by the caller. */
  document: IntelDocument<{ issueDate: Date; nextUpdate: Date }>;
  /** "TCB Info" or "QE Identity", for messages. */
  name: string;
  collateral: CollateralSet;
  roots: readonly TrustedRoot[];
  at: Date;
  /** The root CA CRL must be in the collateral (default true). */
  requireCrls?: boolean;
  /** Floor and maximum age for the signing chain's CRL. */
  freshness?: CollateralFreshnessOptions;
  /** What to remember between verifications (a long-lived verifier's); without it nothing is. */
  context?: VerifierContext;
}

export interface VerifyIntelDocumentResult {
  signer: ParsedCertificate;
  /** The TCB signing chain, checked against the root CA CRL. */
  chain: VerifiedChain;
}

/** ECDSA P-256 (r‖s) over the exact body bytes; remembered by body hash, signature and signer key. */
function signedBy(document: IntelDocument<unknown>, cert: ParsedCertificate, context: VerifierContext | undefined): boolean {
  const sig = document.source.signature;
  const cache = acrossVerifications(context)?.intelSignatures;
  const key = cache ? `${document.bodyHash}:${bufferView(sig).toString("hex")}:${cert.fingerprint}` : "";
  const hit = cache?.get(key);
  if (hit !== undefined) return hit;
  const ok = sig.length === 64 && verifyWith({ kind: "ecdsa", hash: "sha256" }, document.source.body, sig, cert.publicKey, "p1363");
  return cache ? cache.set(key, ok) : ok;
}

/**
 * Checks an Intel-signed document: its signature by an "Intel SGX TCB Signing"
 * certificate (from the document's issuer chain or the collateral), that
 * certificate's chain to a pinned root with the root CA CRL required, and
 * issueDate ≤ at ≤ nextUpdate.
 */
export function verifyIntelDocument(options: VerifyIntelDocumentOptions): VerifyIntelDocumentResult {
  const { document, name, collateral, roots, at, requireCrls = true, freshness } = options;
  const seen = new Set<string>();
  const candidates: ParsedCertificate[] = [];
  for (const cert of [...document.source.issuerChain, ...collateral.certificates]) {
    if (seen.has(cert.fingerprint) || commonName(cert.subject) !== TCB_SIGNING_CN) continue;
    seen.add(cert.fingerprint);
    candidates.push(cert);
  }
  if (candidates.length === 0) {
    throw new VerificationError(DCAP_CODES.DCAP_TCB_SIGNING_CERT_MISSING, `no "${TCB_SIGNING_CN}" certificate came with the ${name}`, {
      at: { field: name },
    });
  }
  const signer = candidates.find((c) => signedBy(document, c, options.context));
  if (!signer) {
    throw new VerificationError(DCAP_CODES.DCAP_COLLATERAL_SIGNATURE_INVALID, `the ${name} signature does not verify`, {
      at: { field: `${name}.signature` },
      details: { signers: candidates.map((c) => c.fingerprint) },
    });
  }
  const chain = verifyCertificateChain({
    name: `${name} signing chain`,
    chain: [signer],
    roots,
    at,
    crls: collateral.crls,
    requireCrls,
    ...(freshness ? { crlFreshness: freshness } : {}),
    caches: options.context?.pki,
  });
  const { issueDate, nextUpdate } = document.value;
  if (at < issueDate) {
    throw new VerificationError(DCAP_CODES.DCAP_COLLATERAL_NOT_YET_VALID, `the ${name} is not yet valid`, {
      at: { field: `${name}.issueDate` },
      details: { issueDate, at },
    });
  }
  if (at > nextUpdate) {
    throw new VerificationError(DCAP_CODES.DCAP_COLLATERAL_EXPIRED, `the ${name} has expired`, {
      at: { field: `${name}.nextUpdate` },
      details: { nextUpdate, at },
    });
  }
  return { signer, chain };
}

export interface VerifyTcbInfoDocumentOptions {
  /** Where the TCB signing certificate and the root CA CRL may come from besides the document's issuer chain. */
  collateral: CollateralSet;
  roots: readonly TrustedRoot[];
  at: Date;
  /** What to remember between verifications; without it nothing is. */
  context?: VerifierContext;
}

/**
 * Verifies one TCB Info on its own (structure, signature, signing chain with the root CA CRL, dates) and
 * returns its stamp: how TCB recovery and the collateral floor take a document no evidence used yet.
 */
export function verifyTcbInfoDocument(source: SignedIntelJson, options: VerifyTcbInfoDocumentOptions): CollateralStamp {
  const document = readIntelDocument(source, options.context);
  if (document instanceof VerificationError) throw document;
  if (source.type !== "tcbInfo") {
    throw new VerificationError(DCAP_CODES.DCAP_COLLATERAL_UNSUPPORTED, "the document is not a TCB Info", {
      details: { got: source.type, want: "tcbInfo" },
    });
  }
  const value = document.value as TcbInfo;
  verifyIntelDocument({
    document: { ...document, value },
    name: "TCB Info",
    collateral: options.collateral,
    roots: options.roots,
    at: options.at,
    context: options.context,
  });
  return intelDocumentStamp("tcbInfo", value, document.bodyHash);
}
