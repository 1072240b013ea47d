/**
 * The NVIDIA GPU attestation report: an SPDM 1.1 GET_MEASUREMENTS request
 * (37 bytes) followed by its MEASUREMENTS response (DSP0274 1.1.x §10.11),
 * as NVIDIA's driver hands it out (nvmlDeviceGetConfComputeGpuAttestationReport).
 * Bytes to typed struct only: no crypto, no I/O. Every length is checked.
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { NVGPU_FORMAT_CODES } from "./codes.ts";
import { parseOpaqueData, type OpaqueData } from "./parseOpaqueData.ts";

export const SPDM_VERSION_1_1 = 0x11;
export const GET_MEASUREMENTS = 0xe0;
export const MEASUREMENTS = 0x60;
export const SPDM_REQUEST_LENGTH = 37;
/** ECDSA P-384 r‖s. */
export const SPDM_SIGNATURE_LENGTH = 96;
/** SHA-384 digests. */
export const MEASUREMENT_DIGEST_LENGTH = 48;
const DMTF_MEASUREMENT_SPECIFICATION = 1;
/** A measurement block: DMTFSpecMeasurementValueType (1) ‖ DMTFSpecMeasurementValueSize (2) ‖ a SHA-384 digest. */
const BLOCK_SIZE = 3 + MEASUREMENT_DIGEST_LENGTH;

export interface MeasurementBlock {
  /** 1-based SPDM index. RIM indices are 0-based: RIM index i is block i + 1. */
  index: number;
  /** DMTFSpecMeasurementValueType (bit 7 set = raw bit stream). */
  valueType: number;
  /** The 48-byte digest. */
  digest: Uint8Array;
}

export interface SpdmMeasurementReport {
  /** The whole report as given. */
  bytes: Uint8Array;
  request: {
    /** Param1: bit 0 = signature requested. */
    attributes: number;
    /** Param2: 0xFF = all measurement blocks. */
    operation: number;
    /** The requester's 32-byte nonce: keepledger's binding hash. */
    nonce: Uint8Array;
    slotId: number;
  };
  response: {
    param1: number;
    param2: number;
    blocks: MeasurementBlock[];
    /** The responder's (GPU's) 32-byte nonce. */
    nonce: Uint8Array;
    opaque: OpaqueData;
    /** ECDSA P-384 r‖s, 96 bytes. */
    signature: Uint8Array;
  };
  /** What the GPU signed: the request and the response up to the signature (NVIDIA's verifier, DSP0274 L1). */
  signedBytes: Uint8Array;
}

function formatError(
  code: keyof typeof NVGPU_FORMAT_CODES,
  message: string,
  field: string,
  offset: number,
  details?: Record<string, unknown>,
): never {
  throw new EvidenceFormatError(NVGPU_FORMAT_CODES[code], message, { at: { field, offset }, ...(details ? { details } : {}) });
}

/** Runs a read and turns the cursor's generic truncation into the GPU report's own code. */
export function asReportError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (
      e instanceof EvidenceFormatError &&
      (e.code === EVIDENCE_CODES.EVIDENCE_TRUNCATED || e.code === EVIDENCE_CODES.EVIDENCE_LENGTH_INVALID)
    ) {
      throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_REPORT_TRUNCATED, `NVIDIA GPU report: ${e.shortMessage}`, {
        ...(e.at ? { at: e.at } : {}),
        details: e.details,
        cause: e,
      });
    }
    throw e;
  }
}

function parseRequest(c: ByteCursor): SpdmMeasurementReport["request"] {
  const version = c.u8("request.SPDMVersion");
  if (version !== SPDM_VERSION_1_1) {
    formatError("NVGPU_SPDM_VERSION_UNSUPPORTED", `SPDM request version 0x${version.toString(16)} is not 1.1`, "request.SPDMVersion", 0, {
      got: version,
      want: SPDM_VERSION_1_1,
    });
  }
  const code = c.u8("request.RequestResponseCode");
  const attributes = c.u8("request.Param1");
  const operation = c.u8("request.Param2");
  // A signed report of every block: anything else is not what a verifier asked for.
  if (code !== GET_MEASUREMENTS || (attributes & 1) !== 1 || operation !== 0xff) {
    formatError("NVGPU_SPDM_MESSAGE_UNEXPECTED", "the request is not a signed GET_MEASUREMENTS of all blocks", "request", 1, {
      code,
      attributes,
      operation,
    });
  }
  const nonce = c.bytesOf(32, "request.Nonce");
  const slotId = c.u8("request.SlotIDParam");
  return { attributes, operation, nonce, slotId };
}

/** A block's header: Index (1), MeasurementSpecification (1), MeasurementSize (2, little-endian). */
const BLOCK_HEADER = 4;

interface BlockRead {
  index: number;
  specification: number;
  size: number;
  valueType: number;
  valueSize: number;
  /** The block's MeasurementSize bytes. */
  contents: Uint8Array;
}

/**
 * The next block's fields. A block that is all there and of the one size a valid block has is read in place:
 * the reads by field below name their field in a string built before each read (six per block, 384 per
 * report), which only a short or malformed block needs, for its error.
 */
function readBlock(record: ByteCursor, i: number): BlockRead {
  const { bytes, position: p } = record;
  if (p + BLOCK_HEADER + BLOCK_SIZE <= bytes.length && (bytes[p + 2]! | (bytes[p + 3]! << 8)) === BLOCK_SIZE) {
    record.skip(BLOCK_HEADER, "MeasurementRecord");
    const contents = record.bytesOf(BLOCK_SIZE, "MeasurementRecord");
    const valueSize = contents[1]! | (contents[2]! << 8);
    return { index: bytes[p]!, specification: bytes[p + 1]!, size: BLOCK_SIZE, valueType: contents[0]!, valueSize, contents };
  }
  const field = `MeasurementRecord[${i}]`;
  const index = record.u8(`${field}.Index`);
  const specification = record.u8(`${field}.MeasurementSpecification`);
  const size = record.u16le(`${field}.MeasurementSize`);
  const block = record.sub(size, `${field}.Measurement`);
  const valueType = block.u8(`${field}.DMTFSpecMeasurementValueType`);
  const valueSize = block.u16le(`${field}.DMTFSpecMeasurementValueSize`);
  return { index, specification, size, valueType, valueSize, contents: block.bytes };
}

function parseBlocks(record: ByteCursor, count: number): MeasurementBlock[] {
  const blocks: MeasurementBlock[] = [];
  for (let i = 0; i < count; i++) {
    const at = record.offset;
    const { index, specification, size, valueType, valueSize, contents } = readBlock(record, i);
    // NVIDIA's RIMs compare 48-byte SHA-384 digests at indices 1..N in order: anything else cannot be appraised.
    if (
      index !== i + 1 ||
      specification !== DMTF_MEASUREMENT_SPECIFICATION ||
      valueSize !== MEASUREMENT_DIGEST_LENGTH ||
      size !== 3 + valueSize
    ) {
      formatError(
        "NVGPU_MEASUREMENT_BLOCK_INVALID",
        `measurement block ${i} is not DMTF block ${i + 1} with a 48-byte digest`,
        `MeasurementRecord[${i}]`,
        at,
        {
          index,
          specification,
          size,
          valueSize,
        },
      );
    }
    // Valid, so exactly the type, the size and the 48-byte digest.
    blocks.push({ index, valueType, digest: contents.subarray(3) });
  }
  if (record.remaining !== 0) {
    formatError(
      "NVGPU_MEASUREMENT_BLOCK_INVALID",
      "MeasurementRecordLength is longer than its blocks",
      "MeasurementRecord",
      record.offset,
      {
        trailing: record.remaining,
      },
    );
  }
  return blocks;
}

/** Parses a binary GPU attestation report (request ‖ response). */
export function parseSpdmReport(bytes: Uint8Array): SpdmMeasurementReport {
  return asReportError(() => {
    const c = new ByteCursor(bytes);
    const request = parseRequest(c);
    const responseStart = c.position;
    const version = c.u8("response.SPDMVersion");
    if (version !== SPDM_VERSION_1_1) {
      formatError(
        "NVGPU_SPDM_VERSION_UNSUPPORTED",
        `SPDM response version 0x${version.toString(16)} is not 1.1`,
        "response.SPDMVersion",
        responseStart,
        {
          got: version,
          want: SPDM_VERSION_1_1,
        },
      );
    }
    const code = c.u8("response.RequestResponseCode");
    if (code !== MEASUREMENTS) {
      formatError(
        "NVGPU_SPDM_MESSAGE_UNEXPECTED",
        `response code 0x${code.toString(16)} is not MEASUREMENTS`,
        "response.RequestResponseCode",
        responseStart + 1,
        {
          got: code,
        },
      );
    }
    const param1 = c.u8("response.Param1");
    const param2 = c.u8("response.Param2");
    const count = c.u8("response.NumberOfBlocks");
    if (count === 0) {
      formatError("NVGPU_MEASUREMENT_BLOCK_INVALID", "the response has no measurement blocks", "response.NumberOfBlocks", c.offset - 1);
    }
    const lengthBytes = c.bytesOf(3, "response.MeasurementRecordLength");
    const recordLength = lengthBytes[0]! | (lengthBytes[1]! << 8) | (lengthBytes[2]! << 16);
    const blocks = parseBlocks(c.sub(recordLength, "response.MeasurementRecord"), count);
    const nonce = c.bytesOf(32, "response.Nonce");
    const opaqueLength = c.u16le("response.OpaqueLength");
    const opaque = parseOpaqueData(c.sub(opaqueLength, "response.OpaqueData"));
    const signedEnd = c.position;
    const signature = c.bytesOf(SPDM_SIGNATURE_LENGTH, "response.Signature");
    if (c.remaining !== 0) {
      formatError("NVGPU_REPORT_TRAILING_BYTES", "bytes follow the report's signature", "response.Signature", c.offset, {
        trailing: c.remaining,
      });
    }
    return {
      bytes,
      request,
      response: { param1, param2, blocks, nonce, opaque, signature },
      signedBytes: bytes.subarray(0, signedEnd),
    };
  });
}
