import { createHash, type KeyObject } from "node:crypto";
import { importEcPoint } from "../../pki/keyImport.ts";
import { EvidenceFormatError, UsageError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { verifyWith } from "../../pki/x509/signatureAlgorithm.ts";
import { bytesEqual, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { BoundedCache } from "../../util/boundedCache.ts";
import type { EvidenceKey } from "../verifierContext.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { armCcaClaimsOf } from "./claimsOf.ts";
import { ARM_CCA_CODES, ARM_CCA_VERIFY_CODES } from "./codes.ts";
import type { CpakEndorsement } from "./cpak.ts";
import { isTestCpak } from "./knownTestKeys.ts";
import type { CcaToken } from "./parseCcaToken.ts";
import type { CcaSignedToken } from "./parseCcaToken.ts";
import { encodeSigStructure } from "../../evidence/cose/encodeSigStructure.ts";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";

export const ARM_CCA_KIND = "arm-cca" as const;

export interface VerifyCcaTokenOptions {
  /** The "as of" time. Default: now. A CCA token carries no time and no certificate: `at` only dates the result. */
  at?: Date;
  /** The CPAKs that endorse platforms (collateral). A token whose platform token none of them signed is refused. */
  trustedCpaks: readonly CpakEndorsement[];
  /** How long a verification holds (`expiresAt = at + validityMs`); the token has no expiry of its own. Default 24 h. */
  validityMs?: number;
  /**
   * Where platform-token signature checks are remembered, by the exact signed bytes, signature and CPAK (a
   * verifier context's): the RMM hands out the same platform token while its realm key stays. Without it every
   * check is made.
   */
  signatureCache?: BoundedCache<string, boolean>;
  /** Where realm public keys are remembered as key objects, by their exact point (a verifier context's). */
  keyCache?: BoundedCache<string, EvidenceKey>;
}

export const DEFAULT_CCA_VALIDITY_MS = 24 * 60 * 60 * 1000;

export function defaultVerifyCcaTokenOptions(): Required<Omit<VerifyCcaTokenOptions, "signatureCache" | "keyCache">> {
  return { at: new Date(), trustedCpaks: [], validityMs: DEFAULT_CCA_VALIDITY_MS };
}

/** Facts about the platform a policy may refuse by (phase 2: PlatformInfo). */
export interface ArmCcaPlatformInfo {
  implementationId: Hex;
  instanceId: Hex;
  /** SHA-256 of the endorsing CPAK's SubjectPublicKeyInfo. */
  cpakFingerprint: Hex;
  /** The endorsing CPAK is a published test key. */
  testKey: boolean;
  /** The lifecycle is in the secured or non-PSA-RoT-debug range (0x3000..0x40ff). */
  securedLifecycle: boolean;
  collectionTag: 399 | 907;
  [key: string]: unknown;
}

/** What verifyCcaToken returns: VerifiedEvidence<"arm-cca"> with the CCA platform facts. */
export type VerifiedArmCcaToken = VerifiedEvidence<"arm-cca"> & { platform: ArmCcaPlatformInfo };

const ES384 = { kind: "ecdsa", hash: "sha384" } as const;
const HASH = { "sha-256": "sha256", "sha-512": "sha512" } as const;
/** PSA lifecycle: 0x3000..0x30ff secured, 0x4000..0x40ff non-PSA-RoT debug (the secure world is still locked). */
const SECURED_LIFECYCLE = { min: 0x3000, max: 0x40ff };

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function realmKey(token: CcaToken, cache: BoundedCache<string, EvidenceKey> | undefined): KeyObject {
  const { x, y } = token.realm.claims.publicKeyPoint;
  const id = `rak:${base64url(x)}.${base64url(y)}`;
  const hit = cache?.get(id);
  if (hit) return hit.key;
  let key: KeyObject;
  try {
    key = importEcPoint("P-384", Buffer.concat([x, y]));
  } catch (cause) {
    throw new EvidenceFormatError(ARM_CCA_CODES.CCA_REALM_KEY_INVALID, "the realm public key is not a point on P-384", {
      at: { field: "realm.publicKey (44237)" },
      cause,
    });
  }
  cache?.set(id, { key });
  return key;
}

function signatureVerifies(signed: CcaSignedToken<unknown>, key: KeyObject): boolean {
  return verifyWith(ES384, encodeSigStructure(signed.cose.protectedHeader, signed.cose.payload), signed.cose.signature, key, "p1363");
}

/** Whether `cpak` signed the platform token; remembered in `cache` by exact bytes (the answer never changes for them). */
function platformSignedBy(token: CcaToken, cpak: CpakEndorsement, cache: BoundedCache<string, boolean> | undefined): boolean {
  const { cose } = token.platform;
  if (!cache) return signatureVerifies(token.platform, cpak.publicKey);
  // Sig_structure is self-delimiting CBOR and the signature 96 bytes: the hash names exactly these bytes.
  const signed = createHash("sha256").update(encodeSigStructure(cose.protectedHeader, cose.payload)).update(cose.signature).digest("hex");
  return cache.getOrSet(`cca-platform:${signed}:${cpak.fingerprint}`, () => signatureVerifies(token.platform, cpak.publicKey));
}

function endorses(cpak: CpakEndorsement, token: CcaToken): boolean {
  const { implementationId, instanceId } = token.platform.claims;
  if (cpak.implementationId !== undefined && cpak.implementationId !== toHex(implementationId)) return false;
  if (cpak.instanceId !== undefined && cpak.instanceId !== toHex(instanceId)) return false;
  return true;
}

/**
 * Verifies a parsed CCA token, purely:
 * 1. the realm token's ES384 signature with the RAK it carries (claim 44237);
 * 2. the binding: the platform challenge is H(RAK claim bytes), H named by realm
 *    claim 44240 (the RAK hash algorithm; 44236 is the measurements' algorithm);
 * 3. the platform token's ES384 signature with one of the trusted CPAKs whose
 *    implementation/instance constraints match the platform token.
 * A published test CPAK, or an unsecured lifecycle, yields `debug: true`.
 */
export function verifyCcaToken(token: CcaToken, options: VerifyCcaTokenOptions): VerifiedArmCcaToken {
  const defaults = defaultVerifyCcaTokenOptions();
  const at = options.at ?? defaults.at;
  const validityMs = options.validityMs ?? defaults.validityMs;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new UsageError(ARM_CCA_VERIFY_CODES.CCA_VERIFY_TIME_INVALID, "the verification time is not a valid date", {
      details: { got: String(at) },
    });
  }

  if (!signatureVerifies(token.realm, realmKey(token, options.keyCache))) {
    throw new VerificationError(
      ARM_CCA_VERIFY_CODES.CCA_REALM_SIGNATURE_INVALID,
      "the realm token's signature does not verify with its realm public key",
      {
        at: { field: "realm token signature", offset: token.realm.offset + token.realm.cose.spans.signature.start },
      },
    );
  }

  const realm = token.realm.claims;
  const expected = createHash(HASH[realm.publicKeyHashAlgorithm]).update(realm.publicKey).digest();
  if (!bytesEqual(expected, token.platform.claims.challenge)) {
    throw new VerificationError(
      ARM_CCA_VERIFY_CODES.CCA_BINDING_MISMATCH,
      "the platform token's challenge is not the hash of the realm public key",
      {
        at: { field: "platform.challenge (10)" },
        details: { got: toHex(token.platform.claims.challenge), want: toHex(expected), algorithm: realm.publicKeyHashAlgorithm },
      },
    );
  }

  const candidates = options.trustedCpaks.filter((cpak) => endorses(cpak, token));
  const cpak = candidates.find((c) => platformSignedBy(token, c, options.signatureCache));
  if (!cpak) {
    throw new VerificationError(ARM_CCA_VERIFY_CODES.CCA_PLATFORM_NOT_ENDORSED, "the platform token is not signed by any trusted CPAK", {
      at: { field: "platform token signature", offset: token.platform.offset + token.platform.cose.spans.signature.start },
      details: {
        trusted: options.trustedCpaks.length,
        matchingIds: candidates.length,
        implementationId: toHex(token.platform.claims.implementationId),
        instanceId: toHex(token.platform.claims.instanceId),
      },
    });
  }

  const lifecycle = token.platform.claims.lifecycle;
  const securedLifecycle = lifecycle >= SECURED_LIFECYCLE.min && lifecycle <= SECURED_LIFECYCLE.max;
  const testKey = isTestCpak(cpak.fingerprint);
  return {
    ok: true,
    tee: ARM_CCA_KIND,
    claims: armCcaClaimsOf(token),
    tcb: { status: "NotApplicable", advisoryIds: [] },
    debug: testKey || !securedLifecycle,
    evidenceHash: evidenceKeccak(token.raw),
    collateralHash: keccak256Hex(cpak.spki),
    expiresAt: new Date(at.getTime() + validityMs),
    verifiedAt: at,
    platform: {
      implementationId: toHex(token.platform.claims.implementationId),
      instanceId: toHex(token.platform.claims.instanceId),
      cpakFingerprint: cpak.fingerprint,
      testKey,
      securedLifecycle,
      collectionTag: token.collectionTag,
    },
  };
}
