import { UsageError } from "../../errors/KeepledgerError.ts";
import { bytesEqual, concatBytes, fromHex, isAllZero, toHex, tryFromHex, type Hex } from "../../util/bytes.ts";
import type { ArmCcaClaims } from "./claims.ts";
import { defineErrorCodes } from "../../errors/catalogue.ts";
import type { FlagParsers, FlagValues, MeasurementLayout } from "../kind.ts";
import type { VerifiedEvidence } from "../types.ts";
import { CCA_HASH_LENGTHS, type CcaHashAlgorithm } from "./claims.ts";

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
/** Errors of the Arm CCA measurement layout (workload registration and the CLI). */
export const ARM_CCA_MEASUREMENT_CODES = defineErrorCodes("tee/arm-cca/measurement", {
  CCA_MEASUREMENT_VALUE_LENGTH: {
    stage: "usage",
    description: "A packed Arm CCA measurement value is not 385 bytes (algorithm byte, RIM, four REMs, personalization value).",
  },
  CCA_MEASUREMENT_HASH_ALG: {
    stage: "usage",
    description: "An Arm CCA measurement names a hash algorithm other than sha-256 (1) or sha-512 (2).",
  },
  CCA_MEASUREMENT_FIELD: {
    stage: "usage",
    description:
      "A field of an Arm CCA measurement is not hex of the right size (RIM and REMs of the algorithm's digest size, personalization value 64 bytes), or its zero padding is not zero.",
  },
});

export const ARM_CCA_MEASUREMENT_LENGTH = 385;
const SLOT = 64;
const ALG_IDS: Record<CcaHashAlgorithm, number> = { "sha-256": 1, "sha-512": 2 };
function algorithmById(id: number): CcaHashAlgorithm | undefined {
  return (Object.keys(ALG_IDS) as CcaHashAlgorithm[]).find((name) => ALG_IDS[name] === id);
}

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
  const alg = algorithmById(bytes[0]!);
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
export function armCcaMeasurementFromVerified(evidence: VerifiedEvidence<"arm-cca">): ArmCcaMeasurement {
  return armCcaMeasurementOfClaims(evidence.claims);
}

/** Whether verified claims are exactly the approved packed value (algorithm included). */
export function armCcaMeasurementMatches(claims: ArmCcaClaims, value: Uint8Array): boolean {
  if (value.length !== ARM_CCA_MEASUREMENT_LENGTH) return false;
  return bytesEqual(fromHex(encodeArmCcaMeasurement(armCcaMeasurementOfClaims(claims))), value);
}

/** The layout the facts table and the WorkloadRegistry use (385 bytes, docs/ids.md). */
export const armCcaMeasurement: MeasurementLayout<"arm-cca", ArmCcaMeasurement> = {
  length: ARM_CCA_MEASUREMENT_LENGTH,
  encode: encodeArmCcaMeasurement,
  decode: decodeArmCcaMeasurement,
  matches: armCcaMeasurementMatches,
  fromVerified: (evidence) => armCcaMeasurementFromVerified(evidence),
};

/** `workload measure --tee arm-cca` flag keys (camelCase; the CLI spells them --hash-alg, --rem0, …). */
export const ARM_CCA_MEASUREMENT_FLAGS = ["hashAlg", "rim", "rem0", "rem1", "rem2", "rem3", "personalizationValue"] as const;

/**
 * A measurement from the CLI's flags: --rim is required; --hash-alg defaults to sha-256, REMs to zero
 * (a realm that extends none) and the personalization value to zero (none given at creation).
 */
export function armCcaMeasurementFromFlags(flags: FlagValues, parse: FlagParsers): ArmCcaMeasurement {
  const text = (key: string): string | undefined => {
    const v = flags[key];
    return typeof v === "string" ? v : undefined;
  };
  const algText = text("hashAlg") ?? "sha-256";
  if (!Object.hasOwn(ALG_IDS, algText)) throw parse.bad("--hash-alg", algText, "sha-256 or sha-512");
  const hashAlgorithm = algText as CcaHashAlgorithm;
  const digest = CCA_HASH_LENGTHS[hashAlgorithm];
  const zero = toHex(new Uint8Array(digest));
  const rim = text("rim");
  if (rim === undefined) throw parse.usage("--tee arm-cca needs --rim", "--rim");
  const rem = (i: number): Hex => {
    const v = text(`rem${i}`);
    return v === undefined ? zero : parse.hex(`--rem${i}`, v, digest);
  };
  const pv = text("personalizationValue");
  return {
    tee: "arm-cca",
    hashAlgorithm,
    rim: parse.hex("--rim", rim, digest),
    rems: [rem(0), rem(1), rem(2), rem(3)],
    personalizationValue: pv === undefined ? toHex(new Uint8Array(SLOT)) : parse.hex("--personalization-value", pv, SLOT),
  };
}
