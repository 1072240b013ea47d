import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../util/boundedCache.ts";
import { fixtureBytes } from "../../../test/support/fixtures.ts";
import { parseSgxQuote } from "../sgx/parseSgxQuote.ts";
import type { RememberedChain } from "./parsePckChainData.ts";

describe("the PCK chain cache", () => {
  const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");

  it("hands each quote its own copy of a remembered chain, made when first read", () => {
    const pckChains = new BoundedCache<string, RememberedChain>({ maxEntries: 8, maxAgeMs: 60_000 });
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

  it("uses a remembered chain only for exactly its text: another chain found in its place is decoded and remembered instead", () => {
    const pckChains = new BoundedCache<string, RememberedChain>({ maxEntries: 8, maxAgeMs: 60_000 });
    const at = Buffer.from(quote).indexOf("-----BEGIN CERTIFICATE-----") + 28;
    const first = parseSgxQuote(quote, { pckChains }).signature.pckChain;
    // One base64 character of the PCK certificate changed far from where chains are looked up: the same
    // length and lookup characters, another text (still a well-formed chain: X.509 is read by the verifier).
    const other = Uint8Array.from(quote);
    other[at + 200] = other[at + 200] === 0x41 ? 0x42 : 0x41;
    const second = parseSgxQuote(other, { pckChains }).signature.pckChain;
    expect(pckChains.size).toBe(1);
    expect(second.digest).not.toBe(first.digest);
    const text = (raw: Uint8Array) => (raw[raw.length - 1] === 0 ? raw.subarray(0, -1) : raw);
    expect(second.digest).toBe(createHash("sha256").update(text(second.raw)).digest("base64"));
    expect(Buffer.from(text(second.raw)).equals(Buffer.from(text(first.raw)))).toBe(false);
    expect(Buffer.from(second.certificates[0]!)).not.toEqual(Buffer.from(first.certificates[0]!));
    // Each text gets its own chain back, the last one remembered without decoding it again.
    expect(parseSgxQuote(other, { pckChains }).signature.pckChain.certificates).toEqual(second.certificates);
    expect(parseSgxQuote(quote, { pckChains }).signature.pckChain.certificates).toEqual(first.certificates);
    // A change inside the lookup characters gives another key: both chains are remembered side by side.
    const third = Uint8Array.from(quote);
    third[at + 20] = third[at + 20] === 0x41 ? 0x42 : 0x41;
    parseSgxQuote(third, { pckChains });
    expect(pckChains.size).toBe(2);
  });

  it("without a cache, gives the same chain, and its digest (the SHA-256 of the PEM text) when first read", () => {
    const pckChains = new BoundedCache<string, RememberedChain>({ maxEntries: 8, maxAgeMs: 60_000 });
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
