/** A minimal DER encoder, enough to build the attestation-derived certificate byte-exactly. */
import { bytesView } from "../../util/bufferView.ts";

function lengthOctets(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return bytesView(Buffer.concat([Uint8Array.of(tag), lengthOctets(body.length), body]));
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new Uint8Array(Buffer.from(s, "utf8")));
export const bool = (b: boolean): Uint8Array => tlv(0x01, Uint8Array.of(b ? 0xff : 0));
/** [n] EXPLICIT */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 + n, inner);

/** A non-negative INTEGER from big-endian magnitude bytes (or a bigint). */
export function integer(value: Uint8Array | bigint | number): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === "bigint" || typeof value === "number") {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = new Uint8Array(Buffer.from(hex, "hex"));
  } else {
    bytes = value;
  }
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  bytes = bytes.subarray(i);
  if (bytes.length === 0) bytes = Uint8Array.of(0);
  // A 0x00 before a high bit keeps it non-negative (an RSA modulus: 256–512 bytes, not spread as arguments).
  return (bytes[0]! & 0x80) !== 0 ? tlv(0x02, Uint8Array.of(0), bytes) : tlv(0x02, bytes);
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, Uint8Array.of(unusedBits), bytes);
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map((p) => BigInt(p));
  // The first subidentifier packs two arcs (40·X + Y) and is base-128 like the others (2.999 is 88 37).
  const out: number[] = [];
  for (const part of [parts[0]! * 40n + parts[1]!, ...parts.slice(2)]) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5), to the second. */
export function time(d: Date): Uint8Array {
  const iso = d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:T]/g, "");
  return d.getUTCFullYear() < 2050 ? tlv(0x17, new Uint8Array(Buffer.from(iso.slice(2)))) : tlv(0x18, new Uint8Array(Buffer.from(iso)));
}
