import type { Hex } from "../../util/bytes.ts";
import type { ParsedCrl } from "../../pki/x509/certificate.ts";
import { keccak256Bytes, keccak256Hex } from "../../util/keccak256.ts";

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const bodyKeccak = new Map<string, Hex>();
const combined = new Map<string, Hex>();
let crlKeccak = new WeakMap<ParsedCrl, Hex>();

/** Drops remembered collateral hashes (for cold-cache benchmarks). */
export function clearDcapHashCaches(): void {
  bodyKeccak.clear();
  combined.clear();
  crlKeccak = new WeakMap();
}

function remember(cache: Map<string, Hex>, key: string, value: Hex): Hex {
  if (cache.size >= 1024) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** keccak256 of a signed Intel document's body, remembered by the body's SHA-256. */
export function documentKeccak(bodyHash: string, body: Uint8Array): Hex {
  return bodyKeccak.get(bodyHash) ?? remember(bodyKeccak, bodyHash, keccak256Hex(body));
}

/** keccak256 of a CRL's DER (parsed CRLs are immutable and shared by parseCrl's cache). */
export function crlKeccakOf(crl: ParsedCrl): Hex {
  let h = crlKeccak.get(crl);
  if (h === undefined) {
    h = keccak256Hex(crl.der);
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
  const items = [parts.tcbInfo, parts.qeIdentity ?? ZERO32, parts.pckCrl ?? ZERO32, parts.rootCaCrl ?? ZERO32];
  const key = items.join("");
  return combined.get(key) ?? remember(combined, key, keccak256Hex(Buffer.from(items.map((h) => h.slice(2)).join(""), "hex")));
}

/** keccak256 of the raw evidence bytes, as recorded on-chain. */
export function evidenceHashOf(bytes: Uint8Array): Hex {
  return keccak256Hex(bytes);
}

export { keccak256Bytes };
