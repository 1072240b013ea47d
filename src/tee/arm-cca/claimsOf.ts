import { toHex } from "@keepledger/sdk/internal/util/bytes";
import type { ArmCcaClaims } from "@keepledger/sdk/internal/tee/arm-cca/claims";
import type { CcaToken } from "./parseCcaToken.ts";

/** The claims of a parsed token as plain JSON-able values (only verifyCcaToken calls it on verified tokens). */
export function armCcaClaimsOf(token: CcaToken): ArmCcaClaims {
  const realm = token.realm.claims;
  const platform = token.platform.claims;
  const [rem0, rem1, rem2, rem3] = realm.extensibleMeasurements;
  return {
    realmInitialMeasurement: toHex(realm.initialMeasurement),
    realmExtensibleMeasurements: [toHex(rem0), toHex(rem1), toHex(rem2), toHex(rem3)],
    personalizationValue: toHex(realm.personalizationValue),
    hashAlgorithm: realm.hashAlgorithm,
    reportData: toHex(realm.challenge),
    realmPublicKey: toHex(realm.publicKey),
    realmPublicKeyHashAlgorithm: realm.publicKeyHashAlgorithm,
    realmProfile: realm.profile,
    platformProfile: platform.profile,
    platformImplementationId: toHex(platform.implementationId),
    platformInstanceId: toHex(platform.instanceId),
    platformLifecycle: platform.lifecycle,
    platformConfig: toHex(platform.config),
    platformHashAlgorithm: platform.hashAlgorithm,
    platformSwComponents: platform.swComponents.map((c) => ({
      type: c.type,
      measurement: toHex(c.measurement),
      version: c.version,
      signerId: toHex(c.signerId),
      hashAlgorithm: c.hashAlgorithm,
    })),
    platformVerificationService: platform.verificationService,
  };
}
