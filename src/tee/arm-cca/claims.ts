import { toHex, type Hex } from "../../util/bytes.ts";
import type { CcaHashAlgorithm } from "./claimReaders.ts";
import type { CcaToken } from "./parseCcaToken.ts";

/** One measured platform software component, as hex. */
export interface ArmCcaSwComponent {
  type: string | null;
  measurement: Hex;
  version: string | null;
  signerId: Hex;
  hashAlgorithm: string | null;
}

/** What a verified Arm CCA token claims: the realm (the workload) and the platform it runs on. */
export interface ArmCcaClaims {
  /** RIM (44238): the realm's initial state, 32 or 64 bytes per `hashAlgorithm`. */
  realmInitialMeasurement: Hex;
  /** REM0..REM3 (44239), extended by the realm at run time. */
  realmExtensibleMeasurements: [Hex, Hex, Hex, Hex];
  /** Personalization value (44235), 64 bytes chosen by the host at realm creation. */
  personalizationValue: Hex;
  /** Claim 44236: the algorithm of RIM and REMs. */
  hashAlgorithm: CcaHashAlgorithm;
  /** The realm challenge (claim 10, 64 bytes): keepledger's binding hash ‖ 32 zero bytes. */
  reportData: Hex;
  /** RAK (44237) exactly as signed, and the algorithm the platform challenge hashes it with (44240). */
  realmPublicKey: Hex;
  realmPublicKeyHashAlgorithm: CcaHashAlgorithm;
  realmProfile: string | null;
  platformProfile: string;
  /** 2396, 32 bytes. */
  platformImplementationId: Hex;
  /** 256, 33 bytes (UEID). */
  platformInstanceId: Hex;
  /** 2395, PSA security lifecycle. */
  platformLifecycle: number;
  /** 2401. */
  platformConfig: Hex;
  /** 2402: the algorithm of the software component measurements. */
  platformHashAlgorithm: string;
  platformSwComponents: ArmCcaSwComponent[];
  platformVerificationService: string | null;
}

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
