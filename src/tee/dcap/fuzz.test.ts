import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DCAP_SETS, loadSet, outcomeOf } from "../../../test/support/dcapOutcome.ts";
import { createVerifierContext } from "../verifierContext.ts";

const RUNS = Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000);

type Mutation =
  | { kind: "flips"; flips: Array<[number, number]> }
  | { kind: "truncate"; length: number }
  | { kind: "splice"; at: number; remove: number; insert: Uint8Array }
  | { kind: "copy"; from: number; to: number; length: number };

function mutation(len: number): fc.Arbitrary<Mutation> {
  const pos = fc.nat({ max: len - 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant("flips" as const), flips: fc.array(fc.tuple(pos, fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant("truncate" as const), length: pos }),
    fc.record({ kind: fc.constant("splice" as const), at: pos, remove: fc.nat({ max: 64 }), insert: fc.uint8Array({ maxLength: 64 }) }),
    fc.record({ kind: fc.constant("copy" as const), from: pos, to: pos, length: fc.integer({ min: 1, max: 512 }) }),
  );
}

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case "flips": {
      const out = new Uint8Array(bytes);
      for (const [i, bit] of m.flips) out[i]! ^= 1 << bit;
      return out;
    }
    case "truncate":
      return bytes.slice(0, m.length);
    case "splice":
      return new Uint8Array([...bytes.subarray(0, m.at), ...m.insert, ...bytes.subarray(m.at + m.remove)]);
    case "copy": {
      const out = new Uint8Array(bytes);
      out.set(bytes.subarray(m.from, m.from + m.length).subarray(0, out.length - m.to), m.to);
      return out;
    }
  }
}

/**
 * Property: whatever the mutation, verification ends in a typed
 * KeepledgerError, or in ok only for input equivalent to the original (same
 * signed bytes, same certificates, same rating) — never an untyped throw, never
 * a different accepted quote.
 */
describe("fuzzing real quotes (fast-check)", () => {
  for (const { kind, name, unsafe } of DCAP_SETS) {
    it(`${kind}/${name}: ${RUNS} mutations`, () => {
      const set = loadSet(kind, name);
      const base = outcomeOf(set, unsafe, set.quote);
      fc.assert(
        fc.property(mutation(set.quote.length), (m) => {
          const bytes = apply(set.quote, m);
          const r = outcomeOf(set, unsafe, bytes);
          if (r.ok) {
            expect(base.ok).toBe(true);
            expect(base.ok && r.digest === base.digest && r.certificates === base.certificates).toBe(true);
          }
        }),
        { numRuns: RUNS },
      );
    });

    // The remembered appraisal (appraisalMemo.ts) must be invisible: a context warmed by the original quote
    // answers every mutation exactly as a verification without one does (same digest, or same error code).
    it(`${kind}/${name}: a warm verifier context answers ${RUNS / 2} mutations as a fresh verification does`, () => {
      const set = loadSet(kind, name);
      const context = createVerifierContext();
      outcomeOf(set, unsafe, set.quote, context);
      fc.assert(
        fc.property(mutation(set.quote.length), (m) => {
          const bytes = apply(set.quote, m);
          expect(outcomeOf(set, unsafe, bytes, context)).toEqual(outcomeOf(set, unsafe, bytes));
        }),
        { numRuns: RUNS / 2 },
      );
    });
  }
});
