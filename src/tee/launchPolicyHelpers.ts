/** What the kinds' launch-policy checks share: the PolicyError they deny with and bit renderings. */
import { PolicyError } from "@keepledger/sdk/internal/errors/KeepledgerError";

export function deny(code: string, message: string, details: Record<string, unknown>): never {
  throw new PolicyError(code, message, { details });
}

export const hex64 = (v: bigint): string => `0x${v.toString(16)}`;

export function bitNames(bits: bigint, names: Record<number, string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((bits >> BigInt(i)) & 1n) out.push(names[i] ?? `bit ${i}`);
  return out;
}
