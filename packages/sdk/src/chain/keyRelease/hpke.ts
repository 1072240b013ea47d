/**
 * The one HPKE suite of key release (RFC 9180, base mode): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-128-GCM, from @hpke/core and @hpke/dhkem-x25519. Shares are sealed to a validator's key-service key
 * at deposit and re-sealed to a Keep's recipient key at release; `info` binds each ciphertext to its use
 * (docs/key-release.md), so a ciphertext cannot be replayed into another key, version or request.
 */
import { Aes128Gcm, CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { concatBytes, hexToBytes, stringToBytes, toHex, type Address, type Hex } from "../../util/hex.ts";
import { VerificationError } from "../../errors/index.ts";
import { KEY_CODES } from "./codes.ts";

/** A sealed message: the KEM's encapsulated key and the AEAD ciphertext, both hex. */
export interface Sealed {
  enc: Hex;
  ct: Hex;
}

export interface HpkeKeyPair {
  /** 32 bytes, X25519. */
  publicKey: Hex;
  /** 32 bytes; keep it in the node's (sealed) store. */
  privateKey: Hex;
}

function suite(): CipherSuite {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
}

const copy = (b: ArrayBuffer | Uint8Array) => new Uint8Array(b instanceof Uint8Array ? b : new Uint8Array(b));

export async function generateHpkeKeyPair(): Promise<HpkeKeyPair> {
  const s = suite();
  const kp = await s.kem.generateKeyPair();
  return {
    publicKey: toHex(copy(await s.kem.serializePublicKey(kp.publicKey))),
    privateKey: toHex(copy(await s.kem.serializePrivateKey(kp.privateKey))),
  };
}

export async function hpkeSeal(recipientPublicKey: Hex, info: Uint8Array, plaintext: Uint8Array): Promise<Sealed> {
  const s = suite();
  const sealed = await s.seal({ recipientPublicKey: await s.kem.deserializePublicKey(hexToBytes(recipientPublicKey)), info }, plaintext);
  return { enc: toHex(copy(sealed.enc)), ct: toHex(copy(sealed.ct)) };
}

/** Opens a sealed message; a wrong key, info or a tampered ciphertext is KEY_DEPOSIT_MISMATCH-free: the caller names the failure. */
export async function hpkeOpen(privateKey: Hex, info: Uint8Array, sealed: Sealed): Promise<Uint8Array | undefined> {
  const s = suite();
  try {
    const recipientKey = await s.kem.deserializePrivateKey(hexToBytes(privateKey));
    return copy(await s.open({ recipientKey, enc: hexToBytes(sealed.enc), info }, hexToBytes(sealed.ct)));
  } catch {
    return undefined;
  }
}

/** Like hpkeOpen, but a failure is a typed error with `code`. */
export async function hpkeOpenOrThrow(
  privateKey: Hex,
  info: Uint8Array,
  sealed: Sealed,
  code: keyof typeof KEY_CODES,
  what: string,
): Promise<Uint8Array> {
  const opened = await hpkeOpen(privateKey, info, sealed);
  if (!opened) throw new VerificationError(KEY_CODES[code], `${what} does not open with the expected key`);
  return opened;
}

/** info of a share sealed to validator i at deposit: "keepledger.key-share.v1" ‖ keyId ‖ uint32 version ‖ validator. */
export function shareInfo(keyId: Hex, version: number, validator: Address): Uint8Array {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, version);
  return concatBytes(stringToBytes("keepledger.key-share.v1"), hexToBytes(keyId), v, hexToBytes(validator));
}

/** info of a share re-sealed to a Keep at release: "keepledger.key-release.v1" ‖ requestHash. */
export function releaseInfo(requestHash: Hex): Uint8Array {
  return concatBytes(stringToBytes("keepledger.key-release.v1"), hexToBytes(requestHash));
}
