import { sign } from "node:crypto";
import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { concatBytes, tryFromHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { DEBUG_CODES } from "./formatCodes.ts";
import { DEBUG_LAYOUT, DEBUG_MAGIC, DEBUG_MAX_TIMESTAMP_MS, DEBUG_VERSION } from "./debugEvidenceFormat.ts";
import { ed25519PrivateKey, ed25519RawPublicKey } from "./ed25519Keys.ts";

export interface CreateDebugEvidenceOptions {
  /**
   * The Keep's evidence key: a 32-byte Ed25519 seed (hex or bytes). Any 32 bytes are a seed; the dev
   * tools pass the Keep's own key, which Ed25519 hashes (SHA-512) before use.
   */
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
 * Makes debug Keep evidence, version 2: the Keep side of the format, for the dev network, the node's
 * `none` self-attestation and tests. It proves only that the holder of `privateKey` said these bytes;
 * no hardware stands behind it. Ed25519 signatures are deterministic: the same inputs give the same bytes.
 */
export function createDebugEvidence(options: CreateDebugEvidenceOptions): Uint8Array {
  const seed = input(options.privateKey, "privateKey", 32);
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
  const key = ed25519PrivateKey(seed);
  const signed = concatBytes(DEBUG_MAGIC, u16le(DEBUG_VERSION), u16le(0), measurement, reportData, ed25519RawPublicKey(key), u64le(ts));
  return concatBytes(signed, new Uint8Array(sign(null, signed, key)));
}
