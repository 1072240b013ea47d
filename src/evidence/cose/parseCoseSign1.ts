import { ByteCursor } from "../ByteCursor.ts";
import { EVIDENCE_CODES } from "../codes.ts";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { CBOR_CODES } from "../cbor/codes.ts";
import { COSE_CODES } from "./codes.ts";
import { decodeCbor } from "../cbor/decodeCbor.ts";
import { MAJOR, readCborHead, type CborHead } from "../cbor/scanCbor.ts";

/** COSE algorithm ES384: ECDSA on P-384 with SHA-384 (RFC 9053), the only one NSM uses. */
export const COSE_ALG_ES384 = -35;
/** CBOR tag of COSE_Sign1 (RFC 9052). */
export const COSE_SIGN1_TAG = 18;
/** r‖s of an ECDSA P-384 signature. */
export const ES384_SIGNATURE_LENGTH = 96;
/** An NSM document is about 4.5 KiB; anything past this is not one. */
export const MAX_NITRO_DOCUMENT_BYTES = 16 * 1024;

/** Where an element sits in the input: `[start, end)` absolute offsets. */
export interface ByteSpan {
  start: number;
  end: number;
}

/** A COSE_Sign1 structure as NSM emits it: `[protected, {}, payload, signature]`. */
export interface CoseSign1 {
  /** Whether the input carried CBOR tag 18 (NSM emits the untagged form). */
  tagged: boolean;
  /** The protected header's bytes (the content of the bstr): signed as they are. */
  protectedHeader: Uint8Array;
  /** The algorithm from the protected header; always ES384 once parsed. */
  alg: typeof COSE_ALG_ES384;
  /** The payload's bytes: the CBOR attestation document map. */
  payload: Uint8Array;
  /** r‖s, 96 bytes. */
  signature: Uint8Array;
  /** Each element's full encoding in the input (head and content). */
  spans: { protected: ByteSpan; unprotected: ByteSpan; payload: ByteSpan; signature: ByteSpan };
}

function malformed(message: string, head: CborHead | undefined, field: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(COSE_CODES.NITRO_COSE_MALFORMED, message, {
    at: { field, ...(head ? { offset: head.offset } : {}) },
    ...(details ? { details } : {}),
  });
}

function definite(head: CborHead, field: string): number {
  if (head.value === undefined) {
    throw new EvidenceFormatError(CBOR_CODES.NITRO_CBOR_INDEFINITE_LENGTH, `${field} must have definite length`, {
      at: { field, offset: head.offset },
    });
  }
  return typeof head.value === "bigint" ? Number.MAX_SAFE_INTEGER : head.value;
}

/** Reads a definite-length byte string, returning its content and its span. */
function readBstr(cursor: ByteCursor, field: string): { content: Uint8Array; span: ByteSpan; contentOffset: number } {
  const start = cursor.offset;
  const head = readCborHead(cursor, field);
  if (head.major !== MAJOR.BYTES) malformed(`COSE_Sign1 ${field} must be a byte string`, head, field, { major: head.major });
  const contentOffset = cursor.offset;
  const content = cursor.bytesOf(definite(head, field), field);
  return { content, span: { start, end: cursor.offset }, contentOffset };
}

function headerInvalid(message: string, field: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(COSE_CODES.NITRO_COSE_HEADER_INVALID, message, { at: { field }, ...(details ? { details } : {}) });
}

/** The protected header must be exactly `{1: -35}`: no parameter keepledger would have to interpret (crit, content type…). */
function parseProtectedHeader(bytes: Uint8Array, offset: number): typeof COSE_ALG_ES384 {
  const field = "protected header";
  // An empty protected bstr stands for an empty map (RFC 9052 §3): then there is no algorithm.
  if (bytes.length === 0) headerInvalid("the COSE protected header is empty: no algorithm", `${field}.alg`);
  const header = decodeCbor(bytes, offset, { field, allowIndefiniteContainers: true, maxDepth: 2 });
  if (!(header instanceof Map)) headerInvalid("the COSE protected header is not a map", field);
  for (const label of header.keys()) {
    if (label !== 1) headerInvalid(`unsupported COSE protected header parameter ${String(label)}`, field, { label });
  }
  const alg = header.get(1);
  if (alg === undefined) headerInvalid("the COSE protected header has no algorithm", `${field}.alg`);
  if (alg !== COSE_ALG_ES384) {
    throw new EvidenceFormatError(COSE_CODES.NITRO_COSE_ALG_UNSUPPORTED, `COSE algorithm ${String(alg)} is not ES384 (-35)`, {
      at: { field: `${field}.alg` },
      details: {
        got: typeof alg === "bigint" || typeof alg === "number" || typeof alg === "string" ? alg : typeof alg,
        want: COSE_ALG_ES384,
      },
    });
  }
  return COSE_ALG_ES384;
}

/**
 * Parses a COSE_Sign1 envelope (RFC 9052 §4.2) from untrusted bytes. The
 * envelope is not signed, so it is held to one encoding: definite lengths,
 * shortest heads, an empty unprotected header. Only tag 18 may precede it.
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  if (bytes.length === 0) throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the Nitro attestation document is empty");
  if (bytes.length > MAX_NITRO_DOCUMENT_BYTES) {
    throw new EvidenceFormatError(COSE_CODES.NITRO_DOCUMENT_TOO_LARGE, "the Nitro attestation document is too large", {
      details: { got: bytes.length, max: MAX_NITRO_DOCUMENT_BYTES },
    });
  }
  const cursor = new ByteCursor(bytes);
  let head = readCborHead(cursor, "COSE_Sign1");
  let tagged = false;
  if (head.major === MAJOR.TAG) {
    if (head.value !== COSE_SIGN1_TAG)
      malformed(`CBOR tag ${String(head.value)} is not COSE_Sign1 (18)`, head, "COSE_Sign1", { tag: head.value });
    tagged = true;
    head = readCborHead(cursor, "COSE_Sign1");
  }
  if (head.major !== MAJOR.ARRAY) malformed("COSE_Sign1 must be a CBOR array", head, "COSE_Sign1", { major: head.major });
  const count = definite(head, "COSE_Sign1");
  if (count !== 4) malformed(`COSE_Sign1 must have 4 elements, not ${count}`, head, "COSE_Sign1", { got: count, want: 4 });

  const protectedHeader = readBstr(cursor, "protected header");

  const unprotectedStart = cursor.offset;
  const unprotected = readCborHead(cursor, "unprotected header");
  if (unprotected.major !== MAJOR.MAP)
    malformed("the COSE unprotected header must be a map", unprotected, "unprotected header", { major: unprotected.major });
  // Unsigned parameters would be a second, unauthenticated channel (and a way to re-encode a document): NSM sends none.
  if (definite(unprotected, "unprotected header") !== 0) {
    headerInvalid("the COSE unprotected header must be empty", "unprotected header", { entries: unprotected.value });
  }
  const unprotectedSpan = { start: unprotectedStart, end: cursor.offset };

  const payload = readBstr(cursor, "payload");
  const signature = readBstr(cursor, "signature");
  cursor.end("COSE_Sign1");

  if (signature.content.length !== ES384_SIGNATURE_LENGTH) {
    throw new EvidenceFormatError(COSE_CODES.NITRO_COSE_SIGNATURE_MALFORMED, "the COSE signature is not 96 bytes (ES384 r‖s)", {
      at: { field: "signature", offset: signature.span.start },
      details: { got: signature.content.length, want: ES384_SIGNATURE_LENGTH },
    });
  }
  const alg = parseProtectedHeader(protectedHeader.content, protectedHeader.contentOffset);
  return {
    tagged,
    protectedHeader: protectedHeader.content,
    alg,
    payload: payload.content,
    signature: signature.content,
    spans: { protected: protectedHeader.span, unprotected: unprotectedSpan, payload: payload.span, signature: signature.span },
  };
}
