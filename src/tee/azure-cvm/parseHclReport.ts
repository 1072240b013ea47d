import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { isAllZero } from "@keepledger/sdk/internal/util/bytes";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { AZCVM_FORMAT_CODES } from "./codes.ts";

/** "HCLA", read as a little-endian u32. */
export const HCL_SIGNATURE = 0x414c4348;
export const HCL_HEADER_SIZE = 32;
/** The hardware report area: an SEV-SNP ATTESTATION_REPORT fills it, a TDX TDREPORT (1024 bytes) is zero-padded. */
export const HCL_HW_REPORT_SIZE = 1184;
export const TDREPORT_SIZE = 1024;
/** data_size, version, report_type, hash_type, variable_data_size. */
export const IGVM_REQUEST_HEADER_SIZE = 20;
export const HCL_RUNTIME_DATA_OFFSET = HCL_HEADER_SIZE + HCL_HW_REPORT_SIZE + IGVM_REQUEST_HEADER_SIZE;

const REPORT_TYPES = { 2: "snp", 4: "tdx" } as const;

/** The size of vTPM NV index 0x01400001, which the HCL report fills (zero-padded): every vector's is 2600 bytes. */
export const HCL_NV_INDEX_SIZE = 2600;

/** The HCL report the Azure paravisor writes to vTPM NV index 0x01400001 (little-endian throughout). */
export interface HclReport {
  raw: Uint8Array;
  version: number;
  /** Header + hardware report + IGVM request data, in bytes. */
  reportSize: number;
  hardware: "snp" | "tdx";
  /** The hardware report: the 1184-byte SNP report, or the 1024-byte TDREPORT. */
  hardwareReport: Uint8Array;
  /** The runtime data (JSON) exactly as stored: SHA-256 of these bytes is in the hardware REPORT_DATA. */
  runtimeData: Uint8Array;
}

function invalid(
  code: keyof typeof AZCVM_FORMAT_CODES,
  message: string,
  field: string,
  offset: number,
  details: Record<string, unknown>,
): never {
  throw new EvidenceFormatError(AZCVM_FORMAT_CODES[code], message, { at: { field, offset }, details });
}

/**
 * Parses an HCL report: the 32-byte header, the hardware report area and the IGVM request data with its
 * variable data (the runtime data JSON). Every size is checked against the others; the bytes after
 * report_size (NV index padding) must be zero. None of the header fields is signed, so they are held
 * to the only values the paravisor writes. No crypto, no I/O.
 */
export function parseHclReport(bytes: Uint8Array): HclReport {
  // The NV index has one size: a report of any other length (more or fewer zero padding bytes) would be the
  // same attestation under another evidence hash, so it is refused (found by the fuzzer: an added zero byte).
  if (bytes.length !== HCL_NV_INDEX_SIZE) {
    invalid("AZCVM_HCL_SIZE_INVALID", `the HCL report is ${bytes.length} bytes, not the NV index's ${HCL_NV_INDEX_SIZE}`, "hcl", 0, {
      got: bytes.length,
      want: HCL_NV_INDEX_SIZE,
    });
  }
  const c = new ByteCursor(bytes);
  const signature = c.u32le("hcl.signature");
  if (signature !== HCL_SIGNATURE)
    invalid("AZCVM_HCL_SIGNATURE_INVALID", "the HCL report does not start with 'HCLA'", "hcl.signature", 0, { got: signature });
  const version = c.u32le("hcl.version");
  if (version !== 1 && version !== 2)
    invalid("AZCVM_HCL_VERSION_UNSUPPORTED", `HCL report version ${version} is not 1 or 2`, "hcl.version", 4, { got: version });
  const reportSize = c.u32le("hcl.report_size");
  const requestType = c.u32le("hcl.request_type");
  const status = c.u32le("hcl.status");
  if (requestType !== 2 || status !== 0) {
    invalid("AZCVM_HCL_REQUEST_TYPE_UNSUPPORTED", "the HCL report is not a successful hardware report request", "hcl.request_type", 12, {
      requestType,
      status,
    });
  }
  const reserved = c.bytesOf(12, "hcl.reserved");
  if (!isAllZero(reserved)) invalid("AZCVM_HCL_SIZE_INVALID", "the HCL header's reserved bytes are not zero", "hcl.reserved", 20, {});
  const hwArea = c.bytesOf(HCL_HW_REPORT_SIZE, "hcl.hw_report");
  const dataSize = c.u32le("igvm.data_size");
  const igvmVersion = c.u32le("igvm.version");
  const reportType = c.u32le("igvm.report_type");
  const hashType = c.u32le("igvm.hash_type");
  const varSize = c.u32le("igvm.variable_data_size");
  const hardware = REPORT_TYPES[reportType as keyof typeof REPORT_TYPES];
  if (igvmVersion !== 1 || hardware === undefined) {
    invalid(
      "AZCVM_HCL_REPORT_TYPE_UNSUPPORTED",
      `IGVM request data version ${igvmVersion}, report type ${reportType} is not SEV-SNP (2) or TDX (4) version 1`,
      "igvm.report_type",
      1224,
      {
        version: igvmVersion,
        reportType,
      },
    );
  }
  if (hashType !== 1)
    invalid("AZCVM_HCL_HASH_TYPE_UNSUPPORTED", `runtime data hash type ${hashType} is not SHA-256 (1)`, "igvm.hash_type", 1228, {
      got: hashType,
    });
  if (dataSize !== IGVM_REQUEST_HEADER_SIZE + varSize || reportSize !== HCL_HEADER_SIZE + HCL_HW_REPORT_SIZE + dataSize) {
    invalid("AZCVM_HCL_SIZE_INVALID", "the HCL report's sizes do not add up", "hcl.report_size", 8, {
      reportSize,
      dataSize,
      variableDataSize: varSize,
    });
  }
  const runtimeData = c.bytesOf(varSize, "igvm.variable_data");
  const padding = c.rest();
  if (!isAllZero(padding))
    invalid("AZCVM_HCL_SIZE_INVALID", "bytes after the HCL report's report_size are not zero", "hcl.padding", reportSize, {
      length: padding.length,
    });
  let hardwareReport = hwArea;
  if (hardware === "tdx") {
    if (!isAllZero(hwArea.subarray(TDREPORT_SIZE))) {
      invalid(
        "AZCVM_HCL_PADDING_NONZERO",
        "the hardware report area holds bytes after the TDREPORT",
        "hcl.hw_report",
        HCL_HEADER_SIZE + TDREPORT_SIZE,
        {},
      );
    }
    hardwareReport = hwArea.subarray(0, TDREPORT_SIZE);
  }
  return { raw: bytes, version, reportSize, hardware, hardwareReport, runtimeData };
}
