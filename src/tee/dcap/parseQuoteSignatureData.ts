import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { ByteCursor } from "../../evidence/ByteCursor.ts";
import { DCAP_FORMAT_CODES } from "./formatCodes.ts";
import { parseEnclaveReport } from "./parseEnclaveReport.ts";
import { parsePckChainData, type PckChainCache } from "./parsePckChainData.ts";
import { CERT_DATA_PCK_CHAIN, CERT_DATA_QE_REPORT, type QuoteSignatureData } from "./types.ts";

const F = "quote.signature";

/**
 * Reads the signature data that follows the body. Its length field and every
 * nested length must be exact: each part is read through a sub-cursor that
 * must be consumed completely, so a lying length fails here.
 *
 * v3 (SGX):  sig ‖ attKey ‖ QE report ‖ QE report sig ‖ authLen ‖ auth ‖ type 5 ‖ size ‖ PCK chain
 * v4/v5:     sig ‖ attKey ‖ type 6 ‖ size ‖ { QE report ‖ QE report sig ‖ authLen ‖ auth ‖ type 5 ‖ size ‖ PCK chain }
 */
export function parseQuoteSignatureData(cursor: ByteCursor, version: number, pckChains?: PckChainCache): QuoteSignatureData {
  const length = cursor.u32le(`${F}.length`);
  const c = cursor.sub(length, `${F}`);
  const quoteSignature = c.bytesOf(64, `${F}.quoteSignature`);
  const attestationKey = c.bytesOf(64, `${F}.attestationKey`);
  let out: QuoteSignatureData;
  if (version === 3) {
    out = { quoteSignature, attestationKey, ...readQeCertification(c, `${F}`, pckChains) };
  } else {
    const typeOffset = c.offset;
    const type = c.u16le(`${F}.certificationData.type`);
    if (type !== CERT_DATA_QE_REPORT) unsupported(type, CERT_DATA_QE_REPORT, typeOffset);
    const size = c.u32le(`${F}.certificationData.size`);
    const inner = c.sub(size, `${F}.certificationData`);
    out = {
      quoteSignature,
      attestationKey,
      ...readQeCertification(inner, `${F}.certificationData`, pckChains),
      outerCertificationDataType: type,
    };
    inner.end(`${F}.certificationData`);
  }
  c.end(F);
  return out;
}

function readQeCertification(
  c: ByteCursor,
  field: string,
  pckChains: PckChainCache | undefined,
): Omit<QuoteSignatureData, "quoteSignature" | "attestationKey"> {
  const qeReport = parseEnclaveReport(c, `${field}.qeReport`);
  const qeReportSignature = c.bytesOf(64, `${field}.qeReportSignature`);
  const authLength = c.u16le(`${field}.qeAuthData.length`);
  const qeAuthData = c.bytesOf(authLength, `${field}.qeAuthData`);
  const typeOffset = c.offset;
  const type = c.u16le(`${field}.pckChain.type`);
  if (type !== CERT_DATA_PCK_CHAIN) unsupported(type, CERT_DATA_PCK_CHAIN, typeOffset);
  const size = c.u32le(`${field}.pckChain.size`);
  const dataOffset = c.offset;
  const pckChain = parsePckChainData(c.bytesOf(size, `${field}.pckChain`), dataOffset, `${field}.pckChain`, pckChains);
  return { qeReport, qeReportSignature, qeAuthData, pckChain };
}

function unsupported(got: number, want: number, offset: number): never {
  throw new EvidenceFormatError(
    DCAP_FORMAT_CODES.DCAP_CERTIFICATION_DATA_UNSUPPORTED,
    `certification data type ${got} is not supported here (want ${want})`,
    { at: { field: `${F}.certificationData.type`, offset }, details: { got, want } },
  );
}
