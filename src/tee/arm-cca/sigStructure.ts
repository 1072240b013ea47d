import { concatBytes } from "../../util/bytes.ts";

// Phase 2: the same function lives in src/verify/nitro/encodeSigStructure.ts; once COSE moves to
// src/evidence/cose/ both kinds should use one copy there (this room may not import src/verify).
const SIGNATURE1 = new TextEncoder().encode("Signature1");

function head(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x1_0000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  return Uint8Array.of(m | 26, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/** `["Signature1", protected, h'', payload]` (RFC 9052 §4.4), the protected header as the exact bytes of the token. */
export function coseSign1SignedBytes(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return concatBytes(
    head(4, 4),
    head(3, SIGNATURE1.length),
    SIGNATURE1,
    head(2, protectedHeader.length),
    protectedHeader,
    head(2, 0),
    head(2, payload.length),
    payload,
  );
}
