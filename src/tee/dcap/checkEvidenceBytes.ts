import type { DcapQuote } from "./types.ts";
import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { sameBytes } from "../../util/bufferView.ts";
import { DCAP_CODES } from "./codes.ts";

/** The evidence hash must be of the bytes that were verified: refuse a parsed quote paired with other bytes. */
export function checkEvidenceBytes(quote: DcapQuote, evidence: Uint8Array): void {
  if (!sameBytes(evidence, quote.raw)) {
    throw new UsageError(DCAP_CODES.DCAP_EVIDENCE_MISMATCH, "the parsed quote is not the quote given as evidence", {
      details: { parsedLength: quote.raw.length, evidenceLength: evidence.length },
    });
  }
}
