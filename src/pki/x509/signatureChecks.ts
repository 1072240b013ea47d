import { BoundedCache, type BoundedCacheOptions } from "../../util/boundedCache.ts";

/** A signed object is checked against one issuer, or a few with the same name: past 8, the newest replace the oldest. */
const ISSUERS_PER_SIGNED = 8;

/** The answers for one signed object: the first issuer's inline (almost always the only one), any others in a map. */
interface Answers {
  readonly issuer: string;
  ok: boolean;
  others?: Map<string, boolean>;
}

/**
 * Certificate and CRL signature checks, remembered by the signed object's fingerprint and then the issuer's.
 * Two levels rather than one key joining both: a lookup hashes a string that already exists (V8 keeps a string's
 * hash once computed) and compares another, where a joined key is a new 129-character string to build, flatten
 * and hash on every check — ~10 µs of a cold DCAP verification's dozen checks and lookups (docs/benchmarks.md).
 */
export class SignatureChecks {
  readonly #bySigned: BoundedCache<string, Answers>;

  /** `bounds` bound the signed objects remembered; each keeps at most 8 issuers' answers. */
  constructor(bounds: BoundedCacheOptions) {
    this.#bySigned = new BoundedCache(bounds);
  }

  /** How many signed objects have an answer remembered. */
  get size(): number {
    return this.#bySigned.size;
  }

  get(signedFingerprint: string, issuerFingerprint: string): boolean | undefined {
    const answers = this.#bySigned.get(signedFingerprint);
    if (answers === undefined) return undefined;
    return answers.issuer === issuerFingerprint ? answers.ok : answers.others?.get(issuerFingerprint);
  }

  /** Remembers `ok` and returns it. */
  set(signedFingerprint: string, issuerFingerprint: string, ok: boolean): boolean {
    const answers = this.#bySigned.get(signedFingerprint);
    if (answers === undefined) {
      this.#bySigned.set(signedFingerprint, { issuer: issuerFingerprint, ok });
    } else if (answers.issuer === issuerFingerprint) {
      answers.ok = ok;
    } else {
      const others = (answers.others ??= new Map());
      if (!others.has(issuerFingerprint) && others.size >= ISSUERS_PER_SIGNED - 1) others.delete(others.keys().next().value as string);
      others.set(issuerFingerprint, ok);
    }
    return ok;
  }
}
