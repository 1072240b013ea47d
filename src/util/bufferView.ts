/**
 * A Buffer over the same memory as `bytes`, for Node's string decoders (hex, latin1, utf8, base64) and
 * searches: `Buffer.from(bytes)` would copy first. For reading: what is written to the view is written to
 * `bytes`.
 */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
