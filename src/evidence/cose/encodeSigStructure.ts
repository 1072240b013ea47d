import { concatBytes } from "@keepledger/sdk/internal/util/bytes";

const SIGNATURE1 = new TextEncoder().encode("Signature1");

/** The head of a CBOR item in its shortest form (RFC 8949 §4.2.1). */
function head(major: number, length: number): Uint8Array {
  const m = major << 5;
  if (length < 24) return Uint8Array.of(m | length);
  if (length < 0x100) return Uint8Array.of(m | 24, length);
  if (length < 0x1_0000) return Uint8Array.of(m | 25, length >> 8, length & 0xff);
  return Uint8Array.of(m | 26, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

function bstr(bytes: Uint8Array): Uint8Array {
  return concatBytes(head(2, bytes.length), bytes);
}

/**
 * The bytes a COSE_Sign1 signature covers (RFC 9052 §4.4):
 * `["Signature1", protected, external_aad, payload]`, deterministically
 * encoded (shared by Nitro documents and Arm CCA tokens). The protected header goes in as the exact bytes of the token,
 * never re-encoded; neither NSM nor the RMM uses external data, so external_aad defaults to h''.
 */
export function encodeSigStructure(
  protectedHeader: Uint8Array,
  payload: Uint8Array,
  externalAad: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return concatBytes(head(4, 4), head(3, SIGNATURE1.length), SIGNATURE1, bstr(protectedHeader), bstr(externalAad), bstr(payload));
}
