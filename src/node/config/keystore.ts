/**
 * Ethereum keystore v3 files (the Web3 Secret Storage format geth, Foundry's `cast wallet` and MetaMask
 * export): the private key encrypted with aes-128-ctr under a key derived from a password with scrypt or
 * PBKDF2-HMAC-SHA256, and a MAC = keccak256(derivedKey[16..32] ‖ ciphertext) that detects a wrong
 * password. Only node:crypto is used.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from "node:crypto";
import { keccak256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { NODE_CODES } from "../codes.ts";

interface KeystoreV3 {
  version: 3;
  id?: string;
  address?: string;
  crypto: {
    cipher: string;
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: string;
    kdfparams: Record<string, unknown>;
    mac: string;
  };
}

function invalid(message: string, cause?: unknown): UsageError {
  return new UsageError(NODE_CODES.NODE_KEYSTORE_INVALID, message, cause === undefined ? {} : { cause });
}

function hexBytes(value: unknown, field: string): Buffer {
  if (typeof value !== "string" || !/^(0x)?([0-9a-fA-F]{2})*$/.test(value)) throw invalid(`keystore ${field} is not hex`);
  return Buffer.from(value.replace(/^0x/, ""), "hex");
}

function intParam(params: Record<string, unknown>, name: string, max: number): number {
  const v = params[name];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0 || v > max)
    throw invalid(`keystore kdfparams.${name} is not an integer in 1..${max}`);
  return v;
}

function deriveKey(crypto: KeystoreV3["crypto"], password: string): Buffer {
  const p = crypto.kdfparams;
  const salt = hexBytes(p.salt, "kdfparams.salt");
  const dklen = intParam(p, "dklen", 64);
  if (dklen < 32) throw invalid("keystore kdfparams.dklen must be at least 32");
  if (crypto.kdf === "scrypt") {
    const N = intParam(p, "n", 1 << 22);
    const r = intParam(p, "r", 64);
    const pp = intParam(p, "p", 16);
    return scryptSync(password.normalize("NFKC"), salt, dklen, { N, r, p: pp, maxmem: 256 * N * r + (1 << 20) });
  }
  if (crypto.kdf === "pbkdf2") {
    if (p.prf !== "hmac-sha256") throw invalid(`keystore PBKDF2 PRF ${String(p.prf)} is not supported (hmac-sha256 only)`);
    return pbkdf2Sync(password.normalize("NFKC"), salt, intParam(p, "c", 1 << 24), dklen, "sha256");
  }
  throw invalid(`keystore KDF ${crypto.kdf} is not supported (scrypt or pbkdf2)`);
}

/** Decrypts a keystore v3 JSON text with `password`; returns the private key. */
export function decryptKeystore(text: string, password: string): Hex {
  let json: KeystoreV3;
  try {
    json = JSON.parse(text) as KeystoreV3;
  } catch (cause) {
    throw invalid("the keystore is not JSON", cause);
  }
  if (json === null || typeof json !== "object" || json.version !== 3 || typeof json.crypto !== "object" || json.crypto === null) {
    throw invalid("the keystore is not a version 3 keystore");
  }
  const c = json.crypto;
  if (c.cipher !== "aes-128-ctr") throw invalid(`keystore cipher ${c.cipher} is not supported (aes-128-ctr only)`);
  const derived = deriveKey(c, password);
  const ciphertext = hexBytes(c.ciphertext, "ciphertext");
  const mac = hexBytes(c.mac, "mac");
  const want = Buffer.from(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2), "hex");
  if (mac.length !== 32 || !timingSafeEqual(mac, want)) throw invalid("the keystore password is wrong (MAC mismatch)");
  const iv = hexBytes(c.cipherparams?.iv, "cipherparams.iv");
  if (iv.length !== 16) throw invalid("keystore cipherparams.iv must be 16 bytes");
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw invalid(`the keystore holds ${key.length} bytes, not a 32-byte private key`);
  const privateKey = `0x${key.toString("hex")}` as Hex;
  if (typeof json.address === "string" && json.address !== "") {
    const got = privateKeyToAccount(privateKey).address.toLowerCase().slice(2);
    if (json.address.toLowerCase().replace(/^0x/, "") !== got) throw invalid("the keystore's address does not match its key");
  }
  return privateKey;
}

export interface EncryptKeystoreOptions {
  /** scrypt cost N (default 2^18, as geth; tests use less). */
  scryptN?: number;
}

/** Encrypts a private key into keystore v3 JSON text (scrypt, aes-128-ctr). */
export function encryptKeystore(privateKey: Hex, password: string, options: EncryptKeystoreOptions = {}): string {
  const N = options.scryptN ?? 1 << 18;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const derived = scryptSync(password.normalize("NFKC"), salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 + (1 << 20) });
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);
  return JSON.stringify({
    version: 3,
    id: randomUUID(),
    address: privateKeyToAccount(privateKey).address.toLowerCase().slice(2),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams: { dklen: 32, n: N, r: 8, p: 1, salt: salt.toString("hex") },
      mac,
    },
  });
}
