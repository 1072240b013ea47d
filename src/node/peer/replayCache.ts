/**
 * The nonces of peer requests seen, each kept until its request's expiry (after that the expiry check
 * refuses the request anyway), bounded by size. When it is full of live nonces it refuses new ones rather
 * than forgetting a live one (which would make that request replayable): fail closed.
 */
export interface ReplayCache {
  /** Spends `key` until `expiresAt` (ms): "ok" the first time, "replayed" while it lives, "full" when no room is left. */
  spend(key: string, expiresAt: number, now: number): "ok" | "replayed" | "full";
  readonly size: number;
}

export interface ReplayCacheOptions {
  /** Live nonces kept at most. Default 100,000 (≈ 1,600 requests/s with 60 s expiries). */
  maxEntries?: number;
}

export function createReplayCache(options: ReplayCacheOptions = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, number>();
  let nextSweep = 0;
  const sweep = (now: number) => {
    for (const [k, expiresAt] of entries) if (expiresAt <= now) entries.delete(k);
    nextSweep = now + 1_000;
  };
  return {
    spend(key, expiresAt, now) {
      if (now >= nextSweep || entries.size >= maxEntries) sweep(now);
      const seen = entries.get(key);
      if (seen !== undefined && seen > now) return "replayed";
      if (entries.size >= maxEntries) return "full";
      entries.set(key, expiresAt);
      return "ok";
    },
    // eslint-disable-next-line no-restricted-syntax -- one object per cache, made once
    get size() {
      return entries.size;
    },
  };
}
