import type { Hex } from "../util/hex.ts";
import { sha256 } from "../util/sha256.ts";

/**
 * The identity of an Arm CCA platform attestation key (CPAK), as the CpakAllowList contract's per-workload
 * allow-list holds it (docs/ids.md, "CPAK identity"): SHA-256 of the key's SubjectPublicKeyInfo DER —
 * for a P-384 key the 120-byte SPKI (id-ecPublicKey, secp384r1, the uncompressed point). The same value
 * names known test keys (src/tee/arm-cca/knownTestKeys.ts) and is the CLI's `--cpak` argument.
 */
export function cpakId(spkiDer: Uint8Array): Hex {
  return sha256(spkiDer);
}
