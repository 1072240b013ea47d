import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { toHex } from "@keepledger/sdk/internal/util/bytes";
import { DEBUG_CODES } from "./formatCodes.ts";
import {
  DEBUG_LAYOUT_V2,
  DEBUG_MAX_TIMESTAMP_MS,
  DEBUG_VERSION_V1,
  DEBUG_VERSIONS,
  debugLayout,
  type DebugField,
  type DebugLayout,
  type DebugVersion,
} from "./debugEvidenceFormat.ts";
import { detectDebugEvidence } from "./detectDebugEvidence.ts";

/** Debug Keep evidence, parsed; nothing verified (see verifyDebugEvidence). */
export interface DebugEvidence {
  /** The bytes as given (a private copy): what the evidence hash covers. */
  raw: Uint8Array;
  /** 2: Ed25519 (made now); 1: secp256k1 (legacy, still verified). */
  version: DebugVersion;
  measurement: Uint8Array;
  reportData: Uint8Array;
  /** v2: Ed25519, 32 bytes; v1: secp256k1 X‖Y, 64 bytes. */
  publicKey: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** v2: Ed25519 R‖S, 64 bytes; v1: r‖s‖v, 65 bytes, v ∈ {27, 28}. */
  signature: Uint8Array;
  /** Every byte before the signature: what it covers (v1: after keccak256). */
  signed: Uint8Array;
}

function fail(
  code: keyof typeof DEBUG_CODES,
  message: string,
  layout: DebugLayout,
  field: DebugField,
  details: Record<string, unknown>,
): never {
  throw new EvidenceFormatError(DEBUG_CODES[code], message, { at: { field, offset: layout[field].offset }, details });
}

/** Parses debug Keep evidence (version 2 or 1) from untrusted bytes; every failure is an EvidenceFormatError naming the field. */
export function parseDebugEvidence(bytes: Uint8Array): DebugEvidence {
  if (bytes.length === 0) throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the debug Keep evidence is empty");
  const raw = new Uint8Array(bytes); // a copy even when given a Buffer (whose slice() is a view)
  const c = new ByteCursor(raw);
  const header = DEBUG_LAYOUT_V2; // the first 108 bytes are the same in every version
  const magic = c.bytesOf(header.magic.size, "magic");
  if (!detectDebugEvidence(magic))
    fail("DEBUG_MAGIC_INVALID", "not debug Keep evidence: wrong magic", header, "magic", { got: toHex(magic) });
  const version = c.u16le("version");
  if (!(DEBUG_VERSIONS as readonly number[]).includes(version))
    fail("DEBUG_VERSION_UNSUPPORTED", `debug Keep evidence version ${version} is not supported`, header, "version", {
      got: version,
      want: DEBUG_VERSIONS,
    });
  const layout = debugLayout(version as DebugVersion);
  const flags = c.u16le("flags");
  if (flags !== 0) fail("DEBUG_FLAGS_INVALID", "the reserved flags of debug Keep evidence must be 0", layout, "flags", { got: flags });
  const measurement = c.bytesOf(layout.measurement.size, "measurement");
  const reportData = c.bytesOf(layout.reportData.size, "reportData");
  const publicKey = c.bytesOf(layout.publicKey.size, "publicKey");
  const timestamp = c.u64le("timestamp");
  if (timestamp > BigInt(DEBUG_MAX_TIMESTAMP_MS)) {
    fail("DEBUG_TIMESTAMP_INVALID", "the debug Keep timestamp is beyond the range of dates", layout, "timestamp", {
      got: timestamp,
      max: DEBUG_MAX_TIMESTAMP_MS,
    });
  }
  const signature = c.bytesOf(layout.signature.size, "signature");
  if (version === DEBUG_VERSION_V1) {
    const v = signature[64]!;
    if (v !== 27 && v !== 28)
      fail("DEBUG_SIGNATURE_MALFORMED", `the signature's recovery byte v is ${v}, not 27 or 28`, layout, "signature", {
        got: v,
        want: [27, 28],
      });
  }
  c.end("signature");
  return {
    raw,
    version: version as DebugVersion,
    measurement,
    reportData,
    publicKey,
    timestamp: Number(timestamp),
    signature,
    signed: raw.subarray(0, layout.signature.offset),
  };
}
