/**
 * A small CBOR encoder for tests, written apart from the parser so that the
 * test signer does not share its bugs. Shortest-form heads (as AWS's encoder
 * writes them); maps may be written with indefinite length, as newer NSM
 * versions write the payload map; `{ cborRaw }` splices bytes in verbatim so
 * tests can build exactly the malformed input they mean.
 */

export interface CborRaw {
  cborRaw: Uint8Array;
}

/** A map written with indefinite length (0xbf … 0xff). */
export interface CborIndefiniteMap {
  indefiniteMap: Map<CborInput, CborInput>;
}

export type CborInput =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborInput[]
  | Map<CborInput, CborInput>
  | CborRaw
  | CborIndefiniteMap;

export function cborHead(major: number, value: number | bigint): Uint8Array {
  const v = BigInt(value);
  const m = major << 5;
  if (v < 24n) return Uint8Array.of(m | Number(v));
  const [info, size] = v < 0x100n ? [24, 1] : v < 0x1_0000n ? [25, 2] : v < 0x1_0000_0000n ? [26, 4] : [27, 8];
  const out = new Uint8Array(1 + size);
  out[0] = m | info;
  for (let i = 0; i < size; i++) out[size - i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function encodeCbor(value: CborInput): Uint8Array {
  if (value === null) return Uint8Array.of(0xf6);
  if (value === false) return Uint8Array.of(0xf4);
  if (value === true) return Uint8Array.of(0xf5);
  if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    const v = BigInt(value);
    return v >= 0n ? cborHead(0, v) : cborHead(1, -1n - v);
  }
  if (typeof value === "string") {
    const utf8 = new TextEncoder().encode(value);
    return concat([cborHead(3, utf8.length), utf8]);
  }
  if (value instanceof Uint8Array) return concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof Map) return concat([cborHead(5, value.size), ...[...value].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)])]);
  if ("cborRaw" in value) return value.cborRaw;
  return concat([
    Uint8Array.of(0xbf),
    ...[...value.indefiniteMap].flatMap(([k, v]) => [encodeCbor(k), encodeCbor(v)]),
    Uint8Array.of(0xff),
  ]);
}

export function raw(hex: string): CborRaw {
  return { cborRaw: new Uint8Array(Buffer.from(hex.replace(/\s+/g, ""), "hex")) };
}
