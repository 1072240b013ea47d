/**
 * The SEV-SNP certificate table the host hands a guest with an extended report (GHCB specification,
 * MSG_REPORT_REQ; Linux exposes it as the configfs TSM `auxblob`): entries of { GUID (16 bytes, in
 * string order), offset u32 LE, length u32 LE } ended by an all-zero entry, each pointing at a DER
 * certificate elsewhere in the same buffer.
 */
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/index";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import type { CollateralFile } from "../types.ts";
import { SELF_ATTESTATION_CODES } from "./codes.ts";

/** The GUIDs AMD assigns to the certificates of the table. */
export const SNP_CERT_GUIDS: Record<string, string> = {
  "63da758d-e664-4564-adc5-f4b93be8accd": "vcek",
  "a8074bc2-a25a-483e-aae6-39c045a0b8a1": "vlek",
  "4ab7b379-bbac-4fe4-a02f-05aef327c782": "ask",
  "c0b406a4-a803-4952-9743-3fb6014cd0ae": "ark",
  "92f81bc3-5811-4d3d-97ff-d19f88dc67ea": "crl",
};

function guidText(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface SnpCertTableEntry {
  guid: string;
  /** vcek, vlek, ask, ark, crl, or the GUID itself for others. */
  kind: string;
  bytes: Uint8Array;
}

export function parseSnpCertTable(table: Uint8Array): SnpCertTableEntry[] {
  const cursor = new ByteCursor(table);
  const entries: SnpCertTableEntry[] = [];
  for (let i = 0; ; i++) {
    const guid = cursor.bytesOf(16, `certTable[${i}].guid`);
    const offset = cursor.u32le(`certTable[${i}].offset`);
    const length = cursor.u32le(`certTable[${i}].length`);
    if (guid.every((b) => b === 0) && offset === 0 && length === 0) break;
    if (i >= 64)
      throw new EvidenceFormatError(
        SELF_ATTESTATION_CODES.SNP_CERT_TABLE_MALFORMED,
        "the certificate table has no terminating entry in its first 64",
        { at: { field: "certTable" } },
      );
    if (offset > table.length || length > table.length - offset || length === 0) {
      throw new EvidenceFormatError(
        SELF_ATTESTATION_CODES.SNP_CERT_TABLE_MALFORMED,
        `certificate table entry ${i} points outside the table`,
        {
          at: { field: `certTable[${i}]`, offset: 24 * i + 16 },
          details: { offset, length, tableLength: table.length },
        },
      );
    }
    const g = guidText(guid);
    entries.push({ guid: g, kind: SNP_CERT_GUIDS[g] ?? g, bytes: table.subarray(offset, offset + length) });
  }
  return entries;
}

/** The table's certificates as collateral files (vcek.der, ask.der, …), recognized by content later. */
export function snpCertTableFiles(table: Uint8Array): CollateralFile[] {
  if (table.length === 0) return [];
  return parseSnpCertTable(table).map((e) => ({ name: `${e.kind}.der`, bytes: new Uint8Array(e.bytes) }));
}
