/**
 * Ethereum addresses: EIP-55 checksums with the SDK's own keccak, the same results as viem's getAddress,
 * isAddress and isAddressEqual (address.test.ts checks them against viem).
 */
import { UsageError } from "../errors/KeepledgerError.ts";
import { UTIL_CODES } from "./codes.ts";
import type { Address } from "./hex.ts";
import { keccak256Bytes } from "./keccak256.ts";

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** The EIP-55 mixed-case form of a 0x address of 40 hex digits (not validated: see {@link getAddress}). */
export function checksumAddress(address: string): Address {
  const lower = address.slice(2).toLowerCase();
  const ascii = new Uint8Array(40);
  for (let i = 0; i < 40; i++) ascii[i] = lower.charCodeAt(i);
  const hash = keccak256Bytes(ascii);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    // Digit i is upper-cased when the i-th nibble of the hash is >= 8.
    const nib = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    out += nib >= 8 && c > "9" ? c.toUpperCase() : c;
  }
  return out as Address;
}

export interface IsAddressOptions {
  /** Mixed case must be a valid checksum (default true; viem's default too). */
  strict?: boolean;
}

/**
 * Whether `value` is 0x and 40 hex digits; with `strict` (the default), anything but all-lowercase must be
 * the exact EIP-55 checksum — like viem, which also refuses an all-uppercase address.
 */
export function isAddress(value: unknown, opts: IsAddressOptions = {}): value is Address {
  if (typeof value !== "string" || !ADDRESS_RE.test(value)) return false;
  if (value.toLowerCase() === value) return true;
  return opts.strict === false || checksumAddress(value) === value;
}

/** The checksummed form of an address; a typed error when it is not one (or carries a wrong checksum). */
export function getAddress(value: string): Address {
  if (!isAddress(value)) {
    throw new UsageError(UTIL_CODES.ADDRESS_INVALID, "not an address (0x and 40 hex digits with a valid EIP-55 checksum)", {
      details: { got: typeof value === "string" ? value.slice(0, 44) : typeof value },
    });
  }
  return checksumAddress(value);
}

/** Whether two addresses are the same, ignoring case; a typed error when either is not an address. */
export function isAddressEqual(a: string, b: string): boolean {
  for (const v of [a, b]) {
    if (!isAddress(v, { strict: false })) {
      throw new UsageError(UTIL_CODES.ADDRESS_INVALID, "not an address (0x and 40 hex digits)", {
        details: { got: typeof v === "string" ? v.slice(0, 44) : typeof v },
      });
    }
  }
  return a.toLowerCase() === b.toLowerCase();
}
