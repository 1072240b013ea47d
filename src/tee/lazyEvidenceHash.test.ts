import { describe, expect, it } from "vitest";
import { evidenceKeccak } from "../util/evidenceKeccak.ts";
import { withLazyEvidenceHash } from "./lazyEvidenceHash.ts";

describe("withLazyEvidenceHash", () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);

  it("reads as the keccak256 of the bytes, computed once", () => {
    const r = withLazyEvidenceHash({ ok: true }, bytes);
    expect(r.evidenceHash).toBe(evidenceKeccak(bytes));
    // The same string object each time: the hash is kept, not recomputed.
    expect(Object.is(r.evidenceHash, r.evidenceHash)).toBe(true);
    expect(r.ok).toBe(true);
  });

  it("is an own enumerable property, as a literal's getter was: keys, spread, JSON and structuredClone see the hash", () => {
    const r = withLazyEvidenceHash({ tee: "sgx" as const, n: 1 }, bytes);
    expect(Object.keys(r)).toEqual(["tee", "n", "evidenceHash"]);
    expect({ ...r }).toEqual({ tee: "sgx", n: 1, evidenceHash: evidenceKeccak(bytes) });
    expect(JSON.parse(JSON.stringify(r))).toEqual({ tee: "sgx", n: 1, evidenceHash: evidenceKeccak(bytes) });
    expect(structuredClone(r)).toEqual({ tee: "sgx", n: 1, evidenceHash: evidenceKeccak(bytes) });
    // The bytes it hashes are on no key anyone lists.
    expect(Object.getOwnPropertySymbols({ ...r })).toEqual([]);
  });

  it("cannot be overwritten or deleted", () => {
    const r = withLazyEvidenceHash({}, bytes) as { evidenceHash?: string };
    expect(() => {
      r.evidenceHash = "0x00";
    }).toThrow(TypeError);
    expect(() => delete r.evidenceHash).toThrow(TypeError);
  });

  it("gives every result the same getter function (so V8 gives them one map, not one each)", () => {
    const a = withLazyEvidenceHash({ x: 1 }, bytes);
    const b = withLazyEvidenceHash({ x: 2 }, new Uint8Array(5));
    const getter = (o: object) => Object.getOwnPropertyDescriptor(o, "evidenceHash")!.get;
    expect(getter(a)).toBeTypeOf("function");
    expect(getter(a)).toBe(getter(b));
    expect(a.evidenceHash).not.toBe(b.evidenceHash);
  });
});
