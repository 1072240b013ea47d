/**
 * The one cache implementation: a map bounded by size (the oldest entry goes
 * first: eviction is in insertion order, so a hit costs one lookup and no
 * reordering on the verifier's hot path) and by age (an entry older than `maxAgeMs` is never
 * returned). Caches are objects handed in by whoever owns the process (a
 * verifier context, a node, a bench), never module state (STYLE.md).
 */
export interface BoundedCacheOptions {
  /** At most this many entries; the oldest is dropped first. */
  maxEntries: number;
  /** An entry older than this (milliseconds since it was stored) counts as absent. Infinity: no age bound. */
  maxAgeMs: number;
  /** The clock, in milliseconds (default: performance.now). Tests, and caches that age by the wall clock. */
  now?: () => number;
  /**
   * Least recently used first: a hit moves its entry to the back, so entries in use survive a scan of
   * new keys (the providers' caches). Off by default: the verifier's hot path keeps insertion order.
   */
  refreshOnGet?: boolean;
}

/** The default clock, one function for every cache (a verifier context makes ~20 caches per verification). */
const monotonicNow = (): number => performance.now();

export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { value: V; storedAt: number }>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #refreshOnGet: boolean;

  constructor(options: BoundedCacheOptions) {
    if (!(options.maxEntries >= 1) || !Number.isInteger(options.maxEntries))
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    if (!(options.maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be positive, got ${options.maxAgeMs}`);
    this.#maxEntries = options.maxEntries;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? monotonicNow;
    this.#refreshOnGet = options.refreshOnGet === true;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Without an age bound nothing can be too old: no clock read (the verifier's caches are read ~30 times per verification).
    if (this.#maxAgeMs !== Infinity && this.#now() - entry.storedAt > this.#maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (this.#refreshOnGet) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  /** Stores `value` and returns it. */
  set(key: K, value: V): V {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
    this.#entries.set(key, { value, storedAt: this.#maxAgeMs === Infinity ? 0 : this.#now() });
    return value;
  }

  /** The cached value for `key`, or `make()` stored under it. */
  getOrSet(key: K, make: () => V): V {
    const hit = this.get(key);
    return hit !== undefined ? hit : this.set(key, make());
  }

  /** Drops `key`; whether it was there. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
