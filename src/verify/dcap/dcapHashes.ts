import { concat, keccak256 } from "viem";
import type { Hex } from "../../util/bytes.ts";
import type { ParsedCrl } from "../x509/certificate.ts";

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const bodyKeccak = new Map<string, Hex>();
let crlKeccak = new WeakMap<ParsedCrl, Hex>();

/** Drops remembered collateral hashes (for cold-cache benchmarks). */
export function clearDcapHashCaches(): void {
  bodyKeccak.clear();
  crlKeccak = new WeakMap();
}

/** keccak256 of a signed Intel document's body, remembered by the body's SHA-256. */
export function documentKeccak(bodyHash: string, body: Uint8Array): Hex {
  let h = bodyKeccak.get(bodyHash);
  if (h === undefined) {
    h = keccak256(body);
    if (bodyKeccak.size >= 1024) bodyKeccak.delete(bodyKeccak.keys().next().value as string);
    bodyKeccak.set(bodyHash, h);
  }
  return h;
}

/** keccak256 of a CRL's DER (parsed CRLs are immutable and shared by parseCrl's cache). */
export function crlKeccakOf(crl: ParsedCrl): Hex {
  let h = crlKeccak.get(crl);
  if (h === undefined) {
    h = keccak256(crl.der);
    crlKeccak.set(crl, h);
  }
  return h;
}

/**
 * collateralHash = keccak256(keccak256(TCB Info body) ‖ keccak256(QE Identity body)
 * ‖ keccak256(PCK CRL DER) ‖ keccak256(root CA CRL DER)); an item left out under
 * an unsafe switch contributes 32 zero bytes. See docs/evidence/dcap.md.
 */
export function dcapCollateralHash(parts: { tcbInfo: Hex; qeIdentity?: Hex; pckCrl?: Hex; rootCaCrl?: Hex }): Hex {
  return keccak256(concat([parts.tcbInfo, parts.qeIdentity ?? ZERO32, parts.pckCrl ?? ZERO32, parts.rootCaCrl ?? ZERO32]));
}

/** keccak256 of the raw evidence bytes, as recorded on-chain. */
export function evidenceHashOf(bytes: Uint8Array): Hex {
  return keccak256(bytes);
}
