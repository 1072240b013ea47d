import { getAddress, keccak256, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";
import { UsageError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { keepledgerDomain } from "@keepledger/sdk/internal/ids/verdictCodec";
import { CERT_CODES } from "./codes.ts";

/**
 * A Keep asks a validator for a short-lived certificate for its TLS key. The
 * request is signed (EIP-712) by the Keep's *attested* secp256k1 key, which
 * proves that whoever holds the attested key vouches for the TLS key.
 */
export interface CertificateRequest {
  version: 1;
  chainId: number;
  registry: Address;
  workloadId: Hex;
  /** The TLS key's SubjectPublicKeyInfo, DER, base64. */
  tlsPublicKey: string;
  /** Unix seconds (registry time). */
  requestedAt: number;
  signature: Hex;
}

const TYPES = {
  KeepCertificateRequest: [
    { name: "workloadId", type: "bytes32" },
    { name: "tlsPublicKeyHash", type: "bytes32" },
    { name: "requestedAt", type: "uint64" },
  ],
} as const;

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `0x + ${bytes * 2} hex digits`);
const schema = z.object({
  version: z.literal(1),
  chainId: z.number().int().positive(),
  registry: hex(20),
  workloadId: hex(32),
  tlsPublicKey: z.string().min(1),
  requestedAt: z.number().int().nonnegative(),
  signature: hex(65),
});

function message(r: Omit<CertificateRequest, "signature" | "version">) {
  return {
    domain: keepledgerDomain(r.chainId, r.registry),
    types: TYPES,
    primaryType: "KeepCertificateRequest" as const,
    message: {
      workloadId: r.workloadId,
      tlsPublicKeyHash: keccak256(new Uint8Array(Buffer.from(r.tlsPublicKey, "base64"))),
      requestedAt: BigInt(r.requestedAt),
    },
  };
}

export interface CreateCertificateRequestOptions {
  /** The Keep's attested secp256k1 private key. */
  attestedKey: Hex;
  tlsPublicKeySpki: Uint8Array;
  workloadId: Hex;
  chainId: number;
  registry: Address;
  requestedAt: number;
}

export async function createCertificateRequest(o: CreateCertificateRequestOptions): Promise<CertificateRequest> {
  const body = {
    chainId: o.chainId,
    registry: getAddress(o.registry),
    workloadId: o.workloadId.toLowerCase() as Hex,
    tlsPublicKey: Buffer.from(o.tlsPublicKeySpki).toString("base64"),
    requestedAt: o.requestedAt,
  };
  const signature = await privateKeyToAccount(o.attestedKey).signTypedData(message(body));
  return { version: 1, ...body, signature };
}

export function parseCertificateRequest(text: string): CertificateRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(CERT_CODES.CERT_REQUEST_INVALID, "the certificate request is not JSON", { cause });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UsageError(
      CERT_CODES.CERT_REQUEST_INVALID,
      `certificate request field ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      {
        at: { field: issue.path.join(".") },
      },
    );
  }
  return {
    ...r.data,
    registry: getAddress(r.data.registry),
    workloadId: r.data.workloadId.toLowerCase() as Hex,
    signature: r.data.signature as Hex,
  };
}

/** The attested key's address that signed the request. */
export async function certificateRequestSigner(r: CertificateRequest): Promise<Address> {
  try {
    return await recoverTypedDataAddress({ ...message(r), signature: r.signature });
  } catch (cause) {
    throw new VerificationError(CERT_CODES.CERT_REQUEST_SIGNATURE_INVALID, "the certificate request signature is malformed", { cause });
  }
}
