import type { AmdProductLine } from "../../pki/roots.ts";

/**
 * How a product line lays out the 8-byte TCB_VERSION (SEV-SNP ABI, "TCB_VERSION"):
 * - legacy (Milan, Genoa): BOOT_LOADER[0] TEE[1] reserved[2..5] SNP[6] MICROCODE[7]
 * - turin: FMC[0] BOOT_LOADER[1] TEE[2] SNP[3] reserved[4..6] MICROCODE[7]
 */
export type TcbLayout = "legacy" | "turin";

/** The security patch levels of one TCB_VERSION, with the 8 bytes as they appear in the report. */
export interface SnpTcbVersion {
  raw: Uint8Array;
  layout: TcbLayout;
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  /** Turin only: the FMC (first mutable code) SPL. */
  fmc?: number;
}

/** The components a TCB_VERSION is built from; `reserved` holds the reserved bytes in order (4 legacy, 3 Turin). */
export interface TcbParts {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  fmc?: number;
  reserved?: readonly number[];
}

export function tcbLayoutOf(productLine: AmdProductLine | undefined): TcbLayout {
  return productLine === "Turin" ? "turin" : "legacy";
}

/** Byte index of each component and of the reserved bytes, per layout. */
export const TCB_BYTE_INDEX = {
  legacy: { bootloader: 0, tee: 1, snp: 6, microcode: 7, reserved: [2, 3, 4, 5] },
  turin: { fmc: 0, bootloader: 1, tee: 2, snp: 3, microcode: 7, reserved: [4, 5, 6] },
} as const;

export function decodeTcbVersion(raw: Uint8Array, layout: TcbLayout): SnpTcbVersion {
  if (raw.length !== 8) throw new RangeError(`TCB_VERSION is 8 bytes, got ${raw.length}`);
  const at = (i: number): number => raw[i]!;
  if (layout === "turin") {
    const ix = TCB_BYTE_INDEX.turin;
    return { raw, layout, fmc: at(ix.fmc), bootloader: at(ix.bootloader), tee: at(ix.tee), snp: at(ix.snp), microcode: at(ix.microcode) };
  }
  const ix = TCB_BYTE_INDEX.legacy;
  return { raw, layout, bootloader: at(ix.bootloader), tee: at(ix.tee), snp: at(ix.snp), microcode: at(ix.microcode) };
}

/** The 8 bytes of a TCB_VERSION from its parts (missing reserved bytes are zero). */
export function encodeTcbVersion(parts: TcbParts, layout: TcbLayout): Uint8Array {
  const out = new Uint8Array(8);
  const ix = TCB_BYTE_INDEX[layout];
  out[ix.bootloader] = parts.bootloader;
  out[ix.tee] = parts.tee;
  out[ix.snp] = parts.snp;
  out[ix.microcode] = parts.microcode;
  if (layout === "turin") out[TCB_BYTE_INDEX.turin.fmc] = parts.fmc ?? 0;
  ix.reserved.forEach((byteIndex, i) => {
    out[byteIndex] = parts.reserved?.[i] ?? 0;
  });
  return out;
}
