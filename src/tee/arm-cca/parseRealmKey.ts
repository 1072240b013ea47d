import { EvidenceFormatError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { decodeCcaCbor } from "./cbor.ts";
import { ARM_CCA_CODES } from "./codes.ts";

/** A P-384 public key as affine coordinates (48 bytes each); on-curve is checked when the key is used. */
export interface P384Point {
  x: Uint8Array;
  y: Uint8Array;
}

/** How the realm token carries its RAK: RMM 1.0 raw point, or a COSE_Key (realm profile 1.0.0). */
export type RealmKeyFormat = "raw-ec-point" | "cose-key";

const COORDINATE = 48;
const RAW_LENGTH = 1 + 2 * COORDINATE;
const COSE_KEY = { kty: 1, alg: 3, crv: -1, x: -2, y: -3 } as const;
const KTY_EC2 = 2;
const CRV_P384 = 2;
const ALG_ES384 = -35;

function bad(message: string, field: string, details?: Record<string, unknown>): never {
  throw new EvidenceFormatError(ARM_CCA_CODES.CCA_REALM_KEY_INVALID, message, { at: { field }, ...(details ? { details } : {}) });
}

/** Reads claim 44237 in the format its profile defines; `offset` is where its bytes start, for errors. */
export function parseRealmKey(bytes: Uint8Array, format: RealmKeyFormat, offset: number, field: string): P384Point {
  if (format === "raw-ec-point") {
    if (bytes.length !== RAW_LENGTH || bytes[0] !== 0x04) {
      bad("the realm public key is not an uncompressed P-384 point (97 bytes starting 0x04)", field, {
        got: bytes.length,
        want: RAW_LENGTH,
        prefix: bytes[0],
      });
    }
    return { x: bytes.slice(1, 1 + COORDINATE), y: bytes.slice(1 + COORDINATE) };
  }
  const key = decodeCcaCbor(bytes, offset, field, 1);
  if (!(key instanceof Map)) bad("the realm public key is not a COSE_Key map", field);
  for (const label of key.keys()) {
    if (!Object.values(COSE_KEY).includes(label as 1))
      bad(`the realm COSE_Key has an unexpected parameter ${String(label)}`, field, { label: String(label) });
  }
  if (key.get(COSE_KEY.kty) !== KTY_EC2) bad("the realm COSE_Key is not an EC2 key (kty 2)", field, { kty: String(key.get(COSE_KEY.kty)) });
  if (key.get(COSE_KEY.crv) !== CRV_P384) bad("the realm COSE_Key is not on P-384 (crv 2)", field, { crv: String(key.get(COSE_KEY.crv)) });
  const alg = key.get(COSE_KEY.alg);
  if (alg !== undefined && alg !== ALG_ES384) bad("the realm COSE_Key is not for ES384", field, { alg: String(alg) });
  const x = key.get(COSE_KEY.x);
  const y = key.get(COSE_KEY.y);
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array) || x.length !== COORDINATE || y.length !== COORDINATE) {
    bad("the realm COSE_Key's coordinates are not two 48-byte strings", field);
  }
  return { x, y };
}
