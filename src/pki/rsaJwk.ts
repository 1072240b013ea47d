import type { KeyObject } from "node:crypto";
import { importSpki } from "./keyImport.ts";
import { VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import { bitString, integer, oid, seq } from "./x509/derEncode.ts";

export const RSA_JWK_CODES = defineErrorCodes("pki/rsaJwk", {
  RSA_JWK_INVALID: {
    stage: "verification",
    description:
      "An RSA public key given as a JWK is unusable: not base64url, a modulus outside 2048..4096 bits, or an exponent that is not an odd value ≥ 3.",
  },
});

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function base64url(value: string, name: string): Uint8Array {
  if (!BASE64URL.test(value) || value.length % 4 === 1) invalid(`the JWK's "${name}" is not base64url`, { field: name });
  return new Uint8Array(Buffer.from(value, "base64url"));
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw new VerificationError(RSA_JWK_CODES.RSA_JWK_INVALID, message, { details });
}

/** AlgorithmIdentifier { rsaEncryption, NULL } (RFC 3279 §2.3.1). */
const RSA_ENCRYPTION = seq(oid("1.2.840.113549.1.1.1"), Uint8Array.of(0x05, 0x00));

/**
 * An RSA public key from the `n` and `e` members of a JWK (RFC 7518 §6.3.1), checked before
 * node:crypto sees it: minimal big-endian integers, a 2048..4096-bit modulus, an odd exponent ≥ 3
 * of at most 4 bytes. Returns the key, its modulus size in bytes (the signature length) and its
 * SubjectPublicKeyInfo DER — encoded here from the checked integers, byte for byte what OpenSSL
 * exports (DER has one encoding), and what the key is imported from.
 */
export function rsaPublicKeyFromJwk(n: string, e: string): { key: KeyObject; modulusBytes: number; spki: Uint8Array } {
  const modulus = base64url(n, "n");
  const exponent = base64url(e, "e");
  if (modulus[0] === 0) invalid("the JWK modulus has a leading zero octet", { field: "n" });
  if (exponent.length === 0 || exponent.length > 4 || exponent[0] === 0)
    invalid("the JWK exponent is not a minimal 1..4 byte integer", { field: "e" });
  const bits = modulus.length * 8 - Math.clz32(modulus[0]!) + 24;
  if (bits < 2048 || bits > 4096) invalid(`the JWK modulus has ${bits} bits, not 2048..4096`, { field: "n", bits });
  const eValue = exponent.reduce((acc, b) => acc * 256 + b, 0);
  if (eValue < 3 || eValue % 2 === 0) invalid(`the JWK exponent ${eValue} is not an odd value ≥ 3`, { field: "e", e: eValue });
  const spki = seq(RSA_ENCRYPTION, bitString(seq(integer(modulus), integer(exponent))));
  try {
    return { key: importSpki(spki), modulusBytes: modulus.length, spki };
  } catch (cause) {
    throw new VerificationError(RSA_JWK_CODES.RSA_JWK_INVALID, "node:crypto refuses the JWK RSA key", { cause, details: {} });
  }
}
