import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../util/boundedCache.ts";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { parseSgxQuote } from "../sgx/parseSgxQuote.ts";

describe("the PCK chain cache", () => {
  const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");

  it("hands each quote its own copy of a remembered chain, made when first read", () => {
    const pckChains = new BoundedCache<string, readonly Uint8Array[]>({ maxEntries: 8, maxAgeMs: 60_000 });
    const first = parseSgxQuote(quote, { pckChains }).signature.pckChain;
    const second = parseSgxQuote(quote, { pckChains }).signature.pckChain;
    const third = parseSgxQuote(quote, { pckChains }).signature.pckChain;
    expect(pckChains.size).toBe(1);
    expect(second.digest).toBe(first.digest);
    expect(second.certificates).toEqual(first.certificates);
    // Read twice, the same copy; another quote's is another copy.
    expect(second.certificates).toBe(second.certificates);
    expect(second.certificates[0]!.buffer).not.toBe(third.certificates[0]!.buffer);
    // A caller that scribbles on its copy changes neither the cache nor the next quote's chain.
    const original = Uint8Array.from(first.certificates[0]!);
    second.certificates[0]![10]! ^= 0xff;
    first.certificates[0]![11]! ^= 0xff;
    expect(parseSgxQuote(quote, { pckChains }).signature.pckChain.certificates[0]).toEqual(original);
  });

  it("without a cache, gives the same chain, and its digest (the SHA-256 of the PEM text) when first read", () => {
    const pckChains = new BoundedCache<string, readonly Uint8Array[]>({ maxEntries: 8, maxAgeMs: 60_000 });
    const cached = parseSgxQuote(quote, { pckChains }).signature.pckChain;
    const alone = parseSgxQuote(quote).signature.pckChain;
    expect(alone.certificates).toEqual(cached.certificates);
    expect(alone.raw).toEqual(cached.raw);
    const text = alone.raw[alone.raw.length - 1] === 0 ? alone.raw.subarray(0, -1) : alone.raw;
    expect(alone.digest).toBe(createHash("sha256").update(text).digest("base64"));
    expect(alone.digest).toBe(cached.digest);
    expect(Object.keys(alone)).not.toContain("digest"); // made on demand, on the prototype
  });
});
