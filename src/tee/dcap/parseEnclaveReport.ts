import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { ENCLAVE_REPORT_SIZE, type EnclaveReport } from "./types.ts";

/**
 * Reads a 384-byte SGX REPORT body; `field` names it in errors ("quote.body", "quote.qeReport"). The one
 * length check of `sub` covers every field: the layout is fixed (Intel SGX DCAP, sgx_report_body_t), so each
 * is a view at its offset — no per-field check or field name built for a quote that is well formed.
 */
export function parseEnclaveReport(cursor: ByteCursor, field: string): EnclaveReport {
  const raw = cursor.sub(ENCLAVE_REPORT_SIZE, field).bytes;
  const at = (offset: number, size: number): Uint8Array => raw.subarray(offset, offset + size);
  const u16 = (offset: number): number => raw[offset]! | (raw[offset + 1]! << 8);
  const miscSelectRaw = at(16, 4);
  return {
    raw,
    cpuSvn: at(0, 16),
    miscSelect: (miscSelectRaw[0]! | (miscSelectRaw[1]! << 8) | (miscSelectRaw[2]! << 16) | (miscSelectRaw[3]! << 24)) >>> 0,
    miscSelectRaw,
    // 12 reserved bytes
    isvExtProdId: at(32, 16),
    attributes: at(48, 16),
    mrEnclave: at(64, 32),
    // 32 reserved bytes
    mrSigner: at(128, 32),
    // 32 reserved bytes
    configId: at(192, 64),
    isvProdId: u16(256),
    isvSvn: u16(258),
    configSvn: u16(260),
    // 42 reserved bytes
    isvFamilyId: at(304, 16),
    reportData: at(320, 64),
  };
}
