import { randomBytes, sign } from "node:crypto";
import { getAddress, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../chain/deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { CERT_CODES } from "./codes.ts";
import { certificateRequestSigner, type CertificateRequest } from "./certificateRequest.ts";
import { bitString, bool, explicit, integer, octets, oid, seq, set, time, utf8 } from "../pki/x509/derEncode.ts";
import { KEEP_ATTESTATION_OID, encodeKeepAttestation } from "./keepCertificateExtension.ts";
import { chainTime, secp256k1KeyObject } from "./keys.ts";

export interface IssueKeepCertificateOptions {
  request: CertificateRequest;
  /** The issuing validator's secp256k1 private key (its on-chain identity). */
  validatorKey: Hex;
  publicClient: PublicClient;
  deployment: Deployment;
  /** Issue as of this time (default: the registry's time, the latest block). */
  now?: Date;
  /** Longest validity (default 10 minutes); never beyond the verdict's expiry. */
  lifetimeSeconds?: number;
  /** Oldest request accepted (default 5 minutes). */
  maxRequestAgeSeconds?: number;
}

export interface IssuedKeepCertificate {
  der: Uint8Array;
  pem: string;
  notBefore: Date;
  notAfter: Date;
  verdictId: Hex;
}

const ECDSA_WITH_SHA256 = seq(oid("1.2.840.10045.4.3.2"));
const name = (cn: string): Uint8Array => seq(set(seq(oid("2.5.4.3"), utf8(cn))));
const extension = (id: string, critical: boolean, value: Uint8Array): Uint8Array =>
  seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/**
 * A validator issues a short-lived X.509 certificate for a Keep's TLS key once
 * the Keep's attested key has a live verdict for the workload: the seed's
 * "one-use certificate derived from attestation". Signed by the validator's
 * secp256k1 key; clients check it with verifyKeepCertificate, not a CA store.
 */
export async function issueKeepCertificate(o: IssueKeepCertificateOptions): Promise<IssuedKeepCertificate> {
  const { request, deployment } = o;
  if (request.chainId !== deployment.chainId || getAddress(request.registry) !== getAddress(deployment.contracts.attestationRegistry)) {
    throw new VerificationError(CERT_CODES.CERT_WRONG_DEPLOYMENT, "the request names another chain or registry", {
      details: { chainId: request.chainId, registry: request.registry },
    });
  }
  const now = o.now ?? (await chainTime(o.publicClient));
  const nowS = Math.floor(now.getTime() / 1000);
  const maxAge = o.maxRequestAgeSeconds ?? 300;
  if (request.requestedAt > nowS + 30 || nowS - request.requestedAt > maxAge) {
    throw new VerificationError(
      CERT_CODES.CERT_REQUEST_STALE,
      `the request was made at ${request.requestedAt}, now is ${nowS} (limit ${maxAge} s)`,
    );
  }
  const subject = await certificateRequestSigner(request);
  const [ok, verdictId, expiresAt] = await o.publicClient.readContract({
    address: deployment.contracts.attestationRegistry,
    abi: attestationRegistryAbi,
    functionName: "isAttested",
    args: [subject, request.workloadId],
  });
  if (!ok) {
    throw new VerificationError(CERT_CODES.CERT_SUBJECT_NOT_ATTESTED, `${subject} has no live verdict for workload ${request.workloadId}`, {
      details: { subject, workloadId: request.workloadId },
    });
  }
  const validator = privateKeyToAccount(o.validatorKey);
  const notBefore = new Date((nowS - 30) * 1000);
  const notAfter = new Date(Math.min(nowS + (o.lifetimeSeconds ?? 600), Number(expiresAt)) * 1000);
  const spki = new Uint8Array(Buffer.from(request.tlsPublicKey, "base64"));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(Uint8Array.of(0x01, ...randomBytes(15))),
    ECDSA_WITH_SHA256,
    name(`keepledger validator ${validator.address}`),
    seq(time(notBefore), time(notAfter)),
    name(subject),
    spki,
    explicit(
      3,
      seq(
        extension("2.5.29.19", true, seq()), // basicConstraints: not a CA
        extension("2.5.29.15", true, bitString(Uint8Array.of(0x80), 7)), // keyUsage: digitalSignature
        extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))), // serverAuth, clientAuth
        extension(
          KEEP_ATTESTATION_OID,
          false,
          encodeKeepAttestation({
            verdictId,
            chainId: deployment.chainId,
            registry: deployment.contracts.attestationRegistry,
            workloadId: request.workloadId,
            subject,
            issuerPublicKey: `0x${validator.publicKey.slice(4)}` as Hex,
          }),
        ),
      ),
    ),
  );
  const signature = sign("sha256", tbs, secp256k1KeyObject(o.validatorKey));
  const der = seq(tbs, ECDSA_WITH_SHA256, bitString(new Uint8Array(signature)));
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
  return { der, pem, notBefore, notAfter, verdictId };
}
