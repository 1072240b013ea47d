/**
 * The opaque data of NVIDIA's MEASUREMENTS response: a list of
 * `type u16le | size u16le | value` fields (field ids from NVIDIA's
 * local GPU verifier, nvtrust `OpaqueData.OPAQUE_DATA_TYPES`). It is inside
 * the signed bytes, so once the signature verifies these values are the GPU's.
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { NVGPU_FORMAT_CODES } from "./codes.ts";

export const OPAQUE_FIELD = {
  CERT_ISSUER_NAME: 1,
  CERT_AUTHORITY_KEY_IDENTIFIER: 2,
  DRIVER_VERSION: 3,
  GPU_INFO: 4,
  SKU: 5,
  VBIOS_VERSION: 6,
  MANUFACTURER_ID: 7,
  TAMPER_DETECTION: 8,
  SMC: 9,
  VPR: 10,
  NVDEC0_STATUS: 11,
  MSRSCNT: 12,
  CPRINFO: 13,
  BOARD_ID: 14,
  CHIP_SKU: 15,
  CHIP_SKU_MOD: 16,
  PROJECT: 17,
  PROJECT_SKU: 18,
  PROJECT_SKU_MOD: 19,
  FWID: 20,
  PROTECTED_PCIE_STATUS: 21,
  OPAQUE_DATA_VERSION: 34,
  CHIP_INFO: 35,
  FEATURE_FLAG: 36,
} as const;

/** The byte NVIDIA uses for "enabled" and "disabled" status fields (nvtrust BaseSettings.NVDEC_STATUS). */
export const STATUS_ENABLED = 0xaa;
export const STATUS_DISABLED = 0x55;

/** Fields whose size is fixed; a field of another size is refused rather than misread. */
const FIXED_SIZES: ReadonlyMap<number, number> = new Map([
  [OPAQUE_FIELD.VBIOS_VERSION, 8],
  [OPAQUE_FIELD.FWID, 48],
  [OPAQUE_FIELD.NVDEC0_STATUS, 1],
  [OPAQUE_FIELD.PROTECTED_PCIE_STATUS, 1],
  [OPAQUE_FIELD.BOARD_ID, 4],
]);

export interface OpaqueData {
  /** Every field by type, as given (unknown types included). */
  fields: ReadonlyMap<number, Uint8Array>;
}

export function parseOpaqueData(c: ByteCursor): OpaqueData {
  const fields = new Map<number, Uint8Array>();
  for (let i = 0; c.remaining > 0; i++) {
    const at = c.offset;
    const type = c.u16le(`OpaqueData[${i}].DataType`);
    const size = c.u16le(`OpaqueData[${i}].DataSize`);
    const value = c.bytesOf(size, `OpaqueData[${i}].Data`);
    const want = FIXED_SIZES.get(type);
    if (fields.has(type) || (want !== undefined && size !== want)) {
      throw new EvidenceFormatError(
        NVGPU_FORMAT_CODES.NVGPU_OPAQUE_DATA_INVALID,
        fields.has(type) ? `opaque field ${type} appears twice` : `opaque field ${type} has ${size} bytes, not ${want}`,
        { at: { field: `OpaqueData[${i}]`, offset: at }, details: { type, size, ...(want !== undefined ? { want } : {}) } },
      );
    }
    fields.set(type, value);
  }
  return { fields };
}

/** What the opaque data says about the GPU, decoded. */
export interface GpuOpaqueInfo {
  driverVersion: string;
  /** As NVIDIA prints it: "96.00.9f.00.01" (lowercase, as its verifier compares). */
  vbiosVersion: string;
  project: string;
  projectSku: string;
  chipSku: string;
  /** Hex of the 4 board-id bytes, or null when absent. */
  boardId: string | null;
  /** The 48-byte firmware ID the leaf certificate's TcbInfo must carry. */
  fwid: Uint8Array;
  /** NVDEC0 status byte (0x55 disabled, 0xAA enabled), null when absent. */
  nvdec0Status: number | null;
  /** Protected PCIe (multi-GPU) status byte, null when absent. */
  protectedPcieStatus: number | null;
  /** OPAQUE_DATA_VERSION (u32le), null when absent (Hopper firmware before it). */
  opaqueDataVersion: number | null;
  /** CHIP_INFO up to its first NUL (e.g. "GB100"), null when absent. */
  chipInfo: string | null;
}

function required(opaque: OpaqueData, type: number, name: string): Uint8Array {
  const value = opaque.fields.get(type);
  if (value === undefined) {
    throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_OPAQUE_FIELD_MISSING, `the report's opaque data has no ${name}`, {
      at: { field: `OpaqueData.${name}` },
      details: { type },
    });
  }
  return value;
}

/** A NUL-terminated printable-ASCII string; bytes after the terminator must be NUL. */
export function opaqueString(value: Uint8Array, name: string): string {
  let end = value.indexOf(0);
  if (end < 0) end = value.length;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (i < end ? b < 0x20 || b > 0x7e : b !== 0) {
      throw new EvidenceFormatError(
        NVGPU_FORMAT_CODES.NVGPU_OPAQUE_DATA_INVALID,
        `opaque field ${name} is not a NUL-terminated ASCII string`,
        {
          at: { field: `OpaqueData.${name}`, offset: i },
        },
      );
    }
  }
  return Buffer.from(value.subarray(0, end)).toString("latin1").trim();
}

/** NVIDIA's format_vbios_version: bytes b3.b2.b1.b0.b4 in lowercase hex. */
export function formatVbiosVersion(value: Uint8Array): string {
  return [value[3]!, value[2]!, value[1]!, value[0]!, value[4]!].map((b) => b.toString(16).padStart(2, "0")).join(".");
}

export function decodeGpuOpaqueInfo(opaque: OpaqueData): GpuOpaqueInfo {
  const optionalByte = (type: number): number | null => opaque.fields.get(type)?.[0] ?? null;
  const version = opaque.fields.get(OPAQUE_FIELD.OPAQUE_DATA_VERSION);
  if (version !== undefined && version.length !== 4) {
    throw new EvidenceFormatError(NVGPU_FORMAT_CODES.NVGPU_OPAQUE_DATA_INVALID, "OPAQUE_DATA_VERSION is not 4 bytes", {
      at: { field: "OpaqueData.OPAQUE_DATA_VERSION" },
      details: { size: version.length },
    });
  }
  const chipInfo = opaque.fields.get(OPAQUE_FIELD.CHIP_INFO);
  const boardId = opaque.fields.get(OPAQUE_FIELD.BOARD_ID);
  return {
    driverVersion: opaqueString(required(opaque, OPAQUE_FIELD.DRIVER_VERSION, "DRIVER_VERSION"), "DRIVER_VERSION"),
    vbiosVersion: formatVbiosVersion(required(opaque, OPAQUE_FIELD.VBIOS_VERSION, "VBIOS_VERSION")),
    project: opaqueString(required(opaque, OPAQUE_FIELD.PROJECT, "PROJECT"), "PROJECT"),
    projectSku: opaqueString(required(opaque, OPAQUE_FIELD.PROJECT_SKU, "PROJECT_SKU"), "PROJECT_SKU"),
    chipSku: opaqueString(required(opaque, OPAQUE_FIELD.CHIP_SKU, "CHIP_SKU"), "CHIP_SKU"),
    boardId: boardId === undefined ? null : Buffer.from(boardId).toString("hex"),
    fwid: required(opaque, OPAQUE_FIELD.FWID, "FWID"),
    nvdec0Status: optionalByte(OPAQUE_FIELD.NVDEC0_STATUS),
    protectedPcieStatus: optionalByte(OPAQUE_FIELD.PROTECTED_PCIE_STATUS),
    opaqueDataVersion: version === undefined ? null : Buffer.from(version).readUInt32LE(0),
    chipInfo: chipInfo === undefined ? null : opaqueString(chipInfo, "CHIP_INFO"),
  };
}
