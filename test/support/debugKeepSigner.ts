/**
 * The debug Keep test signer: builds evidence field by field, independently
 * of createDebugEvidence, so failure cases (wrong version, foreign signer,
 * bad keys, malleated signatures) come from a signer rather than from edited
 * bytes. Version 2 (what is made now) signs with node:crypto's Ed25519;
 * version 1 (legacy, still verified) with viem (RFC 6979, as a Keep's wallet
 * would).
 */
import { createPrivateKey, createPublicKey, sign as ed25519Sign } from "node:crypto";
import { keccak256, type Hex } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";

/** Well-known test keys: never use them for anything but tests. */
export const DEBUG_TEST_KEYS = {
  keep: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
  other: "0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f",
} as const satisfies Record<string, Hex>;

export const DEBUG_TEST_TIME = new Date(Date.UTC(2025, 5, 1, 12, 0, 0, 125));

/** secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** Ed25519 group order L. */
export const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

export interface DebugTestFields {
  magic?: Uint8Array;
  version?: number;
  flags?: number;
  measurement?: Uint8Array;
  reportData?: Uint8Array;
  /** Ed25519, 32 bytes; default: the signer's key. */
  publicKey?: Uint8Array;
  timestamp?: bigint | number;
  /** Who signs: an Ed25519 seed (default DEBUG_TEST_KEYS.keep). */
  signer?: Hex;
  /** Replace S by S + L: the same signature with a non-canonical S. */
  sPlusL?: boolean;
  /** Replace the whole 64-byte signature. */
  signature?: Uint8Array;
}

function ed25519PrivateKeyOf(seed: Hex) {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed.slice(2), "hex")]);
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
}

/** The Ed25519 public key (32 bytes) of a seed, from its JWK. */
export function publicKeyOf(seed: Hex): Uint8Array {
  const jwk = createPublicKey(ed25519PrivateKeyOf(seed)).export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
}

/** The 148 signed bytes of version 2, laid out by hand from the format table. */
export function debugTestBody(fields: DebugTestFields = {}): Uint8Array {
  const b = Buffer.alloc(148);
  Buffer.from(fields.magic ?? [0x7f, ...Buffer.from("KEEPDBG")]).copy(b, 0);
  b.writeUInt16LE(fields.version ?? 2, 8);
  b.writeUInt16LE(fields.flags ?? 0, 10);
  Buffer.from(fields.measurement ?? new Uint8Array(32).fill(0xaa)).copy(b, 12);
  Buffer.from(fields.reportData ?? new Uint8Array(64).fill(0xbb)).copy(b, 44);
  Buffer.from(fields.publicKey ?? publicKeyOf(fields.signer ?? DEBUG_TEST_KEYS.keep)).copy(b, 108);
  b.writeBigUInt64LE(BigInt(fields.timestamp ?? DEBUG_TEST_TIME.getTime()), 140);
  return new Uint8Array(b);
}

/** Debug Keep evidence (version 2) signed by the test signer, with any field set as a test needs. */
export async function signDebugTestEvidence(fields: DebugTestFields = {}): Promise<Uint8Array> {
  const body = debugTestBody(fields);
  let signature: Uint8Array;
  if (fields.signature) {
    signature = fields.signature;
  } else {
    signature = new Uint8Array(ed25519Sign(null, body, ed25519PrivateKeyOf(fields.signer ?? DEBUG_TEST_KEYS.keep)));
    if (fields.sPlusL === true) {
      const s = Buffer.from(signature.subarray(32)).reverse(); // S is little-endian
      const sl = BigInt(`0x${s.toString("hex")}`) + ED25519_L;
      signature.set(Buffer.from(sl.toString(16).padStart(64, "0"), "hex").reverse(), 32);
    }
  }
  return new Uint8Array([...body, ...signature]);
}

export interface DebugV1TestFields {
  magic?: Uint8Array;
  version?: number;
  flags?: number;
  measurement?: Uint8Array;
  reportData?: Uint8Array;
  /** X‖Y; default: the signer's key. */
  publicKey?: Uint8Array;
  timestamp?: bigint | number;
  /** Who signs (default DEBUG_TEST_KEYS.keep). */
  signer?: Hex;
  /** Replace s by n − s and flip v: the other valid signature, with a high s. */
  highS?: boolean;
  /** Use the other recovery bit (28 for 27 and back): a valid signature that recovers another key. */
  otherRecoveryBit?: boolean;
  /** Overwrite v after signing. */
  v?: number;
  /** Replace the whole 65-byte signature. */
  signature?: Uint8Array;
}

/** The secp256k1 public key X‖Y (64 bytes) of a private key, for version 1. */
export function secp256k1PublicKeyOf(privateKey: Hex): Uint8Array {
  return new Uint8Array(Buffer.from(privateKeyToAccount(privateKey).publicKey.slice(4), "hex")); // drop 0x04
}

/** The 180 signed bytes of version 1 (legacy), laid out by hand from the format table. */
export function debugV1TestBody(fields: DebugV1TestFields = {}): Uint8Array {
  const b = Buffer.alloc(180);
  Buffer.from(fields.magic ?? [0x7f, ...Buffer.from("KEEPDBG")]).copy(b, 0);
  b.writeUInt16LE(fields.version ?? 1, 8);
  b.writeUInt16LE(fields.flags ?? 0, 10);
  Buffer.from(fields.measurement ?? new Uint8Array(32).fill(0xaa)).copy(b, 12);
  Buffer.from(fields.reportData ?? new Uint8Array(64).fill(0xbb)).copy(b, 44);
  Buffer.from(fields.publicKey ?? secp256k1PublicKeyOf(fields.signer ?? DEBUG_TEST_KEYS.keep)).copy(b, 108);
  b.writeBigUInt64LE(BigInt(fields.timestamp ?? DEBUG_TEST_TIME.getTime()), 172);
  return new Uint8Array(b);
}

/** Legacy debug Keep evidence (version 1, secp256k1), as made before version 2, with any field set as a test needs. */
export async function signDebugV1TestEvidence(fields: DebugV1TestFields = {}): Promise<Uint8Array> {
  const body = debugV1TestBody(fields);
  let signature: Uint8Array;
  if (fields.signature) {
    signature = fields.signature;
  } else {
    const sig = await sign({ hash: keccak256(body), privateKey: fields.signer ?? DEBUG_TEST_KEYS.keep });
    let s = BigInt(sig.s);
    let yParity = sig.yParity ?? 0;
    if (fields.highS === true) {
      s = SECP256K1_N - s;
      yParity = 1 - yParity;
    }
    if (fields.otherRecoveryBit === true) yParity = 1 - yParity;
    signature = new Uint8Array([
      ...Buffer.from(sig.r.slice(2).padStart(64, "0"), "hex"),
      ...Buffer.from(s.toString(16).padStart(64, "0"), "hex"),
      27 + yParity,
    ]);
  }
  if (fields.v !== undefined) signature = new Uint8Array([...signature.subarray(0, 64), fields.v]);
  return new Uint8Array([...body, ...signature]);
}
