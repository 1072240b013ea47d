import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { EVIDENCE_CODES } from "./codes.ts";

export type EvidenceEncoding = "binary" | "hex" | "base64";

export interface DecodedEvidenceInput {
  bytes: Uint8Array;
  encoding: EvidenceEncoding;
}

const PRINTABLE = /^[\x20-\x7e\t\r\n]*$/;

function asText(bytes: Uint8Array): string | undefined {
  // Every supported binary format starts with a non-printable byte, so text
  // that is entirely printable ASCII can only be an encoding of evidence.
  if (bytes.length === 0 || bytes.length > 64 * 1024 * 1024) return undefined;
  const text = Buffer.from(bytes).toString("latin1");
  return PRINTABLE.test(text) ? text : undefined;
}

export interface DecodeEvidenceInputOptions {
  /**
   * Whether the raw bytes already are evidence of some kind (the adapters' detect): a kind whose evidence is
   * text itself (an Azure CVM's JSON file) is passed through as it is, never decoded as hex or base64.
   */
  isEvidence?: (bytes: Uint8Array) => boolean;
}

/**
 * Accepts evidence as raw bytes or as the same bytes written as hex (with or
 * without 0x, whitespace allowed) or base64 (standard or URL-safe, padded or
 * not). Binary input, and text that `options.isEvidence` recognises as evidence, is returned unchanged;
 * other text is decoded strictly.
 */
export function decodeEvidenceInput(input: Uint8Array, options: DecodeEvidenceInputOptions = {}): DecodedEvidenceInput {
  if (input.length === 0) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the evidence is empty");
  }
  if (options.isEvidence?.(input) === true) return { bytes: input, encoding: "binary" };
  const text = asText(input);
  if (text === undefined) return { bytes: input, encoding: "binary" };
  const compact = text.replace(/\s+/g, "");
  const hexBody = compact.startsWith("0x") || compact.startsWith("0X") ? compact.slice(2) : compact;
  if (hexBody.length > 0 && hexBody.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(hexBody)) {
    return { bytes: new Uint8Array(Buffer.from(hexBody, "hex")), encoding: "hex" };
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact) && compact.replace(/=+$/, "").length % 4 !== 1) {
    const bytes = new Uint8Array(Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
    if (bytes.length > 0) return { bytes, encoding: "base64" };
  }
  throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_ENCODING_INVALID, "the evidence is text but neither hex nor base64", {
    details: { length: input.length, start: compact.slice(0, 16) },
  });
}
