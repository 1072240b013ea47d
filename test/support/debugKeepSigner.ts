/**
 * The debug Keep test signer: builds evidence field by field, independently
 * of createDebugEvidence, so failure cases (wrong version, foreign signer,
 * high-s, bad v, off-curve keys) come from a signer rather than from edited
 * bytes. Signing uses viem (RFC 6979, as a Keep's wallet would).
 */
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

export interface DebugTestFields {
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

export function publicKeyOf(privateKey: Hex): Uint8Array {
  return new Uint8Array(Buffer.from(privateKeyToAccount(privateKey).publicKey.slice(4), "hex")); // drop 0x04
}

/** The 180 signed bytes, laid out by hand from the format table. */
export function debugTestBody(fields: DebugTestFields = {}): Uint8Array {
  const b = Buffer.alloc(180);
  Buffer.from(fields.magic ?? [0x7f, ...Buffer.from("KEEPDBG")]).copy(b, 0);
  b.writeUInt16LE(fields.version ?? 1, 8);
  b.writeUInt16LE(fields.flags ?? 0, 10);
  Buffer.from(fields.measurement ?? new Uint8Array(32).fill(0xaa)).copy(b, 12);
  Buffer.from(fields.reportData ?? new Uint8Array(64).fill(0xbb)).copy(b, 44);
  Buffer.from(fields.publicKey ?? publicKeyOf(fields.signer ?? DEBUG_TEST_KEYS.keep)).copy(b, 108);
  b.writeBigUInt64LE(BigInt(fields.timestamp ?? DEBUG_TEST_TIME.getTime()), 172);
  return new Uint8Array(b);
}

/** Debug Keep evidence signed by the test signer, with any field set as a test needs. */
export async function signDebugTestEvidence(fields: DebugTestFields = {}): Promise<Uint8Array> {
  const body = debugTestBody(fields);
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
