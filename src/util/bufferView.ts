/**
 * A Buffer over the same memory as `bytes`, for Node's string decoders (hex, latin1, utf8, base64) and
 * searches: `Buffer.from(bytes)` would copy first. For reading: what is written to the view is written to
 * `bytes`.
 */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A plain Uint8Array over the same memory as a Buffer Node has just decoded (base64, hex, utf8). Copying it with
 * `new Uint8Array(buffer)` costs ~3.5 µs whatever its size (a standalone ArrayBuffer is allocated and zeroed),
 * several times per cold verification; returning the Buffer itself would hand out an object whose `slice` is a
 * view and whose `toString` decodes. A decoded Buffer under 4 KB sits in Node's shared 8 KB pool, which the view
 * keeps alive as long as it lives; nothing else writes to its bytes.
 */
export function bytesView(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Whether two byte strings are equal (the same array is, without a look). Past a few dozen bytes natively (Buffer.compare: memcmp, no view made):
 * the JavaScript loop of the SDK's bytesEqual costs ~1 ns a byte, and certificates (~600 bytes to ~1.5 KB) and
 * evidence (~5 KB) are compared whole when they are equal, which is when it matters.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  if (a.length > 32) return Buffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
