import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { P384_CURVE, isUncompressedP384Spki } from "../../pki/p384Spki.ts";
import { importSpki } from "../../pki/keyImport.ts";
import { takeImportedKey } from "../../collateral/recognizeEndorsementKeys.ts";
import { cpakId } from "@keepledger/sdk/internal/ids/cpakId";
import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex, tryFromHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import type { CollateralSet } from "../../collateral/types.ts";
import type { BoundedCache } from "../../util/boundedCache.ts";
import { ARM_CCA_VERIFY_CODES } from "./codes.ts";

/**
 * A trusted CPAK (CCA platform attestation key). There is no vendor PKI to
 * pin for CCA: platforms are endorsed by listing their CPAKs (on-chain, per
 * workload policy or platform allow-list). An endorsement may be narrowed to
 * one platform implementation and/or instance, as Veraison trust anchors are.
 */
export interface CpakEndorsement {
  publicKey: KeyObject;
  /** The key's SubjectPublicKeyInfo DER, as OpenSSL exports it (what the fingerprint and the collateral hash hash). */
  spki: Uint8Array;
  /** cpakId (src/ids): SHA-256 of the key's SubjectPublicKeyInfo DER — how CPAKs are named on-chain and known test keys recognized. */
  fingerprint: Hex;
  /** Endorses only platforms with this implementation id (32 bytes), if set. */
  implementationId?: Hex;
  /** Endorses only the platform with this instance id (33 bytes), if set. */
  instanceId?: Hex;
  /** Where it came from (a file name), for messages. */
  source?: string;
}

export interface CpakConstraints {
  implementationId?: Hex;
  instanceId?: Hex;
  source?: string;
}

function invalid(message: string, source: string | undefined, cause?: unknown): never {
  throw new UsageError(ARM_CCA_VERIFY_CODES.CCA_CPAK_INVALID, message, {
    ...(source ? { details: { source } } : {}),
    ...(cause === undefined ? {} : { cause }),
  });
}

function idOf(value: string | undefined, length: number, name: string, source: string | undefined): Hex | undefined {
  if (value === undefined) return undefined;
  const bytes = tryFromHex(value);
  if (!bytes || bytes.length !== length) invalid(`the CPAK's ${name} is not ${length} bytes of hex`, source);
  return toHex(bytes);
}

/**
 * An endorsement from a key object, checking it is a P-384 public key. `imported`: the SPKI DER the key was
 * just imported from; in OpenSSL's own form it is the key's name as is (no export, no curve lookup).
 */
export function cpakFromKey(publicKey: KeyObject, constraints: CpakConstraints = {}, imported?: Uint8Array): CpakEndorsement {
  const canonical = imported !== undefined && publicKey.type === "public" && isUncompressedP384Spki(imported);
  if (!canonical && (publicKey.type !== "public" || publicKey.asymmetricKeyDetails?.namedCurve !== P384_CURVE)) {
    invalid("a CPAK must be an EC P-384 public key", constraints.source);
  }
  const spki = canonical ? imported : new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  return {
    publicKey,
    spki,
    fingerprint: cpakId(spki),
    ...(constraints.implementationId
      ? { implementationId: idOf(constraints.implementationId, 32, "implementation id", constraints.source) }
      : {}),
    ...(constraints.instanceId ? { instanceId: idOf(constraints.instanceId, 33, "instance id", constraints.source) } : {}),
    ...(constraints.source ? { source: constraints.source } : {}),
  };
}

/** From a PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"). */
export function cpakFromPem(pem: string, constraints: CpakConstraints = {}): CpakEndorsement {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    invalid("the CPAK is not a PEM public key", constraints.source, cause);
  }
  return cpakFromKey(key, constraints);
}

/** From a JWK `{kty: "EC", crv: "P-384", x, y}`. */
export function cpakFromJwk(jwk: JsonWebKey, constraints: CpakConstraints = {}): CpakEndorsement {
  if (jwk.kty !== "EC" || jwk.crv !== "P-384" || typeof jwk.x !== "string" || typeof jwk.y !== "string" || jwk.d !== undefined) {
    invalid("the CPAK JWK is not an EC P-384 public key", constraints.source);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: "EC", crv: "P-384", x: jwk.x, y: jwk.y }, format: "jwk" });
  } catch (cause) {
    invalid("the CPAK JWK is not a point on P-384", constraints.source, cause);
  }
  return cpakFromKey(key, constraints);
}

/** A collateral file: its name (for messages) and bytes. */
export interface CollateralFile {
  name: string;
  bytes: Uint8Array;
}

const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fromJson(value: unknown, source: string): CpakEndorsement[] {
  // A Veraison CCA trust-anchor list: [{pkey: JWK, "implementation-id": hex, "instance-id": hex}].
  if (Array.isArray(value)) {
    return value.flatMap((entry) => {
      if (!isRecord(entry) || !isRecord(entry.pkey)) return [];
      const impl = entry["implementation-id"];
      const inst = entry["instance-id"];
      return [
        cpakFromJwk(entry.pkey as JsonWebKey, {
          source,
          ...(typeof impl === "string" ? { implementationId: impl as Hex } : {}),
          ...(typeof inst === "string" ? { instanceId: inst as Hex } : {}),
        }),
      ];
    });
  }
  if (isRecord(value) && value.kty === "EC" && value.crv === "P-384") return [cpakFromJwk(value as JsonWebKey, { source })];
  return [];
}

/**
 * The CPAKs in a collateral directory's files, recognized by content: PEM
 * public keys, P-384 JWKs, and Veraison trust-anchor lists (`ta-*.json`, whose
 * implementation and instance ids narrow the endorsement). Other files are not
 * CPAKs and are skipped; a file that claims to be a CPAK but is not one fails.
 */
export function cpaksFromCollateralFiles(files: readonly CollateralFile[]): CpakEndorsement[] {
  const out: CpakEndorsement[] = [];
  for (const file of files) {
    const textValue = new TextDecoder().decode(file.bytes);
    const pems = textValue.match(PEM_PUBLIC_KEY);
    if (pems) {
      for (const pem of pems) {
        let key: KeyObject;
        try {
          key = createPublicKey(pem);
        } catch (cause) {
          invalid("the CPAK is not a PEM public key", file.name, cause);
        }
        // Other collateral (an AMD or Intel key) may be PEM too: only P-384 EC keys are CPAK candidates.
        if (key.asymmetricKeyDetails?.namedCurve === P384_CURVE) out.push(cpakFromKey(key, { source: file.name }));
      }
      continue;
    }
    if (!file.name.endsWith(".json")) continue;
    let json: unknown;
    try {
      json = JSON.parse(textValue);
    } catch {
      continue;
    }
    out.push(...fromJson(json, file.name));
  }
  return out;
}

/**
 * The CPAKs a collateral set carries (recognized by src/collateral/recognizeEndorsementKeys.ts); with a cache (a
 * verifier context's), each is imported once per exact SPKI, constraints and source.
 */
export function cpaksFromCollateral(set: CollateralSet, cache?: BoundedCache<string, CpakEndorsement>): CpakEndorsement[] {
  return (set.endorsementKeys ?? []).map((k) => {
    if (!cache) return cpakFromCollateralKey(k);
    const id = JSON.stringify([Buffer.from(k.spki).toString("base64"), k.implementationId, k.instanceId, k.source]);
    return cache.getOrSet(id, () => cpakFromCollateralKey(k));
  });
}

function cpakFromCollateralKey(k: NonNullable<CollateralSet["endorsementKeys"]>[number]): CpakEndorsement {
  let key: KeyObject;
  try {
    key = takeImportedKey(k.spki) ?? importSpki(k.spki);
  } catch (cause) {
    invalid("the CPAK is not a SubjectPublicKeyInfo", k.source, cause);
  }
  return cpakFromKey(
    key,
    {
      ...(k.implementationId === undefined ? {} : { implementationId: k.implementationId }),
      ...(k.instanceId === undefined ? {} : { instanceId: k.instanceId }),
      ...(k.source === undefined ? {} : { source: k.source }),
    },
    k.spki,
  );
}
