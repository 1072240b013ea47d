import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { PckChainCache } from "./parsePckChainData.ts";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { DCAP_FORMAT_CODES } from "./formatCodes.ts";
import { parseEnclaveReport } from "./parseEnclaveReport.ts";
import { parseQuoteHeader } from "./parseQuoteHeader.ts";
import { parseQuoteSignatureData } from "./parseQuoteSignatureData.ts";
import { parseTdReport } from "./parseTdReport.ts";
import {
  ATTESTATION_KEY_TYPE_ECDSA_P256,
  QUOTE_HEADER_SIZE,
  TD10_REPORT_SIZE,
  TD15_REPORT_SIZE,
  TEE_TYPE_SGX,
  TEE_TYPE_TDX,
  type DcapQuote,
  type QuoteHeader,
  type SgxQuote,
  type TdReport,
  type TdxQuote,
} from "./types.ts";

/** v5 body types (TDX DCAP Quoting Library API, "Quote Body Descriptor"). */
const V5_BODY_TYPES: Record<number, { kind: "td10" | "td15"; size: number }> = {
  2: { kind: "td10", size: TD10_REPORT_SIZE },
  3: { kind: "td15", size: TD15_REPORT_SIZE },
};

/**
 * The padding real TDX v4 quotes carry after the signature data: exactly 70
 * zero bytes, the difference between a v5 TD 1.5 quote (body type and size
 * fields, 6 bytes; TEE_TCB_SVN2 and MRSERVICETD, 64 bytes) and a v4 one — the
 * TD quoting stack sizes its buffer for the larger quote. Seen in
 * test/fixtures/tdx/dcapqvl-tdx (Phala) and in Azure's az-tdx-vtpm TD quote,
 * both 5006 bytes with the signature data ending at 4936.
 */
export const V4_PADDING = 2 + 4 + (TD15_REPORT_SIZE - TD10_REPORT_SIZE);

/**
 * Parses an Intel DCAP quote: SGX v3 (TEE type 0) or TDX v4/v5 (TEE type 0x81),
 * ECDSA P-256 attestation key only. No crypto, no I/O. A quote ends with its
 * signature data, with one exception real quotes show (see
 * {@link V4_PADDING}); any other trailing byte is rejected, so that the bytes
 * (and their evidence hash) of a quote are not open to appending zeros.
 */
export interface ParseDcapQuoteOptions {
  /** Remembers decoded PCK chains by their exact PEM text (a verifier context's); without it each is decoded again. */
  pckChains?: PckChainCache;
}

export function parseDcapQuote(bytes: Uint8Array, options: ParseDcapQuoteOptions = {}): DcapQuote {
  if (bytes.length === 0) {
    throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the quote is empty", { at: { field: "quote", offset: 0 } });
  }
  const c = new ByteCursor(bytes);
  const header = parseQuoteHeader(c);
  checkHeader(header);
  if (header.version === 3) {
    const body = parseEnclaveReport(c, "quote.body");
    const signedRegion = bytes.subarray(0, QUOTE_HEADER_SIZE + body.raw.length);
    const signature = parseQuoteSignatureData(c, 3, options.pckChains);
    const quote: SgxQuote = { tee: "sgx", raw: bytes, header, body, signedRegion, signature, trailingZeroBytes: trailingZeros(c, 3) };
    return quote;
  }
  let body: TdReport;
  let bodyType: number | undefined;
  if (header.version === 5) {
    const typeOffset = c.offset;
    bodyType = c.u16le("quote.bodyType");
    const bodySize = c.u32le("quote.bodySize");
    const known = V5_BODY_TYPES[bodyType];
    if (!known || known.size !== bodySize) {
      throw new EvidenceFormatError(
        DCAP_FORMAT_CODES.DCAP_BODY_TYPE_UNSUPPORTED,
        `quote v5 body type ${bodyType} of ${bodySize} bytes is not supported`,
        {
          at: { field: "quote.bodyType", offset: typeOffset },
          details: { bodyType, bodySize, supported: { 2: TD10_REPORT_SIZE, 3: TD15_REPORT_SIZE } },
        },
      );
    }
    body = parseTdReport(c, known.kind);
  } else {
    body = parseTdReport(c, "td10");
  }
  const signedRegion = bytes.subarray(0, c.position);
  const signature = parseQuoteSignatureData(c, header.version, options.pckChains);
  const quote: TdxQuote = {
    tee: "tdx",
    raw: bytes,
    header,
    body,
    ...(bodyType !== undefined ? { bodyType } : {}),
    signedRegion,
    signature,
    trailingZeroBytes: trailingZeros(c, header.version),
  };
  return quote;
}

function checkHeader(h: QuoteHeader): void {
  if (h.version !== 3 && h.version !== 4 && h.version !== 5) {
    throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_QUOTE_VERSION_UNSUPPORTED, `quote version ${h.version} is not supported`, {
      at: { field: "quote.header.version", offset: 0 },
      details: { got: h.version, want: [3, 4, 5] },
    });
  }
  if (h.attestationKeyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) {
    throw new EvidenceFormatError(
      DCAP_FORMAT_CODES.DCAP_ATTESTATION_KEY_TYPE_UNSUPPORTED,
      `attestation key type ${h.attestationKeyType} is not supported`,
      {
        at: { field: "quote.header.attestationKeyType", offset: 2 },
        details: { got: h.attestationKeyType, want: ATTESTATION_KEY_TYPE_ECDSA_P256 },
      },
    );
  }
  // SGX quotes are v3; TDX quotes are v4 or v5. SGX v4/v5 quotes are not produced by the QEs this verifier targets.
  const want = h.version === 3 ? TEE_TYPE_SGX : TEE_TYPE_TDX;
  if (h.teeType !== want) {
    throw new EvidenceFormatError(
      DCAP_FORMAT_CODES.DCAP_TEE_TYPE_UNSUPPORTED,
      `TEE type 0x${h.teeType.toString(16)} is not supported in a v${h.version} quote`,
      {
        at: { field: "quote.header.teeType", offset: 4 },
        details: { got: h.teeType, want },
      },
    );
  }
}

/** The padding after the signature data: none, or (v4 only) exactly {@link V4_PADDING} zero bytes. */
function trailingZeros(c: ByteCursor, version: number): number {
  const start = c.offset;
  const rest = c.rest();
  const allowed = version === 4 ? [0, V4_PADDING] : [0];
  const bad = rest.findIndex((b) => b !== 0);
  if (bad >= 0) {
    throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_TRAILING_DATA, "non-zero bytes after the quote signature data", {
      at: { field: "quote.trailing", offset: start + bad },
      details: { trailing: rest.length, firstNonZeroAt: start + bad, allowed },
    });
  }
  if (!allowed.includes(rest.length)) {
    throw new EvidenceFormatError(
      DCAP_FORMAT_CODES.DCAP_TRAILING_DATA,
      `${rest.length} zero bytes after the quote signature data (a v${version} quote allows ${allowed.join(" or ")})`,
      {
        at: { field: "quote.trailing", offset: start },
        details: { trailing: rest.length, allowed },
      },
    );
  }
  return rest.length;
}
