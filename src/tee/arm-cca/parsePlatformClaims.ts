import type { CborValue } from "./cbor.ts";
import { ClaimSet, boundedBytes, bytesOfSize, invalid, text, typeError, uint } from "./claimReaders.ts";

/** Platform profiles: the CCA Security Domain profile of RMM 1.0 tokens, and draft-ffm-rats-cca-token's. */
export const CCA_PLATFORM_PROFILES = ["http://arm.com/CCA-SSD/1.0.0", "tag:arm.com,2023:cca_platform#1.0.0"] as const;
export type CcaPlatformProfile = (typeof CCA_PLATFORM_PROFILES)[number];

/** Claim labels of the platform token (RMM specification A7.2.3.2, draft-ffm-rats-cca-token). */
export const PLATFORM_LABEL = {
  challenge: 10,
  instanceId: 256,
  profile: 265,
  lifecycle: 2395,
  implementationId: 2396,
  swComponents: 2399,
  verificationService: 2400,
  config: 2401,
  hashAlgorithm: 2402,
} as const;

const SW = { type: 1, measurement: 2, version: 4, signerId: 5, hashAlgorithm: 6 } as const;
const DIGEST_SIZES = [32, 48, 64] as const;
/** More components than any boot chain has; bounds the work on hostile input. */
export const MAX_SW_COMPONENTS = 64;
/** Platform config is implementation defined; this bounds it. */
export const MAX_PLATFORM_CONFIG_BYTES = 1024;

/** One measured platform software component (PSA / CCA software component). */
export interface CcaSwComponent {
  /** Measurement type, e.g. "RSE_BL1_2", "RMM"; optional in the profile. */
  type: string | null;
  measurement: Uint8Array;
  version: string | null;
  signerId: Uint8Array;
  /** Measurement description: the hash algorithm of `measurement`, optional. */
  hashAlgorithm: string | null;
}

export interface CcaPlatformClaims {
  profile: CcaPlatformProfile;
  /** 32, 48 or 64 bytes: the hash of the realm public key (the binding between the two tokens). */
  challenge: Uint8Array;
  /** 32 bytes, identifying the platform implementation (the CCA platform's make and model). */
  implementationId: Uint8Array;
  /** 33 bytes: a UEID of type RAND (first byte 0x01), derived from the CPAK. */
  instanceId: Uint8Array;
  config: Uint8Array;
  /** PSA security lifecycle: 0x3000..0x30ff is "secured". */
  lifecycle: number;
  swComponents: CcaSwComponent[];
  verificationService: string | null;
  /** The hash algorithm of the software component measurements ("sha-256"). */
  hashAlgorithm: string;
  /** Claim labels the profile does not define, ignored. */
  unknownLabels: (number | string)[];
}

/** Lifecycle ranges the PSA security model defines (the low byte is implementation defined). */
const LIFECYCLE_RANGES = [0x0000, 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000];

function swComponent(value: CborValue, index: number, field: string): CcaSwComponent {
  const at = `${field}[${index}]`;
  if (!(value instanceof Map)) typeError(at, "a map", value);
  for (const key of value.keys()) {
    if (typeof key !== "number" || !Object.values(SW).includes(key as 1)) {
      invalid(at, `${at} has an unknown field ${String(key)}`, { label: typeof key === "bigint" ? String(key) : key });
    }
  }
  const get = (label: number) => value.get(label);
  const measurement = get(SW.measurement);
  const signerId = get(SW.signerId);
  if (measurement === undefined || signerId === undefined) {
    invalid(at, `${at} must have a measurement (2) and a signer id (5)`, {
      missing: measurement === undefined ? "measurement" : "signer-id",
    });
  }
  const opt = (label: number, name: string) => {
    const v = get(label);
    return v === undefined ? null : text(v, `${at}.${name}`);
  };
  return {
    type: opt(SW.type, "type"),
    measurement: bytesOfSize(measurement, `${at}.measurement`, DIGEST_SIZES),
    version: opt(SW.version, "version"),
    signerId: bytesOfSize(signerId, `${at}.signerId`, DIGEST_SIZES),
    hashAlgorithm: opt(SW.hashAlgorithm, "hashAlgorithm"),
  };
}

/** Types and checks every claim of a decoded platform token payload. */
export function parsePlatformClaims(payload: CborValue): CcaPlatformClaims {
  const claims = new ClaimSet(payload, "platform");
  const L = PLATFORM_LABEL;

  const profileField = claims.field(L.profile, "profile");
  const profile = text(claims.required(L.profile, "profile"), profileField);
  if (!(CCA_PLATFORM_PROFILES as readonly string[]).includes(profile)) {
    invalid(profileField, `unknown CCA platform profile "${profile}"`, { got: profile, want: [...CCA_PLATFORM_PROFILES] });
  }

  const challenge = bytesOfSize(claims.required(L.challenge, "challenge"), claims.field(L.challenge, "challenge"), DIGEST_SIZES);
  const implementationId = bytesOfSize(
    claims.required(L.implementationId, "implementation id"),
    claims.field(L.implementationId, "implementationId"),
    [32],
  );
  const instanceField = claims.field(L.instanceId, "instanceId");
  const instanceId = bytesOfSize(claims.required(L.instanceId, "instance id"), instanceField, [33]);
  if (instanceId[0] !== 0x01) invalid(instanceField, "the instance id is not a UEID of type RAND (0x01)", { got: instanceId[0] });

  const config = boundedBytes(claims.required(L.config, "platform config"), claims.field(L.config, "config"), MAX_PLATFORM_CONFIG_BYTES);

  const lifecycleField = claims.field(L.lifecycle, "lifecycle");
  const lifecycle = uint(claims.required(L.lifecycle, "lifecycle"), lifecycleField);
  if (!LIFECYCLE_RANGES.includes(lifecycle & ~0xff) || lifecycle > 0xffff) {
    invalid(lifecycleField, `lifecycle 0x${lifecycle.toString(16)} is outside the PSA lifecycle ranges`, { got: lifecycle });
  }

  const swField = claims.field(L.swComponents, "swComponents");
  const sw = claims.required(L.swComponents, "software components");
  if (!Array.isArray(sw)) typeError(swField, "an array", sw);
  if (sw.length === 0 || sw.length > MAX_SW_COMPONENTS) {
    invalid(swField, `the platform token must list 1 to ${MAX_SW_COMPONENTS} software components, not ${sw.length}`, { got: sw.length });
  }
  const swComponents = sw.map((c, i) => swComponent(c, i, swField));

  const vs = claims.optional(L.verificationService);
  const verificationService = vs === undefined ? null : text(vs, claims.field(L.verificationService, "verificationService"), 1024);
  const hashAlgorithm = text(claims.required(L.hashAlgorithm, "hash algorithm"), claims.field(L.hashAlgorithm, "hashAlgorithm"), 64);

  return {
    profile: profile as CcaPlatformProfile,
    challenge,
    implementationId,
    instanceId,
    config,
    lifecycle,
    swComponents,
    verificationService,
    hashAlgorithm,
    unknownLabels: claims.unknownLabels(),
  };
}
