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
}

/** An in-process LRU cache. */
export function memoryKdsCache(options: MemoryKdsCacheOptions = {}): KdsCache {
  const maxEntries = options.maxEntries ?? 4096;
  const map = new Map<string, KdsCacheEntry>();
  return {
    get(key) {
      const hit = map.get(key);
      if (hit) {
        map.delete(key);
        map.set(key, hit);
      }
      return hit;
    },
    set(key, entry) {
      map.delete(key);
      if (map.size >= maxEntries) map.delete(map.keys().next().value as string);
      map.set(key, entry);
    },
    delete: (key) => void map.delete(key),
    clear: () => map.clear(),
  };
}
