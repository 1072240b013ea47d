/**
 * The one place the Arm CCA kind reaches the generic CBOR decoder and
 * COSE_Sign1 parser (today under src/evidence/nitro/, moving to
 * src/evidence/cbor/ and src/evidence/cose/): change these imports when they
 * move. Their errors carry NITRO_* codes; here they become the CCA_* code of
 * the same meaning, with offsets made absolute in the whole token.
 */
import { EvidenceFormatError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { decodeCbor, type CborValue } from "../../evidence/cbor/decodeCbor.ts";
import { parseCoseSign1, type CoseSign1 } from "../../evidence/cose/parseCoseSign1.ts";
import { MAJOR, readCborHead, type CborHead } from "../../evidence/cbor/scanCbor.ts";
import { ARM_CCA_CODES } from "./codes.ts";

export { MAJOR, readCborHead, type CborHead, type CborValue, type CoseSign1 };

function translated(error: unknown, base: number): unknown {
  if (!isKeepledgerError(error) || !(error instanceof EvidenceFormatError)) return error;
  const at = error.at?.offset === undefined ? error.at : { ...error.at, offset: error.at.offset + base };
  const cca = error.code.startsWith("NITRO_") ? `CCA_${error.code.slice("NITRO_".length)}` : undefined;
  const code = cca !== undefined && cca in ARM_CCA_CODES ? cca : error.code;
  if (code === error.code && at === error.at) return error;
  return new EvidenceFormatError(code, error.shortMessage, {
    ...(at ? { at } : {}),
    ...(Object.keys(error.details).length > 0 ? { details: error.details } : {}),
    cause: error,
  });
}

/** Runs `parse`, turning the generic parsers' NITRO_* codes into CCA_* codes and relative offsets into absolute ones. */
export function asCcaError<T>(base: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw translated(error, base);
  }
}

/** Options of the strict CBOR decoder for CCA claim sets (signed bytes: indefinite containers allowed). */
export function decodeCcaCbor(bytes: Uint8Array, base: number, field: string, maxDepth: number): CborValue {
  return asCcaError(0, () => decodeCbor(bytes, base, { field, allowIndefiniteContainers: true, maxDepth }));
}

/** A COSE_Sign1 ES384 token inside the collection, `base` being its absolute offset there. */
export function parseCcaCoseSign1(bytes: Uint8Array, base: number): CoseSign1 {
  return asCcaError(base, () => parseCoseSign1(bytes));
}
