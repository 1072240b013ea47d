/**
 * The fuzzer's own machinery (scripts/fuzz/): inputs reproduce from (seed, kind,
 * index), the structured DCAP mutation really reaches the certificates, the
 * equivalence rules accept exactly the encodings the parsers tolerate, and a
 * short run of every kind ends in no crash.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseDcapQuote } from "../../src/tee/dcap/parseDcapQuote.ts";
import { classify, resultSummary } from "../../scripts/fuzz/classify.ts";
import { mutate } from "../../scripts/fuzz/mutate.ts";
import { Rng, kindNumber } from "../../scripts/fuzz/rng.ts";
import { FUZZ_KINDS, loadFuzzTarget, verifyOptionsOf, type FuzzKind, type FuzzTarget } from "../../scripts/fuzz/targets.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";

const targets = new Map<FuzzKind, { target: FuzzTarget; reference: string }>();

beforeAll(async () => {
  for (const kind of FUZZ_KINDS) {
    const target = await loadFuzzTarget(kind);
    targets.set(kind, { target, reference: resultSummary(await verifyEvidence(target.base, verifyOptionsOf(target))) });
  }
});

const get = (kind: FuzzKind) => targets.get(kind)!;

describe("fuzz inputs", () => {
  it("input i of a kind depends only on (seed, kind, i)", () => {
    const { target } = get("tdx");
    const at = (i: number) => mutate(target, new Rng(7, kindNumber("tdx"), i));
    const first = [5, 6, 7].map(at);
    expect([7, 6, 5].map(at).reverse()).toEqual(first);
    expect(at(5).bytes).not.toEqual(mutate(target, new Rng(8, kindNumber("tdx"), 5)).bytes);
  });

  it("the PEM/DER mutation changes one PCK certificate and keeps the quote parseable", () => {
    const { target } = get("sgx");
    const base = parseDcapQuote(target.base).signature.pckChain.certificates;
    const structured = target.structured![0]!;
    for (let i = 0; i < 200; i++) {
      const { bytes } = structured.apply(new Rng(1, i));
      const certs = parseDcapQuote(bytes).signature.pckChain.certificates;
      expect(certs).toHaveLength(base.length);
      expect(certs.filter((c, k) => Buffer.compare(Buffer.from(c), Buffer.from(base[k]!)) !== 0).length).toBeLessThanOrEqual(1);
    }
  });
});

describe("equivalent inputs", () => {
  it("DCAP: the unpadded v4 quote is the same quote; more padding, a cut certificate or a flipped signed byte is not", () => {
    const { target } = get("tdx");
    expect(target.equivalent(target.base.subarray(0, target.base.length - 70))).toBe(true);
    expect(target.equivalent(new Uint8Array([...target.base, 0, 0, 0]))).toBe(false);
    const flipped = target.base.slice();
    flipped[100]! ^= 1;
    expect(target.equivalent(flipped)).toBe(false);
    expect(target.equivalent(target.base.subarray(0, 100))).toBe(false);
  });

  it("Nitro: the tagged form (0xd2 …) is the same document", () => {
    const { target } = get("nitro");
    expect(target.equivalent(new Uint8Array([0xd2, ...target.base]))).toBe(true);
    expect(target.equivalent(new Uint8Array([...target.base, 0]))).toBe(false);
  });

  it("SEV-SNP and debug: only the identical bytes", () => {
    for (const kind of ["sev-snp", "debug"] as const) {
      const { target } = get(kind);
      expect(target.equivalent(target.base.slice())).toBe(true);
      const other = target.base.slice();
      other[other.length - 1]! ^= 1;
      expect(target.equivalent(other)).toBe(false);
    }
  });
});

describe("classify", () => {
  it.each(FUZZ_KINDS)("%s: the valid input is ok, its first half a typed rejection", async (kind) => {
    const { target, reference } = get(kind);
    expect(await classify(target, reference, target.base)).toEqual({ type: "ok" });
    expect(await classify(target, reference, target.base.subarray(0, target.base.length >> 1))).toMatchObject({ type: "rejected" });
  });

  it.each(FUZZ_KINDS)("%s: 300 mutated inputs end in typed rejections or equivalent oks", async (kind) => {
    const { target, reference } = get(kind);
    for (let i = 0; i < 300; i++) {
      const m = mutate(target, new Rng(42, kindNumber(kind), i));
      const outcome = await classify(target, reference, m.bytes);
      expect(outcome.type, `${m.ops.join(" → ")}: ${outcome.type === "crash" ? outcome.reason : ""}`).not.toBe("crash");
    }
  });
});
