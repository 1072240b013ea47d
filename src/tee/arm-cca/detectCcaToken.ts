/**
 * Whether bytes look like a CCA token, from their first bytes only: CBOR tag
 * 399 (`d9 01 8f`) or 907 (`d9 03 8b`) over a two-entry map (`a2`) whose first
 * key is 44234 or 44241 (`19 ac ca` / `19 ac d1`). No other kind's evidence
 * starts with these bytes. Never throws.
 */
export function detectCcaToken(bytes: Uint8Array): boolean {
  if (bytes.length < 7 || bytes[0] !== 0xd9) return false;
  const tag = (bytes[1]! << 8) | bytes[2]!;
  if (tag !== 399 && tag !== 907) return false;
  return bytes[3] === 0xa2 && bytes[4] === 0x19 && bytes[5] === 0xac && (bytes[6] === 0xca || bytes[6] === 0xd1);
}
