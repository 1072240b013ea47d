/**
 * Which entity ids may be stored: a Bloom filter over every id of an entity table, so that catch-up does
 * not look up, one by one, ids it has never written. Nearly every verdict a catch-up meets is new, and
 * asking the store for hundreds of thousands of absent ids was a sixth of the indexer's own CPU
 * (docs/registry.md, "Benchmark"). The filter answers "maybe" for every id it was given (never a false
 * "no"), and "no" for most others; a "maybe" is looked up as before. It only ever grows: a rolled-back or
 * failed write leaves its ids in, which costs a lookup, never a wrong answer.
 */
import type { Database } from "../store/Database.ts";
import type { EntityType } from "./entityModel.ts";

/** Ids a filter is sized for by default: 4 Mi ids at about 1 % false "maybe"s, in 5 MiB. Beyond, "maybe" grows more frequent. */
export const FILTER_CAPACITY = 4 * 1024 * 1024;
/** 10 bits and 7 hashes per id: about 0.8 % false "maybe"s at capacity. */
const BITS_PER_ID = 10;
const HASHES = 7;
/** Ids read per query when a filter is filled from a table at start (by default). */
const LOAD_CHUNK = 20_000;

export class StoredIdFilter {
  readonly #bits: Uint32Array;
  readonly #size: number;
  #count = 0;

  constructor(capacity: number = FILTER_CAPACITY) {
    this.#bits = new Uint32Array(Math.ceil((Math.max(1, capacity) * BITS_PER_ID) / 32));
    this.#size = this.#bits.length * 32;
  }

  /** Ids added so far (with repeats). */
  get count(): number {
    return this.#count;
  }

  add(id: string): void {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % this.#size;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.#count++;
  }

  /** False only for an id never added. */
  mightContain(id: string): boolean {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % this.#size;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/**
 * Two independent 31-bit hashes of an id. Entity ids of the chain's hashes (verdict ids are EIP-712
 * struct hashes) are uniformly random already: their hex digits are the hash. Other ids get FNV-1a with
 * two seeds.
 */
function hashes(id: string): [number, number] {
  // No full check of the hex (a regular expression cost as much as the rest): any 0x-prefixed string of
  // that length takes this path, and one that is not hex only hashes less evenly, never wrongly.
  if (id.length === 66 && id.startsWith("0x")) {
    const h1 = Number.parseInt(id.slice(2, 10), 16);
    const h2 = Number.parseInt(id.slice(10, 18), 16);
    if (!Number.isNaN(h1) && !Number.isNaN(h2)) return [h1 >>> 1, (h2 >>> 1) | 1];
  }
  return [fnv1a(id, 0x811c9dc5) >>> 1, (fnv1a(id, 0x01000193) >>> 1) | 1];
}

function fnv1a(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A filter holding every id of the entity's table (all versions), or undefined when the table holds more
 * than `capacity` versions: a filter that full would answer "maybe" too often to pay for itself.
 * Read in id order, a chunk at a time, on the id index.
 */
export async function loadStoredIdFilter(
  db: Database,
  entity: EntityType,
  { capacity = FILTER_CAPACITY, chunk = LOAD_CHUNK }: { capacity?: number; chunk?: number } = {},
): Promise<StoredIdFilter | undefined> {
  const limit = Math.trunc(capacity) + 1;
  const [row] = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${entity.table} LIMIT ${limit}) AS t`);
  if (Number(row?.n ?? 0) > capacity) return undefined;
  const filter = new StoredIdFilter(capacity);
  let after = "";
  for (;;) {
    const rows = await db.queryArrays(
      `SELECT DISTINCT "id" FROM ${entity.table} WHERE "id" > $1 ORDER BY "id" LIMIT ${Math.trunc(chunk)}`,
      [after],
    );
    for (const [id] of rows) filter.add(String(id));
    if (rows.length < chunk) return filter;
    after = String(rows[rows.length - 1]![0]);
  }
}
