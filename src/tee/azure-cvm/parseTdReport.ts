import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { AZCVM_FORMAT_CODES } from "./codes.ts";
import { TDREPORT_SIZE } from "./parseHclReport.ts";

/** TDX TDREPORT_STRUCT (Intel TDX Module ABI): REPORTMACSTRUCT ‖ TEE_TCB_INFO ‖ reserved ‖ TDINFO. Not signed: a MAC only the CPU checks. */
export interface TdReportStruct {
  raw: Uint8Array;
  reportData: Uint8Array;
  /** TEE_TCB_INFO bytes 8..128: TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, SEAM ATTRIBUTES — a TD quote body's first 120 bytes. */
  teeTcbInfo: Uint8Array;
  /** TDINFO bytes 0..400: ATTRIBUTES, XFAM, MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0..3 — a TD quote body's bytes 120..520. */
  tdInfo: Uint8Array;
}

const TDX_REPORT_TYPE = 0x81;

/** Reads the parts of a 1024-byte TDREPORT that its TD quote repeats. No crypto. */
export function parseTdReportStruct(bytes: Uint8Array): TdReportStruct {
  const c = new ByteCursor(bytes, 32);
  const type = c.u8("tdreport.reportmacstruct.reporttype.type");
  if (type !== TDX_REPORT_TYPE) {
    throw new EvidenceFormatError(AZCVM_FORMAT_CODES.AZCVM_TDREPORT_INVALID, `TDREPORT type 0x${type.toString(16)} is not TDX (0x81)`, {
      at: { field: "tdreport.reportmacstruct.reporttype", offset: 32 },
      details: { got: type },
    });
  }
  c.skip(127, "tdreport.reportmacstruct");
  const reportData = c.bytesOf(64, "tdreport.reportmacstruct.reportdata");
  c.skip(64, "tdreport.reportmacstruct");
  c.skip(8, "tdreport.tee_tcb_info.valid");
  const teeTcbInfo = c.bytesOf(120, "tdreport.tee_tcb_info");
  c.skip(512 - 256 - 128, "tdreport.tee_tcb_info");
  const tdInfo = c.bytesOf(400, "tdreport.tdinfo");
  c.skip(TDREPORT_SIZE - 912, "tdreport.tdinfo");
  c.end("tdreport");
  return { raw: bytes, reportData, teeTcbInfo, tdInfo };
}
