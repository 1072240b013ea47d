/** Short, readable renderings of chain values for people: 0x1234…abcd, dates, gas. */
import type { Hex } from "viem";

/** An address or hash abbreviated to its first and last four hex digits: 0x5FbD…0aa3. */
export function short(value: Hex | string): string {
  return value.length <= 14 ? value : `${value.slice(0, 6)}…${value.slice(-4)}`;
}

/** Unix seconds as an ISO date-time without milliseconds, UTC. */
export function when(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** A gas amount with thousands separators. */
export function gas(amount: bigint | number): string {
  return Number(amount).toLocaleString("en-US");
}
