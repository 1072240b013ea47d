import { bufferView, bytesView } from "../util/bufferView.ts";
import { createPublicKey, type KeyObject } from "node:crypto";
import { P384_SPKI_PREFIX } from "./p384Spki.ts";

/**
 * Public keys and ECDSA signatures in the forms node:crypto takes fastest.
 *
 * Why not the obvious forms: node:crypto (Node 24) checks an object argument — `{ key, format, type }` or
 * `{ key, dsaEncoding }` — first as a KeyObject and then as a CryptoKey, and each check that fails throws and
 * catches an error. A string key, or a KeyObject passed bare, skips both. Measured on this project's machine
 * class (bench/verify.ts's bound uses the same forms): importing an SPKI as a PEM string 14–21 µs against
 * 29–37 µs as `{ format: "der", type: "spki" }`; ECDSA P-256 with the KeyObject bare and a DER signature 52 µs,
 * `{ key, dsaEncoding: "der" }` 62 µs, `{ key, dsaEncoding: "ieee-p1363" }` 74 µs. The bytes reaching
 * OpenSSL are the same: the PEM body is the DER, decoded by the same d2i_PUBKEY.
 */

/** Imports a DER SubjectPublicKeyInfo; throws what `createPublicKey` throws on bytes that are not one. */
export function importSpki(spki: Uint8Array): KeyObject {
  const base64 = bufferView(spki).toString("base64");
  return createPublicKey(`-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----\n`);
}

/** DER SubjectPublicKeyInfo prefixes of uncompressed points, up to and including the 0x04 point tag. */
const UNCOMPRESSED_SPKI_PREFIX = {
  "P-256": Buffer.from("3059301306072a8648ce3d020106082a8648ce3d03010703420004", "hex"),
  "P-384": Buffer.concat([P384_SPKI_PREFIX, Uint8Array.of(0x04)]),
} as const;

export type NistCurve = keyof typeof UNCOMPRESSED_SPKI_PREFIX;

/**
 * Imports the point x‖y (each coordinate `curve`'s length) as a public key. Throws a RangeError if `xy` has
 * the wrong length, and what `createPublicKey` throws if the point is not on the curve.
 */
export function importEcPoint(curve: NistCurve, xy: Uint8Array): KeyObject {
  const prefix = UNCOMPRESSED_SPKI_PREFIX[curve];
  const want = curve === "P-256" ? 64 : 96;
  if (xy.length !== want) throw new RangeError(`a ${curve} point is ${want} bytes (x‖y), got ${xy.length}`);
  return importSpki(Buffer.concat([prefix, xy]));
}

/**
 * The DER form (SEQUENCE of two INTEGERs) of an IEEE P1363 signature r‖s whose integers are `n` bytes each, or
 * undefined if it is not 2n bytes long — so that one signature has one accepted encoding, as node:crypto's
 * `dsaEncoding: "ieee-p1363"` checks against the key's curve. The caller names n (the curve's coordinate
 * length) rather than have it looked up on the key: that lookup (`asymmetricKeyDetails`) costs ~10 µs on a
 * freshly imported key, a fifth of a P-256 verification.
 */
export function p1363ToDer(signature: Uint8Array, n: number): Uint8Array | undefined {
  if (n < 1 || n > 66 || signature.length !== 2 * n) return undefined;
  const rStart = magnitudeStart(signature, 0, n);
  const sStart = magnitudeStart(signature, n, 2 * n);
  const rPad = signature[rStart]! >= 0x80 ? 1 : 0;
  const sPad = signature[sStart]! >= 0x80 ? 1 : 0;
  const rLength = n - rStart + rPad;
  const sLength = 2 * n - sStart + sPad;
  const body = 2 + rLength + 2 + sLength;
  // r and s are at most 67 bytes each with their headers (P-521), so the sequence length needs ≤ 1 extra octet.
  const headerLength = body < 0x80 ? 2 : 3;
  // From Node's pool: a standalone ArrayBuffer of ~70 bytes costs ~1.3 µs to allocate, a pooled one ~0.05 µs.
  const out = Buffer.allocUnsafe(headerLength + body);
  let o = 0;
  out[o++] = 0x30;
  if (headerLength === 3) out[o++] = 0x81;
  out[o++] = body;
  o = integerAt(out, o, signature, rStart, n, rPad, rLength);
  integerAt(out, o, signature, sStart, 2 * n, sPad, sLength);
  return bytesView(out);
}

/**
 * Where the unsigned big-endian magnitude `bytes[from, to)` starts as a minimal DER INTEGER's contents: past its
 * leading zeros, one kept for zero itself. (Indices and a copy loop, not a view and an object per integer.)
 */
function magnitudeStart(bytes: Uint8Array, from: number, to: number): number {
  let start = from;
  while (start < to - 1 && bytes[start] === 0) start++;
  return start;
}

/** Writes INTEGER { 0x00 if `pad`, then bytes[start, end) } at `o` of `out`; returns where it ends. */
function integerAt(out: Uint8Array, o: number, bytes: Uint8Array, start: number, end: number, pad: number, length: number): number {
  out[o++] = 0x02;
  out[o++] = length;
  if (pad === 1) out[o++] = 0x00;
  for (let i = start; i < end; i++) out[o++] = bytes[i]!;
  return o;
}
