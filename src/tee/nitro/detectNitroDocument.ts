/**
 * A cheap sniff, no parsing: does this look like a COSE_Sign1 (optionally
 * tagged 18) whose first element is a byte string holding a CBOR map? NSM
 * documents start `84 44 a1 01 38 22` (array(4), bstr(4) {1: -35}). Never throws.
 */
export function detectNitroDocument(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xd2 ? 1 : 0; // tag 18
  if (bytes[i] !== 0x84) return false; // array of 4
  const head = bytes[i + 1];
  if (head === undefined || head >> 5 !== 2) return false; // protected header: a byte string
  const info = head & 0x1f;
  if (info === 0 || info > 25) return false; // empty, or longer than any protected header
  i += 2 + (info === 24 ? 1 : info === 25 ? 2 : 0);
  const first = bytes[i];
  return first !== undefined && first >> 5 === 5; // …that holds a map
}
