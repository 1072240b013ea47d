import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { evidenceKeccak } from "../util/evidenceKeccak.ts";

/**
 * A verification result's `evidenceHash`, computed when first read: a composite verifies its CPU and GPU parts
 * for their claims and records only its own evidence's hash (a 5 KB quote's keccak256 is ~20 µs).
 *
 * Why not `{ get evidenceHash() { … } }` in the result's literal: each evaluation of that literal makes a new
 * getter closure, and V8 keeps it in a map of the object's own, in the old generation, until a full
 * collection — with everything the closure's scope holds (docs/benchmarks.md, "Getters on the prototype").
 * Here every result shares one getter function, and so one map, and the bytes live on the result itself.
 * The property stays an own, enumerable accessor, as the literal's was: a spread, JSON.stringify or
 * structuredClone of a result reads the hash.
 */
export function withLazyEvidenceHash<T extends object>(result: T, bytes: Uint8Array): T & { readonly evidenceHash: Hex } {
  // One call for both properties (each defineProperty is a call into the runtime).
  Object.defineProperties(result, {
    [STATE]: { value: { bytes, hash: undefined } satisfies LazyHash, writable: false },
    evidenceHash: DESCRIPTOR,
  });
  return result as T & { readonly evidenceHash: Hex };
}

interface LazyHash {
  readonly bytes: Uint8Array;
  hash: Hex | undefined;
}

/** Not enumerable and a symbol: no spread, JSON or key listing of a result sees it. */
const STATE = Symbol("evidence bytes and hash");

function evidenceHash(this: { [STATE]: LazyHash }): Hex {
  const state = this[STATE];
  return (state.hash ??= evidenceKeccak(state.bytes));
}

const DESCRIPTOR: PropertyDescriptor = Object.freeze({ get: evidenceHash, enumerable: true, configurable: false });
