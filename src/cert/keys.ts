import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { Hex, PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const b64u = (hex: string): string => Buffer.from(hex, "hex").toString("base64url");

/** A node:crypto key for a secp256k1 private key given as 0x hex. */
export function secp256k1KeyObject(privateKey: Hex): KeyObject {
  const pub = privateKeyToAccount(privateKey).publicKey.slice(4);
  return createPrivateKey({
    key: { kty: "EC", crv: "secp256k1", d: b64u(privateKey.slice(2)), x: b64u(pub.slice(0, 64)), y: b64u(pub.slice(64)) },
    format: "jwk",
  });
}

/** A node:crypto public key for a secp256k1 X‖Y (64 bytes). */
export function secp256k1PublicKeyObject(xy: Hex): KeyObject {
  return createPublicKey({ key: { kty: "EC", crv: "secp256k1", x: b64u(xy.slice(2, 66)), y: b64u(xy.slice(66, 130)) }, format: "jwk" });
}

/** The registry's time: the latest block's timestamp (what verdict expiries are measured against). */
export async function chainTime(client: PublicClient): Promise<Date> {
  const block = await client.getBlock({ blockTag: "latest" });
  return new Date(Number(block.timestamp) * 1000);
}
