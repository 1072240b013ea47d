import { EvidenceFormatError } from "../../errors/KeepledgerError.ts";
import { DCAP_FORMAT_CODES } from "./codes.ts";
import type { PckChainData } from "./types.ts";

const BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\t\n\r ]+)-----END CERTIFICATE-----/g;
/** PEM whitespace: ASCII only, so that no other byte is silently ignored. */
const SPACE = /^[\t\n\r ]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Splits certification data type 5 (a PEM chain, leaf first) into DER blocks.
 * Only PEM certificates, whitespace and trailing NUL bytes (the QE writes a C
 * string) are accepted: anything else is a malformed chain, never ignored.
 * X.509 parsing itself happens in the verifier.
 */
export function parsePckChainData(raw: Uint8Array, offset: number): PckChainData {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  const text = Buffer.from(raw.buffer, raw.byteOffset, end).toString("latin1");
  // A platform sends the same chain in every quote: remember the decoded DER by the exact text (copies out, so callers cannot poison it).
  const hit = decoded.get(text);
  if (hit) return { raw, certificates: hit.map((c) => c.slice()) };
  const certificates = decode(text, offset);
  if (decoded.size >= 256) decoded.delete(decoded.keys().next().value as string);
  decoded.set(text, certificates.map((c) => c.slice()));
  return { raw, certificates };
}

const decoded = new Map<string, Uint8Array[]>();

/** Drops remembered PEM decodings (for cold-cache benchmarks). */
export function clearPckChainDataCache(): void {
  decoded.clear();
}

function decode(text: string, offset: number): Uint8Array[] {
  const certificates: Uint8Array[] = [];
  let last = 0;
  for (const m of text.matchAll(BLOCK)) {
    if (!SPACE.test(text.slice(last, m.index))) fail("unexpected text between PEM blocks", offset + last);
    const body = m[1]!.replace(/[\t\n\r ]+/g, "");
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) fail("a PEM block is not valid base64", offset + m.index);
    certificates.push(new Uint8Array(Buffer.from(body, "base64")));
    last = m.index + m[0].length;
  }
  if (!SPACE.test(text.slice(last))) fail("unexpected text after the last PEM block", offset + last);
  if (certificates.length === 0) fail("no PEM certificate found", offset);
  return certificates;
}

function fail(message: string, offset: number): never {
  throw new EvidenceFormatError(DCAP_FORMAT_CODES.DCAP_CERTIFICATION_DATA_MALFORMED, `PCK certificate chain malformed: ${message}`, {
    at: { field: "quote.signature.certificationData", offset },
  });
}
