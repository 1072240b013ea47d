/** Small helpers the kinds' measurement layouts and report-data facts share. */
import { concatHex, sliceHex } from "../util/hex.ts";
import type { Hex } from "../util/bytes.ts";
import { fromHex, toHex } from "../util/bytes.ts";
import { hexField } from "../ids/fields.ts";
import type { FlagParsers, FlagValues } from "./kind.ts";

export const ZERO32: Hex = `0x${"00".repeat(32)}`;

/** `[start, end)` of a packed value as hex (the value's length is checked before any layout reads it). */
export const at = (value: Hex, start: number, end: number): Hex => sliceHex(value, start, end);

/** `[start, end)` of bytes as lowercase 0x-hex. */
export const sliceToHex = (b: Uint8Array, start: number, end: number): Hex => toHex(b.subarray(start, end));

/** The 64-byte REPORTDATA form of a binding: bindingHash ‖ 32 zero bytes (SGX, TDX, SEV-SNP, debug). */
export const reportData64 = {
  length: 64,
  bind: (bindingHash: Hex): Hex => concatHex([hexField("bindingHash", bindingHash, 32), ZERO32]),
  of: (claims: { reportData: Hex }): Uint8Array => fromHex(claims.reportData),
} as const;

/** `--kebab-case` of a camelCase flag key. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The string value of a required flag, or the CLI's error naming it (`--tee <what> needs --flag`). */
export function requiredFlag(flags: FlagValues, key: string, what: string, parse: FlagParsers): string {
  const v = flags[key];
  if (typeof v !== "string") throw parse.usage(`--tee ${what} needs ${flagName(key)}`, flagName(key));
  return v;
}
