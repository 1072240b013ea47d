import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { DCAP_FORMAT_CODES } from "../dcap/formatCodes.ts";
import { parseDcapQuote, type ParseDcapQuoteOptions } from "../dcap/parseDcapQuote.ts";
import type { SgxQuote } from "../dcap/types.ts";

/** Parses an Intel SGX DCAP quote (v3, ECDSA P-256). No crypto, no I/O. */
export function parseSgxQuote(bytes: Uint8Array, options: ParseDcapQuoteOptions = {}): SgxQuote {
  const quote = parseDcapQuote(bytes, options);
  if (quote.tee !== "sgx") {
    throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_TEE_TYPE_UNSUPPORTED, "the quote is a TDX quote, not an SGX quote", {
      at: { field: "quote.header.teeType", offset: 4 },
      details: { got: quote.header.teeType, want: 0 },
    });
  }
  return quote;
}
