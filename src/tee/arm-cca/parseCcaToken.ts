import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { ByteCursor } from "../../evidence/ByteCursor.ts";
import { EVIDENCE_CODES } from "../../evidence/codes.ts";
import { MAJOR, asCcaError, decodeCcaCbor, parseCcaCoseSign1, readCborHead, type CborHead, type CoseSign1 } from "./cbor.ts";
import { ARM_CCA_CODES } from "./codes.ts";
import { parsePlatformClaims, type CcaPlatformClaims } from "./parsePlatformClaims.ts";
import { parseRealmClaims, type CcaRealmClaims } from "./parseRealmClaims.ts";

/** CBOR tag of the RMM 1.0 / draft-ffm-00 token collection. */
export const CCA_COLLECTION_TAG = 399;
/** CBOR tag of the CMW collection form (draft-ietf-rats-msg-wrap) newer tooling emits. */
export const CCA_CMW_COLLECTION_TAG = 907;
/** Collection labels: platform token, realm delegated token. */
export const CCA_PLATFORM_TOKEN_LABEL = 44234;
export const CCA_REALM_TOKEN_LABEL = 44241;
/** Real tokens are 2-3 KiB; the bound keeps hostile input cheap. */
export const MAX_CCA_TOKEN_BYTES = 16 * 1024;

/** One signed token of the collection: the envelope, where it sits, and its typed claims. */
export interface CcaSignedToken<C> {
  cose: CoseSign1;
  /** Absolute offset of the COSE_Sign1 bytes in the collection. */
  offset: number;
  /** CoAP content format of the CMW entry (tag 907 form), null in the tag 399 form. */
  contentFormat: number | null;
  claims: C;
}

export interface CcaToken {
  /** The collection's bytes as given (their keccak256 is the evidence hash). */
  raw: Uint8Array;
  collectionTag: typeof CCA_COLLECTION_TAG | typeof CCA_CMW_COLLECTION_TAG;
  platform: CcaSignedToken<CcaPlatformClaims>;
  realm: CcaSignedToken<CcaRealmClaims>;
}

function malformed(message: string, head: CborHead | undefined, field: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(ARM_CCA_CODES.CCA_COLLECTION_MALFORMED, message, {
    at: { field, ...(head ? { offset: head.offset } : {}) },
    ...(details ? { details } : {}),
  });
}

function definite(head: CborHead, field: string): number {
  if (typeof head.value !== "number") malformed(`${field} must have a definite, small length`, head, field);
  return head.value;
}

interface RawEntry {
  bytes: Uint8Array;
  offset: number;
  contentFormat: number | null;
}

function readEntry(cursor: ByteCursor, cmw: boolean, field: string): RawEntry {
  let contentFormat: number | null = null;
  if (cmw) {
    const array = readCborHead(cursor, field);
    if (array.major !== MAJOR.ARRAY || array.value !== 2) malformed(`${field} must be a [content-format, token] array`, array, field);
    const cf = readCborHead(cursor, `${field}.contentFormat`);
    if (cf.major !== MAJOR.UINT || typeof cf.value !== "number" || cf.value > 0xffff) {
      malformed(`${field}'s content format must be a CoAP content format (uint16)`, cf, `${field}.contentFormat`);
    }
    contentFormat = cf.value;
  }
  const bstr = readCborHead(cursor, field);
  if (bstr.major !== MAJOR.BYTES) malformed(`${field} must be a byte string`, bstr, field, { major: bstr.major });
  const offset = cursor.offset;
  return { bytes: cursor.bytesOf(definite(bstr, field), field), offset, contentFormat };
}

/** The collection envelope: tag, a two-entry map keyed 44234 and 44241, nothing after. Not signed, so one encoding only. */
function splitCollection(bytes: Uint8Array): { tag: CcaToken["collectionTag"]; platform: RawEntry; realm: RawEntry } {
  const cursor = new ByteCursor(bytes);
  const tag = readCborHead(cursor, "collection");
  if (tag.major !== MAJOR.TAG || (tag.value !== CCA_COLLECTION_TAG && tag.value !== CCA_CMW_COLLECTION_TAG)) {
    malformed("a CCA token starts with CBOR tag 399 or 907", tag, "collection", { major: tag.major, tag: String(tag.value) });
  }
  const cmw = tag.value === CCA_CMW_COLLECTION_TAG;
  const map = readCborHead(cursor, "collection");
  if (map.major !== MAJOR.MAP || map.value !== 2) malformed("the CCA collection must be a map of exactly two tokens", map, "collection");
  const entries = new Map<number, RawEntry>();
  for (let i = 0; i < 2; i++) {
    const key = readCborHead(cursor, "collection key");
    if (key.major !== MAJOR.UINT || (key.value !== CCA_PLATFORM_TOKEN_LABEL && key.value !== CCA_REALM_TOKEN_LABEL)) {
      malformed("the CCA collection's keys must be 44234 (platform) and 44241 (realm)", key, "collection key", { key: String(key.value) });
    }
    if (entries.has(key.value)) malformed(`the CCA collection has key ${key.value} twice`, key, "collection key");
    const field = key.value === CCA_PLATFORM_TOKEN_LABEL ? "platform token" : "realm token";
    entries.set(key.value, readEntry(cursor, cmw, field));
  }
  cursor.end("collection");
  return {
    tag: tag.value as CcaToken["collectionTag"],
    platform: entries.get(CCA_PLATFORM_TOKEN_LABEL)!,
    realm: entries.get(CCA_REALM_TOKEN_LABEL)!,
  };
}

function signed<C>(
  entry: RawEntry,
  field: string,
  maxDepth: number,
  claimsOf: (payload: ReturnType<typeof decodeCcaCbor>, at: number) => C,
) {
  if (entry.bytes.length === 0) {
    throw new EvidenceFormatError(ARM_CCA_CODES.CCA_COSE_MALFORMED, `the ${field} is empty`, { at: { field, offset: entry.offset } });
  }
  const cose = parseCcaCoseSign1(entry.bytes, entry.offset);
  if (!cose.tagged) {
    throw new EvidenceFormatError(ARM_CCA_CODES.CCA_COSE_MALFORMED, `the ${field} is not tagged COSE_Sign1 (18)`, {
      at: { field, offset: entry.offset },
    });
  }
  const payloadOffset = entry.offset + cose.spans.payload.end - cose.payload.length;
  const payload = decodeCcaCbor(cose.payload, payloadOffset, `${field} payload`, maxDepth);
  return { cose, offset: entry.offset, contentFormat: entry.contentFormat, claims: claimsOf(payload, payloadOffset) };
}

/**
 * Parses an Arm CCA attestation token from untrusted bytes: the collection
 * (tag 399, or the CMW form tag 907), each token's COSE_Sign1 ES384 envelope,
 * and every claim typed and size-checked. No cryptography: signatures, the
 * binding and the endorsement are verifyCcaToken's.
 */
export function parseCcaToken(bytes: Uint8Array): CcaToken {
  if (bytes.length === 0) throw new EvidenceFormatError(EVIDENCE_CODES.EVIDENCE_EMPTY, "the CCA attestation token is empty");
  if (bytes.length > MAX_CCA_TOKEN_BYTES) {
    throw new EvidenceFormatError(ARM_CCA_CODES.CCA_TOKEN_TOO_LARGE, "the CCA attestation token is too large", {
      details: { got: bytes.length, max: MAX_CCA_TOKEN_BYTES },
    });
  }
  const raw = bytes.slice();
  const parts = asCcaError(0, () => splitCollection(raw));
  return {
    raw,
    collectionTag: parts.tag,
    platform: signed(parts.platform, "platform token", 3, (payload) => parsePlatformClaims(payload)),
    realm: signed(parts.realm, "realm token", 2, (payload, at) => parseRealmClaims(payload, at)),
  };
}
