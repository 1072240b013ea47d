import { ATTESTATION_KEY_TYPE_ECDSA_P256, TEE_TYPE_SGX, TEE_TYPE_TDX } from "./types.ts";

/** Sniffs the header: version 3 + TEE type 0 is SGX, version 4/5 + TEE type 0x81 is TDX; ECDSA P-256 key only. Never throws. */
export function detectDcapQuote(bytes: Uint8Array): "sgx" | "tdx" | undefined {
  if (bytes.length < 48) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const version = v.getUint16(0, true);
  if (v.getUint16(2, true) !== ATTESTATION_KEY_TYPE_ECDSA_P256) return undefined;
  const tee = v.getUint32(4, true);
  if (version === 3 && tee === TEE_TYPE_SGX) return "sgx";
  if ((version === 4 || version === 5) && tee === TEE_TYPE_TDX) return "tdx";
  return undefined;
}
