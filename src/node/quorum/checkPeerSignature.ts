/**
 * A countersignature checked exactly as the AttestationRegistry will check it before the collector puts
 * it in a finalization (`_checkSignatures`: OpenZeppelin `ECDSA.tryRecoverCalldata`, then
 * `ValidatorSet.signerStatuses`): 65 bytes r‖s‖v, 0 < r < n, 0 < s ≤ n/2 (low s), v 27 or 28, a key that
 * recovers; the recovered address must be the validator that was asked, and that validator must count
 * now. One signature failing any of these makes the chain refuse the whole finalization, so a collector
 * drops it and the peer that returned it is faulty.
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { getAddress, type Address, type Hex } from "viem";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import { NODE_CODES } from "../codes.ts";

const N = secp256k1.CURVE.n;
/** OpenZeppelin's bound: s must not exceed 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0. */
const HALF_N = N >> 1n;

export type SignatureCheck =
  | { ok: true; signer: Address }
  | {
      ok: false;
      code:
        | typeof NODE_CODES.NODE_PEER_SIGNATURE_NOT_CANONICAL
        | typeof NODE_CODES.NODE_PEER_SIGNATURE_WRONG_SIGNER
        | typeof NODE_CODES.NODE_PEER_SIGNER_NOT_COUNTING;
      reason: string;
      /** The address the signature recovers to, when it recovers. */
      recovered?: Address;
    };

interface Parts {
  r: bigint;
  s: bigint;
  v: number;
}

/** What is wrong with the form of a signature for the contract (undefined when nothing is): no recovery, no curve arithmetic. */
export function signatureFormProblem(signature: string): string | undefined {
  const p = parts(signature);
  return typeof p === "string" ? p : undefined;
}

function parts(signature: string): Parts | string {
  if (!/^0x[0-9a-fA-F]*$/.test(signature)) return "the signature is not 0x-hex";
  if (signature.length !== 132) return `the signature is ${(signature.length - 2) / 2} bytes, not 65`;
  const r = BigInt(`0x${signature.slice(2, 66)}`);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `v is ${v}, not 27 or 28`;
  if (s > HALF_N) return "s is in the upper half of the curve order (a malleable high-s signature)";
  if (r === 0n || r >= N || s === 0n) return "r or s is out of range";
  return { r, s, v };
}

/** The address a signature recovers to under the contract's rules, or the reason it does not. */
export function recoverCanonicalSigner(digest: Hex, signature: string): { signer: Address } | { problem: string } {
  const p = parts(signature);
  if (typeof p === "string") return { problem: p };
  try {
    const point = new secp256k1.Signature(p.r, p.s).addRecoveryBit(p.v - 27).recoverPublicKey(digest.slice(2));
    const xy = point.toRawBytes(false).subarray(1);
    return { signer: getAddress(`0x${keccak256Hex(xy).slice(-40)}`) };
  } catch {
    return { problem: "the signature recovers to no key" };
  }
}

export interface CheckPeerSignatureOptions {
  digest: Hex;
  signature: string;
  /** The validator that was asked. */
  expected: Address;
  /** Whether an address is a registered, active, counting validator now. */
  counts(signer: Address): boolean;
}

/** Checks a peer's countersignature as the chain will; `ok` only when the contract would accept it from this signer. */
export function checkPeerSignature(o: CheckPeerSignatureOptions): SignatureCheck {
  const recovered = recoverCanonicalSigner(o.digest, o.signature);
  if ("problem" in recovered) return { ok: false, code: NODE_CODES.NODE_PEER_SIGNATURE_NOT_CANONICAL, reason: recovered.problem };
  const { signer } = recovered;
  if (signer !== getAddress(o.expected)) {
    return {
      ok: false,
      code: NODE_CODES.NODE_PEER_SIGNATURE_WRONG_SIGNER,
      reason: `recovers to ${signer}, not ${getAddress(o.expected)} (another key, or other fields)`,
      recovered: signer,
    };
  }
  if (!o.counts(signer))
    return { ok: false, code: NODE_CODES.NODE_PEER_SIGNER_NOT_COUNTING, reason: `${signer} does not count now`, recovered: signer };
  return { ok: true, signer };
}
