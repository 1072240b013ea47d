import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { ENCLAVE_REPORT_SIZE, type EnclaveReport } from "./types.ts";

/** Reads a 384-byte SGX REPORT body; `field` names it in errors ("quote.body", "quote.qeReport"). */
export function parseEnclaveReport(cursor: ByteCursor, field: string): EnclaveReport {
  const c = cursor.sub(ENCLAVE_REPORT_SIZE, field);
  const cpuSvn = c.bytesOf(16, `${field}.cpuSvn`);
  const miscSelectRaw = c.bytesOf(4, `${field}.miscSelect`);
  c.skip(12, `${field}.reserved1`);
  const isvExtProdId = c.bytesOf(16, `${field}.isvExtProdId`);
  const attributes = c.bytesOf(16, `${field}.attributes`);
  const mrEnclave = c.bytesOf(32, `${field}.mrEnclave`);
  c.skip(32, `${field}.reserved2`);
  const mrSigner = c.bytesOf(32, `${field}.mrSigner`);
  c.skip(32, `${field}.reserved3`);
  const configId = c.bytesOf(64, `${field}.configId`);
  const isvProdId = c.u16le(`${field}.isvProdId`);
  const isvSvn = c.u16le(`${field}.isvSvn`);
  const configSvn = c.u16le(`${field}.configSvn`);
  c.skip(42, `${field}.reserved4`);
  const isvFamilyId = c.bytesOf(16, `${field}.isvFamilyId`);
  const reportData = c.bytesOf(64, `${field}.reportData`);
  c.end(field);
  return {
    raw: c.bytes,
    cpuSvn,
    miscSelect: new DataView(miscSelectRaw.buffer, miscSelectRaw.byteOffset, 4).getUint32(0, true),
    miscSelectRaw,
    isvExtProdId,
    attributes,
    mrEnclave,
    mrSigner,
    configId,
    isvProdId,
    isvSvn,
    configSvn,
    isvFamilyId,
    reportData,
  };
}
