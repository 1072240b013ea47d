import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_FORMAT_CODES } from "../dcap/formatCodes.ts";
import { parseDcapQuote, type ParseDcapQuoteOptions } from "../dcap/parseDcapQuote.ts";
import type { TdxQuote } from "../dcap/types.ts";

/** Parses an Intel TDX DCAP quote (v4 or v5; TD 1.0 or TD 1.5 body; ECDSA P-256). No crypto, no I/O. */
export function parseTdxQuote(bytes: Uint8Array, options: ParseDcapQuoteOptions = {}): TdxQuote {
  const quote = parseDcapQuote(bytes, options);
  if (quote.tee !== "tdx") {
    throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_TEE_TYPE_UNSUPPORTED, "the quote is an SGX quote, not a TDX quote", {
      at: { field: "quote.header.teeType", offset: 4 },
      details: { got: quote.header.teeType, want: 0x81 },
    });
  }
  return quote;
}
