import { describe, expect, it } from "vitest";
import { BoundedCache } from "./boundedCache.ts";

describe("BoundedCache", () => {
  it("keeps at most maxEntries, dropping the oldest", () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 2, maxAgeMs: Infinity });
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c"), cache.size]).toEqual([undefined, 2, 3, 2]);
    cache.set("b", 4); // storing again makes it the newest
    cache.set("d", 5);
    expect([cache.get("b"), cache.get("c"), cache.get("d")]).toEqual([4, undefined, 5]);
  });

  it("never returns an entry older than maxAgeMs", () => {
    let now = 0;
    const cache = new BoundedCache<string, number>({ maxEntries: 10, maxAgeMs: 1000, now: () => now });
    cache.set("a", 1);
    now = 1000;
    expect(cache.get("a")).toBe(1);
    now = 1001;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("getOrSet computes once per key", () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 10, maxAgeMs: 1000 });
    let calls = 0;
    const make = () => ++calls;
    expect([cache.getOrSet("k", make), cache.getOrSet("k", make)]).toEqual([1, 1]);
  });

  it.each([
    { name: "zero entries", options: { maxEntries: 0, maxAgeMs: 1 } },
    { name: "fractional entries", options: { maxEntries: 1.5, maxAgeMs: 1 } },
    { name: "no age", options: { maxEntries: 1, maxAgeMs: 0 } },
  ])("refuses $name", ({ options }) => {
    expect(() => new BoundedCache(options)).toThrow(RangeError);
  });

  it("with refreshOnGet drops the least recently used instead of the oldest (the providers' caches)", () => {
    const fifo = new BoundedCache<string, number>({ maxEntries: 2, maxAgeMs: Infinity });
    const lru = new BoundedCache<string, number>({ maxEntries: 2, maxAgeMs: Infinity, refreshOnGet: true });
    for (const cache of [fifo, lru]) {
      cache.set("a", 1);
      cache.set("b", 2);
      expect(cache.get("a")).toBe(1);
      cache.set("c", 3);
    }
    expect([fifo.get("a"), fifo.get("b"), fifo.get("c")]).toEqual([undefined, 2, 3]);
    expect([lru.get("a"), lru.get("b"), lru.get("c")]).toEqual([1, undefined, 3]);
  });

  it("delete drops one entry and says whether it was there", () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 4, maxAgeMs: Infinity });
    cache.set("a", 1);
    expect(cache.delete("a")).toBe(true);
    expect(cache.delete("a")).toBe(false);
    expect(cache.get("a")).toBeUndefined();
  });
});
