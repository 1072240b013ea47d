import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

// DER prefixes that wrap a raw Ed25519 key (RFC 8410): node:crypto imports keys as DER or JWK, not raw bytes.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The Ed25519 private key whose RFC 8032 seed is these 32 bytes. */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/**
 * The Ed25519 public key of this 32-byte encoding (not checked for being a point: verification fails if
 * it is not). Imported as a JWK: OpenSSL then takes the raw key as is, a third cheaper than decoding DER.
 */
export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

/** The 32-byte encoding of a key's Ed25519 public key. */
export function ed25519RawPublicKey(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}
