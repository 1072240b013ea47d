import { BoundedCache } from "../../util/boundedCache.ts";

/** One cached KDS response: the exact bytes served, and until when they may be reused. */
export interface KdsCacheEntry {
  body: Uint8Array;
  /** Milliseconds since the epoch. */
  fetchedAt: number;
  /** Milliseconds since the epoch: the max age, a CRL's nextUpdate or a certificate's notAfter, whichever comes first. */
  expiresAt: number;
}

/**
 * Where the KDS provider keeps responses, keyed by request path (which
 * encodes product line, chip id and TCB for VCEKs, product line for chains
 * and CRLs). Bytes, not parsed objects, so a persistent implementation is trivial.
 */
export interface KdsCache {
  get(key: string): KdsCacheEntry | undefined;
  set(key: string, entry: KdsCacheEntry): void;
  delete(key: string): void;
  clear(): void;
}

export interface MemoryKdsCacheOptions {
  /** Entries kept before the least recently used is dropped. Default 4096. */
  maxEntries?: number;
  /**
   * Longest an entry is kept, in milliseconds since it was stored (default: no bound beyond each entry's
   * own expiresAt, which the provider sets from its max age, a CRL's nextUpdate or a certificate's notAfter).
   */
  maxAgeMs?: number;
}

/** An in-process LRU cache, on the one cache implementation (src/util/boundedCache.ts). */
export function memoryKdsCache(options: MemoryKdsCacheOptions = {}): KdsCache {
  const cache = new BoundedCache<string, KdsCacheEntry>({
    maxEntries: options.maxEntries ?? 4096,
    maxAgeMs: options.maxAgeMs ?? Number.POSITIVE_INFINITY,
    now: Date.now,
    refreshOnGet: true,
  });
  return {
    get: (key) => cache.get(key),
    set: (key, entry) => void cache.set(key, entry),
    delete: (key) => void cache.delete(key),
    clear: () => cache.clear(),
  };
}
