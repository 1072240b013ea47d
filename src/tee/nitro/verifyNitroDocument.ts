import { P384_CURVE } from "../../pki/p384Spki.ts";
import { hexOf } from "../../util/hexOf.ts";
import { zeroHash } from "viem";
import type { VerifierContext } from "../verifierContext.ts";
import { KEY_USAGE } from "../../pki/x509/certificate.ts";
import { UsageError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { NitroDocument } from "./parseNitroDocument.ts";
import { isAllZero, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { AWS_NITRO_ROOT_G1 } from "../../pki/roots.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { ParsedCertificate } from "../../pki/x509/certificate.ts";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import { verifyCertificateChain, type TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { NITRO_VERIFY_CODES } from "./codes.ts";
import { encodeSigStructure } from "../../evidence/cose/encodeSigStructure.ts";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";

export interface VerifyNitroDocumentOptions {
  /** Verify as of this time; the document must not be from after it. Default: now. */
  at?: Date;
  /** Roots to trust instead of the pinned AWS Nitro Enclaves Root G1. Only tests pass these. */
  trustedRoots?: readonly TrustedRoot[];
  /**
   * How far the document's timestamp may run ahead of `at`, for clock skew
   * between AWS's hosts and the verifier. Default 5 s (DEFAULT_CLOCK_TOLERANCE_MS).
   */
  clockToleranceMs?: number;
  /** What to remember between verifications (a long-lived verifier's); without it nothing is. */
  context?: VerifierContext;
}

export type VerifyNitroDocumentResult = VerifiedEvidence<"nitro">;

/**
 * NSM timestamps have millisecond precision; verification times are often
 * whole seconds (and the test vectors' `verify_at` is the document time cut to
 * the second). A few seconds of skew is not evidence from the future.
 */
export const DEFAULT_CLOCK_TOLERANCE_MS = 5_000;

export function defaultVerifyNitroDocumentOptions(): Required<Omit<VerifyNitroDocumentOptions, "context">> {
  return { at: new Date(), trustedRoots: [AWS_NITRO_ROOT_G1], clockToleranceMs: DEFAULT_CLOCK_TOLERANCE_MS };
}

/** The COSE key must be an ECDSA P-384 key allowed to sign (RFC 9053: ES384 is ECDSA with P-384 and SHA-384). */
function checkLeafKey(leaf: ParsedCertificate): void {
  const key = leaf.publicKey;
  const curve = key.asymmetricKeyType === "ec" ? key.asymmetricKeyDetails?.namedCurve : undefined;
  if (curve !== P384_CURVE) {
    throw new VerificationError(NITRO_VERIFY_CODES.NITRO_LEAF_KEY_UNSUPPORTED, "the document's certificate does not hold a P-384 key", {
      at: { field: "certificate" },
      details: { got: curve ?? key.asymmetricKeyType ?? "unknown", want: P384_CURVE },
    });
  }
  const usage = leaf.keyUsage;
  if (usage !== null && (usage & KEY_USAGE.digitalSignature) === 0) {
    throw new VerificationError(
      NITRO_VERIFY_CODES.NITRO_LEAF_KEY_UNSUPPORTED,
      "the document's certificate may not sign (no digitalSignature key usage)",
      {
        at: { field: "certificate" },
        details: { keyUsage: usage },
      },
    );
  }
}

function pcrHex(doc: NitroDocument, index: number): Hex {
  return hexOf(doc.pcrs.get(index)!); // PCR0-2 are required by the parser
}

/**
 * Verifies a parsed Nitro attestation document, purely:
 * - the ES384 signature over the COSE Sig_structure, with the key of the document's certificate;
 * - the chain certificate → cabundle (reversed: cabundle[0] is the root) to a pinned root,
 *   as of the document's own timestamp — NSM certificates live hours, and a document is
 *   judged by the time it was signed, which is what makes old documents checkable;
 * - the document is not from after `at`.
 * No CRLs: the document carries none and AWS's procedure checks none (the CAs'
 * distribution points are not fetched: verification is offline). A document whose
 * PCR0, PCR1 or PCR2 is all zeros comes from a debug-mode enclave: `debug: true`.
 */
export function verifyNitroDocument(doc: NitroDocument, options: VerifyNitroDocumentOptions = {}): VerifyNitroDocumentResult {
  const defaults = defaultVerifyNitroDocumentOptions();
  const at = options.at ?? defaults.at;
  const trustedRoots = options.trustedRoots ?? defaults.trustedRoots;
  const clockToleranceMs = options.clockToleranceMs ?? defaults.clockToleranceMs;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new UsageError(NITRO_VERIFY_CODES.NITRO_VERIFY_TIME_INVALID, "the verification time is not a valid date", {
      details: { got: String(at) },
    });
  }
  const signedAt = new Date(doc.timestamp);
  if (doc.timestamp > at.getTime() + clockToleranceMs) {
    throw new VerificationError(NITRO_VERIFY_CODES.NITRO_DOCUMENT_FROM_FUTURE, "the Nitro document is dated after the verification time", {
      at: { field: "timestamp" },
      details: { timestamp: signedAt, at, clockToleranceMs },
    });
  }

  checkLeafKey(doc.certificate);
  const signed = encodeSigStructure(doc.cose.protectedHeader, doc.cose.payload);
  if (!verifyWith({ kind: "ecdsa", hash: "sha384" }, signed, doc.cose.signature, doc.certificate.publicKey, "p1363")) {
    throw new VerificationError(
      NITRO_VERIFY_CODES.NITRO_SIGNATURE_INVALID,
      "the COSE_Sign1 signature of the Nitro document does not verify",
      {
        at: { field: "signature", offset: doc.cose.spans.signature.start },
        details: { certificate: doc.certificate.subject },
      },
    );
  }

  const chain = verifyCertificateChain({
    name: "Nitro certificate chain",
    chain: [doc.certificate, ...[...doc.cabundle].reverse()],
    roots: trustedRoots,
    at: signedAt,
    caches: options.context?.pki,
  });

  const pcrs: Record<string, Hex> = {};
  for (const [index, value] of doc.pcrs) pcrs[String(index)] = hexOf(value);
  return {
    ok: true,
    tee: "nitro",
    claims: {
      pcr0: pcrHex(doc, 0),
      pcr1: pcrHex(doc, 1),
      pcr2: pcrHex(doc, 2),
      moduleId: doc.moduleId,
      timestamp: doc.timestamp,
      publicKey: doc.publicKey === null ? null : hexOf(doc.publicKey),
      userData: doc.userData === null ? null : hexOf(doc.userData),
      nonce: doc.nonce === null ? null : hexOf(doc.nonce),
    },
    tcb: { status: "NotApplicable", advisoryIds: [] },
    // NSM zeroes PCR0-2 for enclaves started in debug mode (whose memory the parent can read).
    debug: [0, 1, 2].some((i) => isAllZero(doc.pcrs.get(i)!)),
    evidenceHash: evidenceKeccak(doc.raw),
    // The chain travels inside the document: there is no external collateral to hash.
    collateralHash: zeroHash,
    expiresAt: chain.expiresAt,
    verifiedAt: at,
    platform: { pcrs, digest: doc.digest, cabundleDepth: doc.cabundle.length },
  };
}
