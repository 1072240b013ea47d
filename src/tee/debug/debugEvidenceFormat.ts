/**
 * The debug Keep evidence format, version 1 (docs/evidence/debug-keep.md).
 * Fixed layout, little-endian integers, 245 bytes:
 *
 *   offset size field
 *   0      8    magic 7f 'K' 'E' 'E' 'P' 'D' 'B' 'G'
 *   8      2    version (u16 LE) = 1
 *   10     2    flags (u16 LE) = 0, reserved
 *   12     32   measurement
 *   44     64   reportData
 *   108    64   publicKey: secp256k1 X‖Y
 *   172    8    timestamp (u64 LE, ms since the epoch)
 *   180    65   signature r‖s‖v (v ∈ {27, 28}) over keccak256(bytes[0:180])
 */
export const DEBUG_MAGIC = new Uint8Array([0x7f, 0x4b, 0x45, 0x45, 0x50, 0x44, 0x42, 0x47]);
export const DEBUG_VERSION = 1;

export const DEBUG_LAYOUT = {
  magic: { offset: 0, size: 8 },
  version: { offset: 8, size: 2 },
  flags: { offset: 10, size: 2 },
  measurement: { offset: 12, size: 32 },
  reportData: { offset: 44, size: 64 },
  publicKey: { offset: 108, size: 64 },
  timestamp: { offset: 172, size: 8 },
  signature: { offset: 180, size: 65 },
} as const;

/** The signature covers every byte before it. */
export const DEBUG_SIGNED_LENGTH = DEBUG_LAYOUT.signature.offset;
export const DEBUG_EVIDENCE_LENGTH = DEBUG_LAYOUT.signature.offset + DEBUG_LAYOUT.signature.size;

/** The latest instant a JavaScript Date can hold (ms since the epoch). */
export const DEBUG_MAX_TIMESTAMP_MS = 8.64e15;
