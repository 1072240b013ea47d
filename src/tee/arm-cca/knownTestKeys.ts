import type { Hex } from "@keepledger/sdk/internal/util/bytes";

/**
 * CPAKs whose private halves are published (test keys in Arm's and Linaro's
 * tooling). Evidence they sign proves nothing about hardware: it verifies (so
 * that test tokens can be worked with) but is marked insecure (`debug: true`),
 * and production policies refuse it. Identified by the SHA-256 of the key's
 * SubjectPublicKeyInfo DER.
 */
export const ARM_CCA_TEST_CPAKS: ReadonlyMap<Hex, string> = new Map<Hex, string>([
  [
    "0x0928f896cb02326566530a62a1e36329a12d0a4a308f4fc81e8ff5560bca6bca",
    // Private key: TrustedFirmware-M/tf-m-tools iat-verifier/tests/data/keys/cca_platform.pem; also
    // veraison/ccatoken realm/testvectors/tf-rmm/cca_platform.pem and the TF-A/TF-RMM FVP static platform token.
    "tf-m-tools cca_platform test key (TF-A / TF-RMM FVP platform token)",
  ],
]);

/** Whether a CPAK fingerprint names a published test key. */
export function isTestCpak(fingerprint: Hex): boolean {
  return ARM_CCA_TEST_CPAKS.has(fingerprint.toLowerCase() as Hex);
}
