/**
 * A small seeded PRNG for the fuzzer (sfc32, seeded through splitmix32). Each
 * input gets its own generator derived from (seed, kind, index), so input
 * number i of a kind is the same whatever ran before it: a crash report's
 * seed and index reproduce it exactly.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    let mix = 0x243f6a88;
    for (const s of seeds) mix = splitmix32((mix ^ (s >>> 0)) >>> 0)() ^ Math.imul(s >>> 0, 0x27d4eb2d);
    const next = splitmix32(mix >>> 0);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniformly random unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n), n ≥ 1. */
  below(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
}

/** A number for a kind name, to derive per-kind streams from one seed. */
export function kindNumber(kind: string): number {
  let h = 0x811c9dc5;
  for (const ch of kind) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
