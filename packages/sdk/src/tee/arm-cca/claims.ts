import type { Hex } from "../../util/bytes.ts";

/** The hash algorithms the RMM specification names for realm measurements and the RAK hash (44236, 44240). */
export const CCA_HASH_LENGTHS = { "sha-256": 32, "sha-512": 64 } as const;
export type CcaHashAlgorithm = keyof typeof CCA_HASH_LENGTHS;

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
