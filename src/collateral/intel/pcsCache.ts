import { BoundedCache } from "../../util/boundedCache.ts";

/**
 * A cache for Intel collateral shared by every request (and, when passed to
 * several providers, by several providers). An entry is served until its
 * collateral's nextUpdate or until it is `maxAgeMs` old, whichever is first;
 * concurrent misses for the same key share one fetch. Entries live in the one cache implementation
 * (src/util/boundedCache.ts), bounded by count and by age on this cache's clock.
 */
export interface PcsCacheOptions {
  /** Longest an entry is served, whatever its nextUpdate (default 24 h). */
  maxAgeMs?: number;
  /** The wall clock for ages (default Date.now). */
  now?: () => number;
  /** Most entries kept (default 1024). */
  maxEntries?: number;
  /** An entry younger than this is not dropped by invalidate() (default 60 s): refreshes cannot hammer the service. */
  minRefreshMs?: number;
}

interface Entry<T> {
  value: T;
  /** Wall-clock ms when it was fetched. */
  fetchedAt: number;
  /** Wall-clock ms after which the entry is stale. */
  staleAt: number;
  /** The collateral's own nextUpdate. */
  nextUpdate: Date;
}

export class PcsCache {
  readonly maxAgeMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #minRefreshMs: number;
  readonly #entries: BoundedCache<string, Entry<unknown>>;
  /** Fetches under way, one per key: bounded by the requests in flight, emptied as each settles. */
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(options: PcsCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 1024;
    this.#minRefreshMs = options.minRefreshMs ?? 60_000;
    this.#entries = new BoundedCache({ maxEntries: this.#maxEntries, maxAgeMs: this.maxAgeMs, now: this.#now });
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * Drops `key` so that the next get() loads it again, unless it was fetched less than `minRefreshMs`
   * ago (then the service has just been asked). Returns whether it was dropped.
   */
  invalidate(key: string): boolean {
    const hit = this.#entries.get(key);
    if (!hit || this.#now() - hit.fetchedAt < this.#minRefreshMs) return false;
    return this.#entries.delete(key);
  }

  /**
   * The cached value for `key` if it is fresh and still in force at `at`;
   * otherwise runs `load` (once for concurrent callers) and caches its result.
   */
  async get<T>(key: string, at: Date, load: () => Promise<{ value: T; nextUpdate: Date }>): Promise<T> {
    const now = this.#now();
    const hit = this.#entries.get(key) as Entry<T> | undefined;
    if (hit && now < hit.staleAt && at <= hit.nextUpdate) return hit.value;
    const pending = this.#inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const p = load()
      .then(({ value, nextUpdate }) => {
        const fetchedAt = this.#now();
        const staleAt = Math.min(fetchedAt + this.maxAgeMs, nextUpdate.getTime());
        this.#entries.set(key, { value, fetchedAt, staleAt, nextUpdate });
        return value;
      })
      .finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }
}
