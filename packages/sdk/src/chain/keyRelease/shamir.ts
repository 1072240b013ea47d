/**
 * Shamir's secret sharing over GF(2^8) from `shamir-secret-sharing` (audited, zero-dependency): each share
 * is the secret's length plus one byte, its last byte the share's x coordinate. Any t shares recombine;
 * t − 1 carry no information about the secret.
 */
import { combine, split } from "shamir-secret-sharing";
import { UsageError } from "../../errors/index.ts";
import { KEY_CODES } from "./codes.ts";

/** Splits `secret` (1..4096 bytes) into n shares, t of which recombine it (2 ≤ t ≤ n ≤ 255). */
export async function splitSecret(secret: Uint8Array, n: number, t: number): Promise<Uint8Array[]> {
  if (!(Number.isInteger(t) && Number.isInteger(n) && t >= 2 && t <= n && n <= 255)) {
    throw new UsageError(KEY_CODES.KEY_REQUEST_INVALID, `threshold ${t} of ${n} shares: need 2 ≤ t ≤ n ≤ 255`, {
      at: { field: "threshold" },
    });
  }
  if (secret.length === 0 || secret.length > 4096) {
    throw new UsageError(KEY_CODES.KEY_REQUEST_INVALID, "a secret is 1..4096 bytes", {
      at: { field: "secret" },
      details: { got: secret.length },
    });
  }
  return split(secret, n, t);
}

/** Recombines shares (at least t of one split, distinct x coordinates). */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  return combine([...shares]);
}
