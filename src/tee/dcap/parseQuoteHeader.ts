import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import type { QuoteHeader } from "./types.ts";

/** Reads the 48-byte quote header (same layout in v3, v4 and v5). */
export function parseQuoteHeader(c: ByteCursor): QuoteHeader {
  return {
    version: c.u16le("quote.header.version"),
    attestationKeyType: c.u16le("quote.header.attestationKeyType"),
    teeType: c.u32le("quote.header.teeType"),
    qeSvn: c.u16le("quote.header.qeSvn"),
    pceSvn: c.u16le("quote.header.pceSvn"),
    qeVendorId: c.bytesOf(16, "quote.header.qeVendorId"),
    userData: c.bytesOf(20, "quote.header.userData"),
  };
}
