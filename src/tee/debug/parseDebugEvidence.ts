import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { toHex } from "../../util/bytes.ts";
import { DEBUG_CODES } from "./formatCodes.ts";
import { DEBUG_LAYOUT, DEBUG_MAX_TIMESTAMP_MS, DEBUG_SIGNED_LENGTH, DEBUG_VERSION } from "./debugEvidenceFormat.ts";
import { detectDebugEvidence } from "./detectDebugEvidence.ts";

/** Debug Keep evidence, parsed; nothing verified (see verifyDebugEvidence). */
export interface DebugEvidence {
  /** The 245 bytes as given (a private copy): what the evidence hash covers. */
  raw: Uint8Array;
  version: typeof DEBUG_VERSION;
  measurement: Uint8Array;
  reportData: Uint8Array;
  /** secp256k1 public key X‖Y, 64 bytes. */
  publicKey: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** r‖s‖v, 65 bytes, v ∈ {27, 28}. */
  signature: Uint8Array;
  /** bytes[0:180], what the signature covers (after keccak256). */
  signed: Uint8Array;
}

function fail(code: keyof typeof DEBUG_CODES, message: string, field: keyof typeof DEBUG_LAYOUT, details: Record<string, unknown>): never {
  throw new EvidenceFormatError(DEBUG_CODES[code], message, { at: { field, offset: DEBUG_LAYOUT[field].offset }, details });
}

/** Parses debug Keep evidence from untrusted bytes; every failure is an EvidenceFormatError naming the field. */
export function parseDebugEvidence(bytes: Uint8Array): DebugEvidence {
  if (bytes.length === 0) throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the debug Keep evidence is empty");
  const raw = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
  const c = new ByteCursor(raw);
  const magic = c.bytesOf(DEBUG_LAYOUT.magic.size, "magic");
  if (!detectDebugEvidence(magic)) fail("DEBUG_MAGIC_INVALID", "not debug Keep evidence: wrong magic", "magic", { got: toHex(magic) });
  const version = c.u16le("version");
  if (version !== DEBUG_VERSION)
    fail("DEBUG_VERSION_UNSUPPORTED", `debug Keep evidence version ${version} is not supported`, "version", {
      got: version,
      want: DEBUG_VERSION,
    });
  const flags = c.u16le("flags");
  if (flags !== 0) fail("DEBUG_FLAGS_INVALID", "the reserved flags of debug Keep evidence must be 0", "flags", { got: flags });
  const measurement = c.bytesOf(DEBUG_LAYOUT.measurement.size, "measurement");
  const reportData = c.bytesOf(DEBUG_LAYOUT.reportData.size, "reportData");
  const publicKey = c.bytesOf(DEBUG_LAYOUT.publicKey.size, "publicKey");
  const timestamp = c.u64le("timestamp");
  if (timestamp > BigInt(DEBUG_MAX_TIMESTAMP_MS)) {
    fail("DEBUG_TIMESTAMP_INVALID", "the debug Keep timestamp is beyond the range of dates", "timestamp", {
      got: timestamp,
      max: DEBUG_MAX_TIMESTAMP_MS,
    });
  }
  const signature = c.bytesOf(DEBUG_LAYOUT.signature.size, "signature");
  const v = signature[64]!;
  if (v !== 27 && v !== 28)
    fail("DEBUG_SIGNATURE_MALFORMED", `the signature's recovery byte v is ${v}, not 27 or 28`, "signature", { got: v, want: [27, 28] });
  c.end("signature");
  return {
    raw,
    version: DEBUG_VERSION,
    measurement,
    reportData,
    publicKey,
    timestamp: Number(timestamp),
    signature,
    signed: raw.subarray(0, DEBUG_SIGNED_LENGTH),
  };
}
