/**
 * The debug Keep evidence format (docs/evidence/debug-keep.md). Fixed layouts, little-endian integers.
 *
 * Version 2 (what is made now), 212 bytes — an Ed25519 signature OpenSSL verifies in ~0.1 ms:
 *
 *   offset size field
 *   0      8    magic 7f 'K' 'E' 'E' 'P' 'D' 'B' 'G'
 *   8      2    version (u16 LE) = 2
 *   10     2    flags (u16 LE) = 0, reserved
 *   12     32   measurement
 *   44     64   reportData
 *   108    32   publicKey: Ed25519 (RFC 8032 encoding)
 *   140    8    timestamp (u64 LE, ms since the epoch)
 *   148    64   signature: Ed25519 (R‖S) over bytes[0:148]
 *
 * Version 1 (legacy: still parsed and verified, so verdicts already on-chain can be re-verified), 245 bytes:
 *
 *   0..44 as above (version = 1)
 *   108    64   publicKey: secp256k1 X‖Y
 *   172    8    timestamp
 *   180    65   signature r‖s‖v (v ∈ {27, 28}) over keccak256(bytes[0:180])
 */
export const DEBUG_MAGIC = new Uint8Array([0x7f, 0x4b, 0x45, 0x45, 0x50, 0x44, 0x42, 0x47]);

/** The version createDebugEvidence makes. */
export const DEBUG_VERSION = 2;
/** The legacy secp256k1 version, still verified (audit of verdicts made with it). */
export const DEBUG_VERSION_V1 = 1;
export const DEBUG_VERSIONS = [DEBUG_VERSION_V1, DEBUG_VERSION] as const;
export type DebugVersion = (typeof DEBUG_VERSIONS)[number];

const HEADER = {
  magic: { offset: 0, size: 8 },
  version: { offset: 8, size: 2 },
  flags: { offset: 10, size: 2 },
  measurement: { offset: 12, size: 32 },
  reportData: { offset: 44, size: 64 },
} as const;

export const DEBUG_LAYOUT_V2 = {
  ...HEADER,
  publicKey: { offset: 108, size: 32 },
  timestamp: { offset: 140, size: 8 },
  signature: { offset: 148, size: 64 },
} as const;

export const DEBUG_LAYOUT_V1 = {
  ...HEADER,
  publicKey: { offset: 108, size: 64 },
  timestamp: { offset: 172, size: 8 },
  signature: { offset: 180, size: 65 },
} as const;

export type DebugLayout = typeof DEBUG_LAYOUT_V1 | typeof DEBUG_LAYOUT_V2;
export type DebugField = keyof typeof DEBUG_LAYOUT_V2;

/** The layout of the current version. */
export const DEBUG_LAYOUT = DEBUG_LAYOUT_V2;

export function debugLayout(version: DebugVersion): DebugLayout {
  return version === DEBUG_VERSION_V1 ? DEBUG_LAYOUT_V1 : DEBUG_LAYOUT_V2;
}

/** The signature covers every byte before it. */
export const DEBUG_SIGNED_LENGTH = DEBUG_LAYOUT_V2.signature.offset;
export const DEBUG_EVIDENCE_LENGTH = DEBUG_LAYOUT_V2.signature.offset + DEBUG_LAYOUT_V2.signature.size;
export const DEBUG_V1_SIGNED_LENGTH = DEBUG_LAYOUT_V1.signature.offset;
export const DEBUG_V1_EVIDENCE_LENGTH = DEBUG_LAYOUT_V1.signature.offset + DEBUG_LAYOUT_V1.signature.size;

/** The latest instant a JavaScript Date can hold (ms since the epoch). */
export const DEBUG_MAX_TIMESTAMP_MS = 8.64e15;
