import { verify } from "node:crypto";
import { getAddress, keccak256, type Address, type Hex, type PublicClient } from "viem";
import type { Deployment } from "../chain/deployment.ts";
import { attestationRegistryAbi, validatorSetAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseCertificate } from "../pki/x509/certificate.ts";
import { CERT_CODES } from "./codes.ts";
import { decodeKeepAttestation, findKeepAttestation } from "./keepCertificateExtension.ts";
import { chainTime, secp256k1PublicKeyObject } from "./keys.ts";

export interface VerifyKeepCertificateOptions {
  publicClient: PublicClient;
  deployment: Deployment;
  /** Require this workload (default: any; the result says which). */
  workloadId?: Hex;
  /** Check as of this time (default: the registry's time, the latest block). */
  at?: Date;
}

export interface VerifiedKeepCertificate {
  subject: Address;
  workloadId: Hex;
  verdictId: Hex;
  validator: Address;
  notAfter: Date;
  /** When the verdict behind it stops holding. */
  verdictExpiresAt: Date;
}

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new VerificationError(code, message, { details });
}

/**
 * Accepts a certificate only if it was issued by a counting validator of this
 * deployment, is within its (short) validity, and the verdict it derives from
 * is still the live verdict of its subject for its workload on-chain.
 */
export async function verifyKeepCertificate(
  certificate: Uint8Array | string,
  o: VerifyKeepCertificateOptions,
): Promise<VerifiedKeepCertificate> {
  const cert = parseCertificate(certificate, "Keep certificate");
  const value = findKeepAttestation(cert.tbs);
  if (!value) fail(CERT_CODES.CERT_NOT_KEEP_CERTIFICATE, "the certificate carries no keepledger attestation extension");
  const claim = decodeKeepAttestation(value);
  if (claim.chainId !== o.deployment.chainId || claim.registry !== getAddress(o.deployment.contracts.attestationRegistry)) {
    fail(CERT_CODES.CERT_WRONG_DEPLOYMENT, "the certificate was issued for another chain or registry", {
      chainId: claim.chainId,
      registry: claim.registry,
    });
  }
  if (o.workloadId !== undefined && claim.workloadId !== o.workloadId.toLowerCase()) {
    fail(CERT_CODES.CERT_WRONG_DEPLOYMENT, "the certificate is for another workload", { want: o.workloadId, got: claim.workloadId });
  }
  if (getAddress(cert.subject.replace(/^CN=/, "")) !== claim.subject) {
    fail(CERT_CODES.CERT_NOT_KEEP_CERTIFICATE, "the certificate's subject name differs from its attested subject");
  }
  // The issuer's key is in the extension (signed with the rest); its address must be a counting validator.
  if (
    cert.signatureAlgorithm.kind !== "ecdsa" ||
    !verify(cert.signatureAlgorithm.hash, cert.tbs, secp256k1PublicKeyObject(claim.issuerPublicKey), cert.signature)
  ) {
    fail(CERT_CODES.CERT_ISSUER_NOT_VALIDATOR, "the certificate is not signed by the key it names as its issuer");
  }
  const validator = getAddress(`0x${keccak256(claim.issuerPublicKey).slice(-40)}`);
  const at = o.at ?? (await chainTime(o.publicClient));
  if (at < cert.notBefore || at > cert.notAfter) {
    fail(
      CERT_CODES.CERT_OUTSIDE_VALIDITY,
      `the certificate is valid ${cert.notBefore.toISOString()} – ${cert.notAfter.toISOString()}, not at ${at.toISOString()}`,
    );
  }
  const [counting, [ok, verdictId, expiresAt]] = await Promise.all([
    o.publicClient.readContract({
      address: o.deployment.contracts.validatorSet,
      abi: validatorSetAbi,
      functionName: "isCounting",
      args: [validator],
    }),
    o.publicClient.readContract({
      address: o.deployment.contracts.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "isAttested",
      args: [claim.subject, claim.workloadId],
    }),
  ]);
  if (!counting) fail(CERT_CODES.CERT_ISSUER_NOT_VALIDATOR, `the issuer ${validator} is not a counting validator`, { validator });
  if (!ok || verdictId !== claim.verdictId) {
    fail(
      CERT_CODES.CERT_VERDICT_MISMATCH,
      ok ? "the subject has a newer verdict than the certificate's" : "the subject's verdict is no longer live",
      {
        certificateVerdict: claim.verdictId,
        liveVerdict: ok ? verdictId : null,
      },
    );
  }
  return {
    subject: claim.subject,
    workloadId: claim.workloadId,
    verdictId: claim.verdictId,
    validator,
    notAfter: cert.notAfter,
    verdictExpiresAt: new Date(Number(expiresAt) * 1000),
  };
}
