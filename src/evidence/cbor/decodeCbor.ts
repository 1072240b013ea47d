import { Decoder } from "cbor-x";
import { EvidenceFormatError, isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { CBOR_CODES } from "./codes.ts";
import { scanCbor, type ScanCborOptions } from "./scanCbor.ts";

/**
 * Maps come back as `Map` (integer keys stay integers, no prototype keys),
 * byte strings as copies (parsed evidence never aliases the caller's buffer),
 * 64-bit integers as bigint. Records stay off: they are a cbor-x extension.
 */
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false, copyBuffers: true });

/** A decoded CBOR value as this module admits it (see scanCbor). */
export type CborValue = number | bigint | string | boolean | null | Uint8Array | CborValue[] | Map<number | bigint | string, CborValue>;

/**
 * Decodes exactly one CBOR data item from untrusted bytes: the strict scan
 * first (so cbor-x only sees the plain CBOR it cannot misread), then cbor-x.
 * Any cbor-x exception becomes a typed NITRO_CBOR_MALFORMED.
 */
export function decodeCbor(bytes: Uint8Array, base: number, options: ScanCborOptions): CborValue {
  scanCbor(bytes, base, options);
  try {
    return decoder.decode(bytes) as CborValue;
  } catch (cause) {
    if (isKeepledgerError(cause)) throw cause;
    throw new EvidenceFormatError(CBOR_CODES.NITRO_CBOR_MALFORMED, `${options.field} could not be decoded as CBOR`, {
      at: { field: options.field, offset: base },
      cause,
    });
  }
}
