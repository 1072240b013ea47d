/** Checked conversions of the fixed-width fields the encoders take; every failure names its field. */
import { UsageError } from "../errors/index.ts";
import type { Hex } from "../util/bytes.ts";
import { IDS_CODES } from "./codes.ts";

/** A 0x-prefixed hex string of exactly `length` bytes, lowercased. */
export function hexField(field: string, value: string, length: number): Hex {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new UsageError(IDS_CODES.IDS_NOT_HEX, `${field} is not 0x-prefixed hex of whole bytes`, {
      at: { field },
      details: { got: typeof value === "string" ? value.slice(0, 24) : typeof value },
    });
  }
  const got = (value.length - 2) / 2;
  if (got !== length) {
    throw new UsageError(IDS_CODES.IDS_FIELD_LENGTH, `${field} must be ${length} bytes, got ${got}`, {
      at: { field },
      details: { got, want: length },
    });
  }
  return value.toLowerCase() as Hex;
}

/** Any 0x-prefixed hex string of whole bytes, lowercased. */
export function anyHex(field: string, value: string): Hex {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new UsageError(IDS_CODES.IDS_NOT_HEX, `${field} is not 0x-prefixed hex of whole bytes`, { at: { field } });
  }
  return value.toLowerCase() as Hex;
}

/** An unsigned integer of `bits` bits, as a bigint. */
export function uintField(field: string, value: bigint | number, bits: number): bigint {
  const big = typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (big < 0n || big >= 1n << BigInt(bits)) {
    throw new UsageError(IDS_CODES.IDS_FIELD_RANGE, `${field} must be an integer in 0..2^${bits}-1`, {
      at: { field },
      details: { got: String(value), want: `uint${bits}` },
    });
  }
  return big;
}

/** An unsigned integer of at most 16 bits, as a number. */
export function smallUintField(field: string, value: number, bits: 8 | 16): number {
  return Number(uintField(field, value, bits));
}
