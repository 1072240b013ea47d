/**
 * Tampering with real documents: exhaustive byte flips and fast-check
 * mutations. The contract: every input either fails with a typed
 * KeepledgerError, or verifies only if it is the same document (at most
 * re-tagged), with the same claims. Never an untyped throw, never a partial ok.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, setsOf } from "../../../test/support/fixtures.ts";
import { encodeCbor, type CborInput } from "../../../test/support/nitroCbor.ts";
import {
  createNitroTestPki,
  NITRO_TEST_TIME,
  OMIT,
  signNitroDocument,
  type FieldOverrides,
  type NitroTestPki,
} from "../../../test/support/nitroTestSigner.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { decodeCbor } from "../../evidence/cbor/decodeCbor.ts";
import { parseNitroDocument } from "./parseNitroDocument.ts";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { verifyNitroDocument, type VerifyNitroDocumentResult } from "./verifyNitroDocument.ts";

const RUNS = Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000);

type Outcome = { ok: true; result: VerifyNitroDocumentResult } | { ok: false; code: string };

/** Parses and verifies; a throw that is not a KeepledgerError fails the test right here. */
function outcome(bytes: Uint8Array, at: Date, trustedRoots?: readonly TrustedRoot[]): Outcome {
  try {
    return { ok: true, result: verifyNitroDocument(parseNitroDocument(bytes), { at, ...(trustedRoots ? { trustedRoots } : {}) }) };
  } catch (e) {
    if (!isKeepledgerError(e)) throw new Error(`untyped throw: ${String(e)}`, { cause: e });
    return { ok: false, code: e.code };
  }
}

const untagged = (b: Uint8Array): Uint8Array => (b[0] === 0xd2 ? b.subarray(1) : b);
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(untagged(a)).equals(Buffer.from(untagged(b)));

describe("every byte of a real document, flipped", () => {
  // xor 0xff on every byte of every vector; single-bit flips (xor 0x01) too on one of them.
  // About 1.5 ms per variant (a flipped certificate is parsed afresh), so these run long.
  const masksOf = (set: string): number[] => (set === "dstack-nitro-doc-a" ? [0xff, 0x01] : [0xff]);
  for (const set of setsOf("nitro")) {
    it(
      `${set}: each flip (xor ${masksOf(set)
        .map((m) => `0x${m.toString(16).padStart(2, "0")}`)
        .join(", xor ")}) fails typed; none is harmless`,
      { timeout: 240_000 },
      () => {
        const original = fixtureBytes("nitro", set, "attestation_doc.cose");
        const at = new Date(expectedOf("nitro", set).verify_at);
        const { spans } = parseNitroDocument(original).cose;
        const accepted: number[] = [];
        const codes = new Map<string, number>();
        for (const mask of masksOf(set)) {
          for (let i = 0; i < original.length; i++) {
            const bytes = original.slice();
            bytes[i]! ^= mask;
            const o = outcome(bytes, at);
            if (o.ok) {
              accepted.push(i);
              continue;
            }
            codes.set(o.code, (codes.get(o.code) ?? 0) + 1);
            // Whatever changes inside the signature, or inside a payload that still parses, the signature catches.
            if (i >= spans.signature.start + 2) expect(o.code, `offset ${i}`).toBe("NITRO_SIGNATURE_INVALID");
          }
        }
        // No flip is harmless: the envelope admits one encoding — array head 0x84, protected bstr,
        // the empty map 0xa0 as unprotected header, shortest heads — and all else is signed.
        // (A flip inside a non-empty unprotected header would be harmless; keepledger accepts none.)
        expect(accepted).toEqual([]);
        expect(spans.unprotected.end - spans.unprotected.start).toBe(1);
        expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(masksOf(set).length * original.length);
      },
    );
  }
});

/** Byte-level mutations: overwrite, insert, delete, truncate, append, tag. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), value: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), value: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("tag" as const) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(input: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(input);
  for (const m of ms) {
    const at = "at" in m ? m.at % (b.length + 1) : 0;
    if (m.kind === "set") b[at % Math.max(b.length, 1)] = m.value;
    else if (m.kind === "insert") b.splice(at, 0, ...m.value);
    else if (m.kind === "delete") b.splice(at, m.length);
    else if (m.kind === "truncate") b = b.slice(0, at);
    else if (m.kind === "append") b.push(...m.value);
    else b.unshift(0xd2);
  }
  return new Uint8Array(b);
}

describe("fast-check: mutated real documents", () => {
  for (const set of setsOf("nitro")) {
    it(`${set}: typed error, or ok only for the same document`, () => {
      const original = fixtureBytes("nitro", set, "attestation_doc.cose");
      const at = new Date(expectedOf("nitro", set).verify_at);
      const reference = outcome(original, at);
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
          const bytes = mutate(original, ms);
          const o = outcome(bytes, at);
          if (o.ok) {
            expect(same(bytes, original)).toBe(true);
            expect(reference.ok && o.result.claims).toStrictEqual(reference.ok && reference.result.claims);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("arbitrary bytes never verify and never throw untyped", () => {
    const at = new Date("2025-12-25T13:15:37Z");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, ...b])),
        ),
        (bytes) => {
          expect(outcome(bytes, at).ok).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

/** CBOR values of the kinds a Nitro document may hold, nested a little. */
const cborValue: fc.Arbitrary<CborInput> = fc.letrec<{ v: CborInput }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: -1000, max: 2 ** 40 }),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 80 }),
    fc.array(tie("v"), { maxLength: 3 }),
    fc
      .array(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 40 }), fc.string({ maxLength: 4 })), tie("v")), { maxLength: 3 })
      .map((e) => new Map<CborInput, CborInput>(e)),
  ),
})).v;

describe("fast-check: signed documents with arbitrary fields", () => {
  let pki: NitroTestPki;
  beforeAll(async () => {
    pki = await createNitroTestPki();
  });
  const at = new Date(NITRO_TEST_TIME.getTime() + 1000);
  const FIELDS = ["module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle", "public_key", "user_data", "nonce", "extra"];
  const overrides = fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(cborValue, fc.constant<typeof OMIT>(OMIT)), { maxKeys: 3 });

  it("whatever AWS-typed or mistyped values the fields hold, the result is a typed error or the claims signed", async () => {
    await fc.assert(
      fc.asyncProperty(overrides, fc.boolean(), async (fields: FieldOverrides, indefinite) => {
        const bytes = await signNitroDocument(pki, { fields, indefinitePayload: indefinite });
        const o = outcome(bytes, at, pki.trustedRoots);
        if (!o.ok) return;
        const get = (k: string, d: unknown): unknown => (k in fields ? fields[k] : d);
        const hexOrNull = (v: unknown): unknown =>
          v === OMIT || v === null || v === undefined ? null : `0x${Buffer.from(v as Uint8Array).toString("hex")}`;
        expect(o.result.claims.moduleId).toBe(get("module_id", "i-0123456789abcdef0-enc0123456789abcdef"));
        expect(o.result.claims.timestamp).toBe(Number(get("timestamp", NITRO_TEST_TIME.getTime())));
        expect(o.result.claims.nonce).toBe(hexOrNull(get("nonce", null)));
        expect(o.result.claims.publicKey).toBe(hexOrNull(get("public_key", null)));
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary protected and unprotected headers: typed error, or ok only for {1: -35} and {}", async () => {
    const header = fc.oneof(cborValue, fc.constant<CborInput>(new Map([[1, -35]])), fc.constant<CborInput>(new Map()));
    await fc.assert(
      fc.asyncProperty(header, header, async (p, u) => {
        const bytes = await signNitroDocument(pki, { protectedHeader: encodeCbor(p), unprotected: encodeCbor(u) });
        const o = outcome(bytes, at, pki.trustedRoots);
        if (o.ok) {
          expect(Buffer.from(encodeCbor(p)).toString("hex")).toBe("a1013822");
          expect(Buffer.from(encodeCbor(u)).toString("hex")).toBe("a0");
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fast-check: the CBOR reader", () => {
  it("reads back every value the encoder writes (no false rejections of AWS-shaped CBOR)", () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        const decoded = decodeCbor(encodeCbor(v), 0, { field: "t", allowIndefiniteContainers: false, maxDepth: 16 });
        expect(normalize(decoded)).toStrictEqual(normalize(v));
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws untyped on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          decodeCbor(bytes, 0, { field: "t", allowIndefiniteContainers: true });
        } catch (e) {
          expect(isKeepledgerError(e)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** A structural form for comparison: cbor-x returns integers as numbers or bigints depending on their encoded size. */
function normalize(v: unknown): unknown {
  if (typeof v === "bigint" || typeof v === "number") return `int:${BigInt(v)}`;
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("hex") };
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return [...v].map(([k, x]) => [normalize(k), normalize(x)]);
  return v;
}
