/**
 * Deterministic throw-away keys for development rounds, tests and the gas benchmark. They are derived
 * from public labels, so anyone can recompute them: never use them on a real network.
 */
import { keccak256, stringToBytes } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

/** `count` accounts whose private keys are keccak256("<label>.<i>"). */
export function devAccounts(label: string, count: number): PrivateKeyAccount[] {
  return Array.from({ length: count }, (_, i) => privateKeyToAccount(keccak256(stringToBytes(`${label}.${i}`))));
}
