import { verify, type KeyObject } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { zeroHash } from "viem";
import { UsageError, VerificationError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { DebugEvidence } from "./parseDebugEvidence.ts";
import { DEBUG_LAYOUT_V1, DEBUG_VERSION_V1, debugLayout } from "./debugEvidenceFormat.ts";
import { ed25519PublicKey } from "./ed25519Keys.ts";
import { bytesEqual, concatBytes, toHex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Bytes } from "@keepledger/sdk/internal/util/keccak256";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { DEBUG_VERIFY_CODES } from "./codes.ts";
import { evidenceKeccak } from "../../util/evidenceKeccak.ts";

export interface VerifyDebugEvidenceOptions {
  /** Verify as of this time. Default: now. */
  at?: Date;
  /** How old the evidence may be; also how long the verification holds. Default 24 h. */
  maxAgeMs?: number;
  /** How far the timestamp may run ahead of `at` (clock skew). Default 5 s. */
  clockToleranceMs?: number;
}

export type VerifyDebugEvidenceResult = VerifiedEvidence<"debug">;

export const DEFAULT_DEBUG_MAX_AGE_MS = 24 * 3_600_000;
export const DEFAULT_DEBUG_CLOCK_TOLERANCE_MS = 5_000;

export function defaultVerifyDebugEvidenceOptions(): Required<VerifyDebugEvidenceOptions> {
  return { at: new Date(), maxAgeMs: DEFAULT_DEBUG_MAX_AGE_MS, clockToleranceMs: DEFAULT_DEBUG_CLOCK_TOLERANCE_MS };
}

function signatureInvalid(evidence: DebugEvidence, message: string, details: Record<string, unknown> = {}, cause?: unknown): never {
  throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_SIGNATURE_INVALID, message, {
    at: { field: "signature", offset: debugLayout(evidence.version).signature.offset },
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

function publicKeyInvalid(evidence: DebugEvidence, message: string, cause?: unknown): never {
  throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_PUBLIC_KEY_INVALID, message, {
    at: { field: "publicKey", offset: debugLayout(evidence.version).publicKey.offset },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The encodings of Ed25519's small-order points, sign bit ignored (libsodium's blocklist): the eight
 * torsion points, and p and p + 1 (non-canonical 0 and 1). A small-order key has no private key, yet
 * signatures by it can verify (the identity "signs" every message with R = identity, S = 0).
 */
const ED25519_SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((h) => Buffer.from(h, "hex"));

function isSmallOrderEncoding(key: Uint8Array): boolean {
  return ED25519_SMALL_ORDER.some((b) => b.subarray(0, 31).equals(key.subarray(0, 31)) && b[31] === (key[31]! & 0x7f));
}

/** v2: an Ed25519 signature (RFC 8032, verified by OpenSSL, which also refuses S ≥ L) over bytes[0:148] by the embedded key. */
function checkEd25519Signature(evidence: DebugEvidence): void {
  if (isSmallOrderEncoding(evidence.publicKey)) publicKeyInvalid(evidence, "the debug Keep's public key is a small-order Ed25519 point");
  let key: KeyObject;
  try {
    key = ed25519PublicKey(evidence.publicKey);
  } catch (cause) {
    publicKeyInvalid(evidence, "the debug Keep's public key is not an Ed25519 key", cause);
  }
  let valid: boolean;
  try {
    valid = verify(null, evidence.signed, key, evidence.signature);
  } catch (cause) {
    signatureInvalid(evidence, "the debug Keep signature could not be checked", {}, cause);
  }
  if (!valid)
    signatureInvalid(evidence, "the debug Keep signature is not by the embedded public key", { embedded: toHex(evidence.publicKey) });
}

/** v1 (legacy): the signature is r‖s‖v over keccak256(bytes[0:180]) and recovers to the embedded key. */
function checkSecp256k1Signature(evidence: DebugEvidence): void {
  try {
    secp256k1.ProjectivePoint.fromHex(concatBytes(Uint8Array.of(0x04), evidence.publicKey)).assertValidity();
  } catch (cause) {
    publicKeyInvalid(evidence, "the debug Keep's public key is not a secp256k1 point", cause);
  }
  let signature;
  try {
    signature = secp256k1.Signature.fromCompact(evidence.signature.subarray(0, 64));
  } catch (cause) {
    signatureInvalid(evidence, "the debug Keep signature's r or s is out of range", {}, cause);
  }
  if (signature.hasHighS()) {
    throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_SIGNATURE_HIGH_S, "the debug Keep signature has a high s (use low-s signatures)", {
      at: { field: "signature", offset: DEBUG_LAYOUT_V1.signature.offset + 32 },
    });
  }
  let recovered: Uint8Array;
  try {
    recovered = signature
      .addRecoveryBit(evidence.signature[64]! - 27)
      .recoverPublicKey(keccak256Bytes(evidence.signed))
      .toRawBytes(false)
      .subarray(1);
  } catch (cause) {
    signatureInvalid(evidence, "the debug Keep signature recovers to no public key", {}, cause);
  }
  if (!bytesEqual(recovered, evidence.publicKey)) {
    signatureInvalid(evidence, "the debug Keep signature is not by the embedded public key", {
      recovered: toHex(recovered),
      embedded: toHex(evidence.publicKey),
    });
  }
}

/**
 * Verifies debug Keep evidence, purely: the signature is by the embedded
 * key (v2: Ed25519, not of small order; v1: secp256k1, recovered), and the timestamp is neither after
 * `at` nor older than the maximum age. What this proves is possession of a
 * key, nothing about the code or the machine: the result is always
 * `debug: true` and its platform says so.
 */
export function verifyDebugEvidence(evidence: DebugEvidence, options: VerifyDebugEvidenceOptions = {}): VerifyDebugEvidenceResult {
  const defaults = defaultVerifyDebugEvidenceOptions();
  const at = options.at ?? defaults.at;
  const maxAgeMs = options.maxAgeMs ?? defaults.maxAgeMs;
  const clockToleranceMs = options.clockToleranceMs ?? defaults.clockToleranceMs;
  if (!(at instanceof Date) || Number.isNaN(at.getTime()) || !(maxAgeMs >= 0) || !(clockToleranceMs >= 0)) {
    throw new UsageError(DEBUG_VERIFY_CODES.DEBUG_VERIFY_TIME_INVALID, "the verification time, maximum age or clock tolerance is invalid", {
      details: { at: String(at), maxAgeMs, clockToleranceMs },
    });
  }
  const timestamp = new Date(evidence.timestamp);
  const where = { field: "timestamp", offset: debugLayout(evidence.version).timestamp.offset };
  if (evidence.timestamp > at.getTime() + clockToleranceMs) {
    throw new VerificationError(
      DEBUG_VERIFY_CODES.DEBUG_EVIDENCE_FROM_FUTURE,
      "the debug Keep evidence is dated after the verification time",
      {
        at: where,
        details: { timestamp, at, clockToleranceMs },
      },
    );
  }
  if (at.getTime() - evidence.timestamp > maxAgeMs) {
    throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_EVIDENCE_TOO_OLD, "the debug Keep evidence is older than the maximum age", {
      at: where,
      details: { timestamp, at, maxAgeMs },
    });
  }
  if (evidence.version === DEBUG_VERSION_V1) checkSecp256k1Signature(evidence);
  else checkEd25519Signature(evidence);
  return {
    ok: true,
    tee: "debug",
    claims: { measurement: toHex(evidence.measurement), reportData: toHex(evidence.reportData), publicKey: toHex(evidence.publicKey) },
    tcb: { status: "NotApplicable", advisoryIds: [] },
    debug: true, // always: there is no TEE
    evidenceHash: evidenceKeccak(evidence.raw),
    collateralHash: zeroHash,
    expiresAt: new Date(evidence.timestamp + maxAgeMs),
    verifiedAt: at,
    platform: { insecure: true, note: "no TEE: debug Keep" },
  };
}
