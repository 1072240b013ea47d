import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak256 } from "viem";
import { UsageError } from "../../errors/KeepledgerError.ts";
import { concatBytes, tryFromHex, type Hex } from "../../util/bytes.ts";
import { DEBUG_CODES } from "./formatCodes.ts";
import { DEBUG_LAYOUT, DEBUG_MAGIC, DEBUG_MAX_TIMESTAMP_MS, DEBUG_VERSION } from "./debugEvidenceFormat.ts";

export interface CreateDebugEvidenceOptions {
  /** The Keep's secp256k1 private key, 32 bytes (hex or bytes). */
  privateKey: Hex | Uint8Array;
  /** The workload's code hash, 32 bytes. */
  measurement: Hex | Uint8Array;
  /** Data the Keep binds to the evidence (a key hash, a nonce), 64 bytes. */
  reportData: Hex | Uint8Array;
  /** When the evidence is made. Default: now. */
  timestamp?: Date | number;
}

function input(value: Hex | Uint8Array, field: string, size: number): Uint8Array {
  const bytes = typeof value === "string" ? tryFromHex(value) : value;
  if (bytes === undefined || bytes.length !== size) {
    throw new UsageError(DEBUG_CODES.DEBUG_INPUT_INVALID, `${field} must be ${size} bytes`, {
      at: { field },
      details: { got: bytes === undefined ? "not hex" : bytes.length, want: size },
    });
  }
  return bytes;
}

function u16le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, v >> 8);
}

function u64le(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v), true);
  return out;
}

/**
 * Makes debug Keep evidence: the Keep side of the format, for the dev
 * network, the node's `none` self-attestation and tests. It proves only that
 * the holder of `privateKey` said these bytes; no hardware stands behind it.
 * The signature is deterministic (RFC 6979) and low-s.
 */
export function createDebugEvidence(options: CreateDebugEvidenceOptions): Uint8Array {
  const privateKey = input(options.privateKey, "privateKey", 32);
  if (!secp256k1.utils.isValidPrivateKey(privateKey)) {
    throw new UsageError(DEBUG_CODES.DEBUG_INPUT_INVALID, "privateKey is not a valid secp256k1 private key", {
      at: { field: "privateKey" },
    });
  }
  const measurement = input(options.measurement, "measurement", DEBUG_LAYOUT.measurement.size);
  const reportData = input(options.reportData, "reportData", DEBUG_LAYOUT.reportData.size);
  const ts =
    options.timestamp === undefined ? Date.now() : typeof options.timestamp === "number" ? options.timestamp : options.timestamp.getTime();
  if (!Number.isSafeInteger(ts) || ts < 0 || ts > DEBUG_MAX_TIMESTAMP_MS) {
    throw new UsageError(DEBUG_CODES.DEBUG_INPUT_INVALID, "timestamp must be a date between 1970 and the end of the Date range", {
      at: { field: "timestamp" },
      details: { got: String(options.timestamp) },
    });
  }
  const publicKey = secp256k1.getPublicKey(privateKey, false).subarray(1); // drop the 0x04 prefix
  const signed = concatBytes(DEBUG_MAGIC, u16le(DEBUG_VERSION), u16le(0), measurement, reportData, publicKey, u64le(ts));
  const signature = secp256k1.sign(keccak256(signed, "bytes"), privateKey, { lowS: true });
  return concatBytes(signed, signature.toCompactRawBytes(), Uint8Array.of(27 + signature.recovery));
}
