import { secp256k1 } from "@noble/curves/secp256k1";
import { zeroHash } from "viem";
import { UsageError, VerificationError } from "../../errors/KeepledgerError.ts";
import type { DebugEvidence } from "./parseDebugEvidence.ts";
import { DEBUG_LAYOUT } from "./debugEvidenceFormat.ts";
import { bytesEqual, concatBytes, toHex } from "../../util/bytes.ts";
import { keccak256Bytes, keccak256Hex } from "../../util/keccak256.ts";
import type { VerifiedEvidence } from "../types.ts";
import { DEBUG_VERIFY_CODES } from "./codes.ts";

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

function signatureInvalid(message: string, details: Record<string, unknown> = {}, cause?: unknown): never {
  throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_SIGNATURE_INVALID, message, {
    at: { field: "signature", offset: DEBUG_LAYOUT.signature.offset },
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Checks that the signature is r‖s‖v over keccak256(bytes[0:180]) by the embedded key. */
function checkSignature(evidence: DebugEvidence): void {
  try {
    secp256k1.ProjectivePoint.fromHex(concatBytes(Uint8Array.of(0x04), evidence.publicKey)).assertValidity();
  } catch (cause) {
    throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_PUBLIC_KEY_INVALID, "the debug Keep's public key is not a secp256k1 point", {
      at: { field: "publicKey", offset: DEBUG_LAYOUT.publicKey.offset },
      cause,
    });
  }
  let signature;
  try {
    signature = secp256k1.Signature.fromCompact(evidence.signature.subarray(0, 64));
  } catch (cause) {
    signatureInvalid("the debug Keep signature's r or s is out of range", {}, cause);
  }
  if (signature.hasHighS()) {
    throw new VerificationError(DEBUG_VERIFY_CODES.DEBUG_SIGNATURE_HIGH_S, "the debug Keep signature has a high s (use low-s signatures)", {
      at: { field: "signature", offset: DEBUG_LAYOUT.signature.offset + 32 },
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
    signatureInvalid("the debug Keep signature recovers to no public key", {}, cause);
  }
  if (!bytesEqual(recovered, evidence.publicKey)) {
    signatureInvalid("the debug Keep signature is not by the embedded public key", {
      recovered: toHex(recovered),
      embedded: toHex(evidence.publicKey),
    });
  }
}

/**
 * Verifies debug Keep evidence, purely: the signature recovers to the
 * embedded key (a valid curve point), and the timestamp is neither after
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
  const where = { field: "timestamp", offset: DEBUG_LAYOUT.timestamp.offset };
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
  checkSignature(evidence);
  return {
    ok: true,
    tee: "debug",
    claims: { measurement: toHex(evidence.measurement), reportData: toHex(evidence.reportData), publicKey: toHex(evidence.publicKey) },
    tcb: { status: "NotApplicable", advisoryIds: [] },
    debug: true, // always: there is no TEE
    evidenceHash: keccak256Hex(evidence.raw),
    collateralHash: zeroHash,
    expiresAt: new Date(evidence.timestamp + maxAgeMs),
    verifiedAt: at,
    platform: { insecure: true, note: "no TEE: debug Keep" },
  };
}
