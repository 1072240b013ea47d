import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { acrossVerifications, type VerifierContext } from "../verifierContext.ts";
import type { ParsedCrl } from "../../pki/x509/certificate.ts";
import { keccak256Bytes, keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import { bodyKeccak, derKeccak } from "../collateralKeccak.ts";

const ZERO32: Hex = `0x${"00".repeat(32)}`;
function remembered(context: VerifierContext | undefined, key: () => string, make: () => Hex): Hex {
  const cache = acrossVerifications(context)?.keccak;
  return cache ? cache.getOrSet(key(), make) : make();
}

/** keccak256 of a signed Intel document's body, remembered in `context` by the body's SHA-256. */
export function documentKeccak(bodyHash: string, body: Uint8Array, context?: VerifierContext): Hex {
  return bodyKeccak(bodyHash, body, context);
}

/** keccak256 of a CRL's DER, remembered in `context` by the CRL's SHA-256 fingerprint. */
export function crlKeccakOf(crl: ParsedCrl, context?: VerifierContext): Hex {
  return derKeccak(crl, context);
}

/**
 * collateralHash = keccak256(keccak256(TCB Info body) ‖ keccak256(QE Identity body)
 * ‖ keccak256(PCK CRL DER) ‖ keccak256(root CA CRL DER)); an item left out under
 * an unsafe switch contributes 32 zero bytes. See docs/evidence/dcap.md.
 */
export function dcapCollateralHash(
  parts: { tcbInfo: Hex; qeIdentity?: Hex; pckCrl?: Hex; rootCaCrl?: Hex },
  context?: VerifierContext,
): Hex {
  const items = [parts.tcbInfo, parts.qeIdentity ?? ZERO32, parts.pckCrl ?? ZERO32, parts.rootCaCrl ?? ZERO32];
  return remembered(
    context,
    () => `combined:${items.join("")}`,
    () => keccak256Hex(Buffer.from(items.map((h) => h.slice(2)).join(""), "hex")),
  );
}

export { keccak256Bytes };
