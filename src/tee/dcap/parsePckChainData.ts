import { bufferView, bytesView } from "../../util/bufferView.ts";
import { hash } from "node:crypto";
import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { BoundedCache } from "../../util/boundedCache.ts";
import { DCAP_FORMAT_CODES } from "./formatCodes.ts";
import type { PckChainData } from "./types.ts";

const BEGIN = "-----BEGIN CERTIFICATE-----\n";
const END = "-----END CERTIFICATE-----\n";
/** Leaf, PCK Platform/Processor CA, Intel SGX Root CA: what Intel's quoting enclaves write. */
export const PCK_CHAIN_LENGTH = 3;

/**
 * Splits certification data type 5 (a PEM chain, leaf first) into DER blocks.
 * There is exactly one accepted text for a given chain, the one Intel's
 * quoting stack writes: three blocks, each `-----BEGIN CERTIFICATE-----\n`,
 * the certificate's canonical base64 in lines of 64 characters each ending in
 * `\n`, `-----END CERTIFICATE-----\n`, with nothing between the blocks, and
 * then at most one NUL (the C string terminator some QPLs include in the
 * size). Any other byte — whitespace variants, base64 slack bits, a NUL
 * inside, a missing or extra block — is malformed: the certification data is
 * not signed, so every tolerated variant would be a second evidence hash for
 * the same quote. X.509 parsing itself happens in the verifier.
 */
export function parsePckChainData(
  raw: Uint8Array,
  offset: number,
  field = "quote.signature.pckChain",
  cache?: PckChainCache,
): PckChainData {
  const end = raw.length > 0 && raw[raw.length - 1] === 0 ? raw.length - 1 : raw.length;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, end);
  if (cache === undefined) return new DecodedChain(raw, bytes, decode(bytes.toString("latin1"), offset, field));
  // A platform sends the same chain in every quote: a caller's cache remembers the chain found under a few of
  // its characters, and it is used only if its whole text is this one, byte for byte. So a known chain costs a
  // comparison (~0.2 µs for 3.5 KB) rather than its SHA-256 (~3 µs of a ~100 µs warm verification), and two
  // chains that share those characters only take each other's place.
  const key = lookupKey(bytes);
  const hit = cache.get(key);
  if (hit !== undefined && bytes.equals(hit.text)) return withCopyOnRead(raw, hit.digest, hit.certificates);
  const digest = chainDigest(bytes);
  const certificates = decode(bytes.toString("latin1"), offset, field);
  cache.set(key, { text: Buffer.from(bytes), digest, certificates: copyOut(certificates) });
  return { raw, digest, certificates };
}

/** What a PCK chain cache remembers of a chain text: a copy of the text, its SHA-256 and its DER blocks. */
export interface RememberedChain {
  readonly text: Buffer;
  readonly digest: string;
  readonly certificates: readonly Uint8Array[];
}

/** A verifier context's PCK chains, under their lookupKey. */
export type PckChainCache = BoundedCache<string, RememberedChain>;

/**
 * Where a chain is looked for: its length and 48 characters of its first certificate from the 16th base64
 * character on — the start of the PCK certificate's serial number, which differs between platforms. Only a hint:
 * a hit is used after its whole text compares equal.
 */
function lookupKey(text: Buffer): string {
  const from = BEGIN.length + 16;
  return `${text.length}:${text.toString("latin1", from, from + 48)}`;
}

function chainDigest(text: Uint8Array): string {
  return hash("sha256", text, "base64");
}

/**
 * A chain decoded without a cache (a context made for one verification): its digest, which only caches and the
 * appraisal key read, is computed when first read. A class for the reason CopiedOnRead is one.
 */
class DecodedChain implements PckChainData {
  readonly raw: Uint8Array;
  readonly certificates: Uint8Array[];
  readonly #text: Uint8Array;
  #digest: string | undefined = undefined;

  constructor(raw: Uint8Array, text: Uint8Array, certificates: Uint8Array[]) {
    this.raw = raw;
    this.#text = text;
    this.certificates = certificates;
  }

  get digest(): string {
    return (this.#digest ??= chainDigest(this.#text));
  }
}

/**
 * A cached chain whose DER blocks are copied out when first read: a warm DCAP verification whose platform
 * appraisal is remembered never reads them (the collateral request and the appraisal key use the digest), so
 * it need not pay the copy (5 µs of ~110). The copy is made once per quote and is the caller's to change.
 */
function withCopyOnRead(raw: Uint8Array, digest: string, cached: readonly Uint8Array[]): PckChainData {
  return new CopiedOnRead(raw, digest, cached);
}

/** A class rather than an object literal with a getter, which V8 would keep with its closure until a full collection (certificate.ts). */
class CopiedOnRead implements PckChainData {
  readonly raw: Uint8Array;
  readonly digest: string;
  readonly #cached: readonly Uint8Array[];
  #certificates: Uint8Array[] | undefined = undefined;

  constructor(raw: Uint8Array, digest: string, cached: readonly Uint8Array[]) {
    this.raw = raw;
    this.digest = digest;
    this.#cached = cached;
  }

  get certificates(): Uint8Array[] {
    return (this.#certificates ??= copyOut(this.#cached));
  }
}

/**
 * The blocks copied into one new buffer, as views of it: one allocation, not one per certificate (a copy per
 * block was 6 µs of a 100 µs warm verification; allocating a backing store costs more than copying 3.5 KB).
 */
function copyOut(blocks: readonly Uint8Array[]): Uint8Array[] {
  let size = 0;
  for (const b of blocks) size += b.length;
  const out = new Uint8Array(size);
  const views: Uint8Array[] = [];
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    views.push(out.subarray(at, at + b.length));
    at += b.length;
  }
  return views;
}

/** `der` as the one PEM body accepted: canonical base64, 64-character lines, each ending in "\n". */
function pemBody(der: Uint8Array): string {
  // Sliced and joined rather than a regular expression's replace: a third of the chain's parse.
  const base64 = bufferView(der).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `${lines.join("\n")}\n`;
}

function decode(text: string, offset: number, field: string): Uint8Array[] {
  const fail = (message: string, at: number): never => malformed(message, at, field);
  const nul = text.indexOf("\0");
  if (nul >= 0) fail("a NUL byte inside the PEM text (only its last byte may be NUL)", offset + nul);
  const certificates: Uint8Array[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (!text.startsWith(BEGIN, pos))
      fail(
        `expected "-----BEGIN CERTIFICATE-----\\n" (nothing may come between or after the PEM blocks)`,
        offset + pos + firstDifference(text.slice(pos), BEGIN),
      );
    const bodyStart = pos + BEGIN.length;
    const endAt = text.indexOf("-----END", bodyStart);
    if (endAt < 0) fail("a PEM block has no END line", offset + pos);
    const body = text.slice(bodyStart, endAt);
    // Node's base64 decoder skips the line breaks (and any other whitespace, which the comparison below refuses).
    const der = bytesView(Buffer.from(body, "base64"));
    const want = pemBody(der);
    if (der.length === 0 || body !== want) {
      fail("a PEM block is not canonical base64 in lines of 64 characters", offset + bodyStart + firstDifference(body, want));
    }
    if (!text.startsWith(END, endAt))
      fail(`expected "-----END CERTIFICATE-----\\n"`, offset + endAt + firstDifference(text.slice(endAt), END));
    certificates.push(der);
    pos = endAt + END.length;
  }
  if (certificates.length !== PCK_CHAIN_LENGTH) {
    throw new EvidenceFormatError(
      DCAP_FORMAT_CODES.DCAP_PCK_CHAIN_LENGTH,
      `the PCK certificate chain holds ${certificates.length} certificate(s), not ${PCK_CHAIN_LENGTH} (PCK certificate, PCK CA, Intel SGX Root CA)`,
      { at: { field, offset }, details: { got: certificates.length, want: PCK_CHAIN_LENGTH } },
    );
  }
  return certificates;
}

/** Index of the first character where `got` and `want` differ (or the shorter length). */
function firstDifference(got: string, want: string): number {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return i;
  return n;
}

function malformed(message: string, offset: number, field: string): never {
  throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_CERTIFICATION_DATA_MALFORMED, `PCK certificate chain malformed: ${message}`, {
    at: { field, offset },
  });
}
