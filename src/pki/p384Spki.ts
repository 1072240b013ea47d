/**
 * The SubjectPublicKeyInfo of a P-384 key as OpenSSL exports it: id-ecPublicKey with the named curve secp384r1,
 * then the uncompressed point (0x04, x, y) — 120 bytes. Bytes of exactly this form are a P-384 public key's
 * encoding (whether the point is on the curve is OpenSSL's to say when it imports them), so a caller that has
 * them needs neither an export nor a curve lookup on the imported key to name or classify it.
 */
/** OpenSSL's name of the P-384 curve (`asymmetricKeyDetails.namedCurve`). */
export const P384_CURVE = "secp384r1";

/** Everything of that encoding before the point: src/pki/keyImport.ts builds P-384 keys from points with it. */
export const P384_SPKI_PREFIX = Buffer.from("3076301006072a8648ce3d020106052b81040022036200", "hex");

export function isUncompressedP384Spki(spki: Uint8Array): boolean {
  return (
    spki.length === P384_SPKI_PREFIX.length + 97 &&
    spki[P384_SPKI_PREFIX.length] === 0x04 &&
    P384_SPKI_PREFIX.equals(spki.subarray(0, P384_SPKI_PREFIX.length))
  );
}
