import { UsageError } from "../../errors/KeepledgerError.ts";
import { bytesEqual, concatBytes, fromHex, isAllZero, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { ArmCcaClaims } from "./claims.ts";
import { CCA_HASH_LENGTHS, type CcaHashAlgorithm } from "./claimReaders.ts";
import { ARM_CCA_MEASUREMENT_CODES } from "./codes.ts";
import type { VerifiedArmCcaToken } from "./verifyCcaToken.ts";

/**
 * What a workload policy approves for a realm: the RIM, the four REMs and the
 * personalization value, with the algorithm they were computed with. The
 * platform (firmware, RMM) is judged by its CPAK endorsement, not here.
 */
export interface ArmCcaMeasurement {
  tee: "arm-cca";
  hashAlgorithm: CcaHashAlgorithm;
  rim: Hex;
  rems: [Hex, Hex, Hex, Hex];
  personalizationValue: Hex;
}

/**
 * Packed value: 1 byte algorithm (1 = sha-256, 2 = sha-512) ‖ RIM ‖ REM0..REM3
 * ‖ personalization value, each digest left-aligned in 64 bytes and
 * zero-padded (sha-256 digests are 32 bytes): 1 + 6 × 64 = 385 bytes.
 */
export const ARM_CCA_MEASUREMENT_LENGTH = 385;
const SLOT = 64;
const ALG_IDS: Record<CcaHashAlgorithm, number> = { "sha-256": 1, "sha-512": 2 };
const ALG_BY_ID = new Map<number, CcaHashAlgorithm>(Object.entries(ALG_IDS).map(([name, id]) => [id, name as CcaHashAlgorithm]));

function fieldError(message: string, field: string, details?: Record<string, unknown>): never {
  throw new UsageError(ARM_CCA_MEASUREMENT_CODES.CCA_MEASUREMENT_FIELD, message, { at: { field }, ...(details ? { details } : {}) });
}

function hashAlgorithmOf(name: string): CcaHashAlgorithm {
  if (!Object.hasOwn(ALG_IDS, name)) {
    throw new UsageError(ARM_CCA_MEASUREMENT_CODES.CCA_MEASUREMENT_HASH_ALG, `hash algorithm "${name}" is not sha-256 or sha-512`, {
      details: { got: name },
    });
  }
  return name as CcaHashAlgorithm;
}

function bytesField(value: string, length: number, field: string): Uint8Array {
  const bytes = typeof value === "string" ? tryFromHex(value) : undefined;
  if (!bytes || bytes.length !== length) fieldError(`${field} must be ${length} bytes of hex`, field, { want: length, got: bytes?.length });
  return bytes;
}

function slot(bytes: Uint8Array): Uint8Array {
  return concatBytes(bytes, new Uint8Array(SLOT - bytes.length));
}

/** The packed value, every length checked. */
export function encodeArmCcaMeasurement(m: ArmCcaMeasurement): Hex {
  const alg = hashAlgorithmOf(m.hashAlgorithm);
  const digest = CCA_HASH_LENGTHS[alg];
  if (!Array.isArray(m.rems) || m.rems.length !== 4)
    fieldError("an Arm CCA measurement has exactly 4 REMs", "rems", { got: m.rems?.length });
  return toHex(
    concatBytes(
      Uint8Array.of(ALG_IDS[alg]),
      slot(bytesField(m.rim, digest, "rim")),
      ...m.rems.map((rem, i) => slot(bytesField(rem, digest, `rems[${i}]`))),
      bytesField(m.personalizationValue, SLOT, "personalizationValue"),
    ),
  );
}

/** Unpacks a value; its padding must be zero so that one measurement has one value. */
export function decodeArmCcaMeasurement(value: Hex): ArmCcaMeasurement {
  const bytes = tryFromHex(value);
  if (!bytes || bytes.length !== ARM_CCA_MEASUREMENT_LENGTH) {
    throw new UsageError(
      ARM_CCA_MEASUREMENT_CODES.CCA_MEASUREMENT_VALUE_LENGTH,
      `an arm-cca measurement value is ${ARM_CCA_MEASUREMENT_LENGTH} bytes, got ${bytes?.length ?? "non-hex"}`,
      { at: { field: "value" }, details: { want: ARM_CCA_MEASUREMENT_LENGTH, got: bytes?.length } },
    );
  }
  const alg = ALG_BY_ID.get(bytes[0]!);
  if (!alg) {
    throw new UsageError(
      ARM_CCA_MEASUREMENT_CODES.CCA_MEASUREMENT_HASH_ALG,
      `hash algorithm id ${bytes[0]} is not 1 (sha-256) or 2 (sha-512)`,
      {
        details: { got: bytes[0] },
      },
    );
  }
  const digest = CCA_HASH_LENGTHS[alg];
  const digestAt = (i: number, field: string): Hex => {
    const start = 1 + i * SLOT;
    if (!isAllZero(bytes.subarray(start + digest, start + SLOT))) fieldError(`${field}'s padding is not zero`, field);
    return toHex(bytes.subarray(start, start + digest));
  };
  return {
    tee: "arm-cca",
    hashAlgorithm: alg,
    rim: digestAt(0, "rim"),
    rems: [digestAt(1, "rems[0]"), digestAt(2, "rems[1]"), digestAt(3, "rems[2]"), digestAt(4, "rems[3]")],
    personalizationValue: toHex(bytes.subarray(1 + 5 * SLOT)),
  };
}

/** The measurement a verified token's realm has. */
export function armCcaMeasurementOfClaims(claims: ArmCcaClaims): ArmCcaMeasurement {
  return {
    tee: "arm-cca",
    hashAlgorithm: claims.hashAlgorithm,
    rim: claims.realmInitialMeasurement,
    rems: [...claims.realmExtensibleMeasurements],
    personalizationValue: claims.personalizationValue,
  };
}

/** The measurement of verified evidence (options of other kinds — bySigner, withHostData — do not apply). */
export function armCcaMeasurementFromVerified(evidence: VerifiedArmCcaToken): ArmCcaMeasurement {
  return armCcaMeasurementOfClaims(evidence.claims);
}

/** Whether verified claims are exactly the approved packed value (algorithm included). */
export function armCcaMeasurementMatches(claims: ArmCcaClaims, value: Uint8Array): boolean {
  if (value.length !== ARM_CCA_MEASUREMENT_LENGTH) return false;
  return bytesEqual(fromHex(encodeArmCcaMeasurement(armCcaMeasurementOfClaims(claims))), value);
}

/** `workload measure --tee arm-cca` flags (phase 2 wires them to the CLI). */
export const ARM_CCA_MEASUREMENT_FLAGS = ["hash-alg", "rim", "rem0", "rem1", "rem2", "rem3", "personalization-value"] as const;

export function armCcaMeasurementFromFlags(flags: Record<string, string | boolean | undefined>): ArmCcaMeasurement {
  const get = (name: string, fallback?: string): string => {
    const v = flags[name] ?? fallback;
    if (typeof v !== "string") fieldError(`--${name} is required for --tee arm-cca`, name);
    return v;
  };
  const hashAlgorithm = hashAlgorithmOf(get("hash-alg", "sha-256"));
  const zero = toHex(new Uint8Array(CCA_HASH_LENGTHS[hashAlgorithm]));
  const m: ArmCcaMeasurement = {
    tee: "arm-cca",
    hashAlgorithm,
    rim: get("rim") as Hex,
    rems: [get("rem0", zero) as Hex, get("rem1", zero) as Hex, get("rem2", zero) as Hex, get("rem3", zero) as Hex],
    personalizationValue: get("personalization-value", toHex(new Uint8Array(SLOT))) as Hex,
  };
  return decodeArmCcaMeasurement(encodeArmCcaMeasurement(m)); // checks and normalizes (lowercase hex)
}
