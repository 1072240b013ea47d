/** Per-client token buckets: `perMinute` requests a minute on average, bursts up to the same number. */
export interface RateLimiter {
  /** Takes a token for `client`; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(client: string): number;
  /** The seconds `client` must wait before its next token, without taking one (0 when it has one). */
  waitOf(client: string): number;
}

export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  let sweep = now();
  return {
    take(client) {
      const t = now();
      if (t - sweep > 60_000) {
        // Forget clients whose bucket has refilled: they are back to a fresh start anyway.
        for (const [k, b] of buckets) if (b.tokens + (t - b.at) * ratePerMs >= perMinute) buckets.delete(k);
        sweep = t;
      }
      const b = buckets.get(client) ?? { tokens: perMinute, at: t };
      b.tokens = Math.min(perMinute, b.tokens + (t - b.at) * ratePerMs);
      b.at = t;
      buckets.set(client, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
    },
    waitOf(client) {
      const b = buckets.get(client);
      if (!b) return 0;
      const tokens = Math.min(perMinute, b.tokens + (now() - b.at) * ratePerMs);
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000));
    },
  };
}
