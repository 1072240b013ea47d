import type { CborValue } from "./cbor.ts";
import {
  CCA_HASH_LENGTHS,
  ClaimSet,
  bytesOfSize,
  hashAlgorithm,
  invalid,
  sizeError,
  text,
  typeError,
  type CcaHashAlgorithm,
} from "./claimReaders.ts";
import { parseRealmKey, type P384Point, type RealmKeyFormat } from "./parseRealmKey.ts";

/** The realm profile of draft-ffm-rats-cca-token (RAK as COSE_Key); RMM 1.0 realm tokens have no profile claim. */
export const CCA_REALM_PROFILE = "tag:arm.com,2023:realm#1.0.0";

/** Claim labels of the realm token (RMM specification A7.2.3.1). */
export const REALM_LABEL = {
  challenge: 10,
  profile: 265,
  personalizationValue: 44235,
  hashAlgorithm: 44236,
  publicKey: 44237,
  initialMeasurement: 44238,
  extensibleMeasurements: 44239,
  publicKeyHashAlgorithm: 44240,
} as const;

export const REALM_CHALLENGE_LENGTH = 64;
export const PERSONALIZATION_VALUE_LENGTH = 64;
export const REM_COUNT = 4;
/** A COSE_Key for P-384 is about 107 bytes; this bounds the claim. */
const MAX_COSE_KEY_BYTES = 256;

export interface CcaRealmClaims {
  profile: typeof CCA_REALM_PROFILE | null;
  /** 64 bytes chosen by the realm: keepledger's binding hash ‖ 32 zero bytes. */
  challenge: Uint8Array;
  personalizationValue: Uint8Array;
  /** RIM: the measurement of the realm's initial state, of the size of `hashAlgorithm`. */
  initialMeasurement: Uint8Array;
  /** REM0..REM3, each of the size of `hashAlgorithm`. */
  extensibleMeasurements: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  /** Claim 44236: the algorithm of RIM and REMs. */
  hashAlgorithm: CcaHashAlgorithm;
  /** Claim 44237 exactly as signed (the platform challenge is its hash). */
  publicKey: Uint8Array;
  publicKeyFormat: RealmKeyFormat;
  publicKeyPoint: P384Point;
  /** Claim 44240: the algorithm the platform challenge hashes the RAK with. */
  publicKeyHashAlgorithm: CcaHashAlgorithm;
  unknownLabels: (number | string)[];
}

/** Types and checks every claim of a decoded realm token payload; `payloadOffset` locates its bytes for errors. */
export function parseRealmClaims(payload: CborValue, payloadOffset: number): CcaRealmClaims {
  const claims = new ClaimSet(payload, "realm");
  const L = REALM_LABEL;

  const rawProfile = claims.optional(L.profile);
  let profile: typeof CCA_REALM_PROFILE | null = null;
  if (rawProfile !== undefined) {
    const field = claims.field(L.profile, "profile");
    const name = text(rawProfile, field);
    if (name !== CCA_REALM_PROFILE) invalid(field, `unknown CCA realm profile "${name}"`, { got: name, want: CCA_REALM_PROFILE });
    profile = CCA_REALM_PROFILE;
  }

  const challenge = bytesOfSize(claims.required(L.challenge, "challenge"), claims.field(L.challenge, "challenge"), [
    REALM_CHALLENGE_LENGTH,
  ]);
  const personalizationValue = bytesOfSize(
    claims.required(L.personalizationValue, "personalization value"),
    claims.field(L.personalizationValue, "personalizationValue"),
    [PERSONALIZATION_VALUE_LENGTH],
  );
  const algorithm = hashAlgorithm(claims.required(L.hashAlgorithm, "hash algorithm"), claims.field(L.hashAlgorithm, "hashAlgorithm"));
  const digest = [CCA_HASH_LENGTHS[algorithm]];
  const initialMeasurement = bytesOfSize(
    claims.required(L.initialMeasurement, "initial measurement"),
    claims.field(L.initialMeasurement, "initialMeasurement"),
    digest,
  );

  const remField = claims.field(L.extensibleMeasurements, "extensibleMeasurements");
  const rems = claims.required(L.extensibleMeasurements, "extensible measurements");
  if (!Array.isArray(rems)) typeError(remField, "an array", rems);
  if (rems.length !== REM_COUNT) sizeError(remField, rems.length, [REM_COUNT]);
  const extensibleMeasurements = rems.map((rem, i) =>
    bytesOfSize(rem, `${remField}[${i}]`, digest),
  ) as CcaRealmClaims["extensibleMeasurements"];

  const publicKeyHashAlgorithm = hashAlgorithm(
    claims.required(L.publicKeyHashAlgorithm, "public key hash algorithm"),
    claims.field(L.publicKeyHashAlgorithm, "publicKeyHashAlgorithm"),
  );

  const keyField = claims.field(L.publicKey, "publicKey");
  const publicKeyFormat: RealmKeyFormat = profile === null ? "raw-ec-point" : "cose-key";
  const key = claims.required(L.publicKey, "public key");
  if (!(key instanceof Uint8Array)) typeError(keyField, "a byte string", key);
  if (key.length > MAX_COSE_KEY_BYTES) sizeError(keyField, key.length, [MAX_COSE_KEY_BYTES]);
  // The key's bytes sit somewhere in the payload; the payload offset is close enough to find them.
  const publicKeyPoint = parseRealmKey(key, publicKeyFormat, payloadOffset, keyField);

  return {
    profile,
    challenge,
    personalizationValue,
    initialMeasurement,
    extensibleMeasurements,
    hashAlgorithm: algorithm,
    publicKey: key,
    publicKeyFormat,
    publicKeyPoint,
    publicKeyHashAlgorithm,
    unknownLabels: claims.unknownLabels(),
  };
}
