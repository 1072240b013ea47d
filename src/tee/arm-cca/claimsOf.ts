import { hexOf } from "../../util/hexOf.ts";
import type { ArmCcaClaims } from "@keepledger/sdk/internal/tee/arm-cca/claims";
import type { CcaToken } from "./parseCcaToken.ts";

/** The claims of a parsed token as plain JSON-able values (only verifyCcaToken calls it on verified tokens). */
export function armCcaClaimsOf(token: CcaToken): ArmCcaClaims {
  const realm = token.realm.claims;
  const platform = token.platform.claims;
  const [rem0, rem1, rem2, rem3] = realm.extensibleMeasurements;
  return {
    realmInitialMeasurement: hexOf(realm.initialMeasurement),
    realmExtensibleMeasurements: [hexOf(rem0), hexOf(rem1), hexOf(rem2), hexOf(rem3)],
    personalizationValue: hexOf(realm.personalizationValue),
    hashAlgorithm: realm.hashAlgorithm,
    reportData: hexOf(realm.challenge),
    realmPublicKey: hexOf(realm.publicKey),
    realmPublicKeyHashAlgorithm: realm.publicKeyHashAlgorithm,
    realmProfile: realm.profile,
    platformProfile: platform.profile,
    platformImplementationId: hexOf(platform.implementationId),
    platformInstanceId: hexOf(platform.instanceId),
    platformLifecycle: platform.lifecycle,
    platformConfig: hexOf(platform.config),
    platformHashAlgorithm: platform.hashAlgorithm,
    platformSwComponents: platform.swComponents.map((c) => ({
      type: c.type,
      measurement: hexOf(c.measurement),
      version: c.version,
      signerId: hexOf(c.signerId),
      hashAlgorithm: c.hashAlgorithm,
    })),
    platformVerificationService: platform.verificationService,
  };
}
