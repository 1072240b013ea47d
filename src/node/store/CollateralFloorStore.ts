/**
 * The collateral floor: per CRL issuer (name and key), TCB Info (TEE, FMSPC) and QE Identity (id), the
 * newest document this validator has ever verified, persisted beside the node store in a table of its
 * own. Only stamps a verifier reports as used (signature-verified) are ever passed to advance(). For TCB
 * Info and QE Identity the newest document of the previous tcbEvaluationDataNumber is kept too: during a
 * workload's TCB recovery grace period a validator still accepts it (docs/node.md, "Collateral
 * independence and the floor").
 */
import type { Database } from "../../store/Database.ts";
import { compareStamps, type CollateralFloor, type CollateralStamp, type StampedDocument } from "../../pki/freshness/collateralStamp.ts";

export const COLLATERAL_FLOOR_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_collateral_floor (
  floor_key TEXT PRIMARY KEY,
  stamp_json TEXT NOT NULL,
  previous_json TEXT,
  updated_at {bigint} NOT NULL
);
`;

interface StampJson {
  document: StampedDocument;
  key: string;
  issued: string;
  number: number;
  nextUpdate?: string;
  digest: string;
}

const toJson = (s: CollateralStamp): string =>
  JSON.stringify({
    document: s.document,
    key: s.key,
    issued: s.issued.toISOString(),
    number: s.number,
    ...(s.nextUpdate ? { nextUpdate: s.nextUpdate.toISOString() } : {}),
    digest: s.digest,
  } satisfies StampJson);

function fromJson(text: string): CollateralStamp {
  const j = JSON.parse(text) as StampJson;
  return {
    document: j.document,
    key: j.key,
    issued: new Date(j.issued),
    number: j.number,
    ...(j.nextUpdate ? { nextUpdate: new Date(j.nextUpdate) } : {}),
    digest: j.digest,
  };
}

interface FloorEntry {
  newest: CollateralStamp;
  /** TCB Info and QE Identity: the newest of a lower tcbEvaluationDataNumber than `newest`. */
  previous?: CollateralStamp;
}

export class CollateralFloorStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #entries = new Map<string, FloorEntry>();
  /** advance() calls run one after another: each compares with what the previous one wrote. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  static async open(db: Database, options: { now?: () => number } = {}): Promise<CollateralFloorStore> {
    await db.exec(COLLATERAL_FLOOR_SCHEMA);
    const store = new CollateralFloorStore(db, options.now ?? Date.now);
    for (const row of await db.query<{ floor_key: string; stamp_json: string; previous_json: string | null }>(
      "SELECT floor_key, stamp_json, previous_json FROM node_collateral_floor",
    )) {
      store.#entries.set(row.floor_key, {
        newest: fromJson(row.stamp_json),
        ...(row.previous_json ? { previous: fromJson(row.previous_json) } : {}),
      });
    }
    return store;
  }

  /** The newest verified stamp per key. */
  floor(): CollateralFloor {
    return new Map([...this.#entries].map(([k, e]) => [k, e.newest]));
  }

  newest(key: string): CollateralStamp | undefined {
    return this.#entries.get(key)?.newest;
  }

  /**
   * The floor a verification of one workload's evidence uses: a TCB Info or QE Identity whose newest
   * evaluation was issued less than `tcbGracePeriodSeconds` before `at` is floored at the previous
   * evaluation's newest document instead (when one is known), so evidence appraised under it reaches TCB
   * recovery's grace handling rather than being refused as stale.
   */
  floorFor(tcbGracePeriodSeconds: number, at: Date): CollateralFloor {
    const out = new Map<string, CollateralStamp>();
    for (const [key, e] of this.#entries) {
      const inGrace =
        e.newest.document !== "crl" && e.previous !== undefined && at.getTime() < e.newest.issued.getTime() + tcbGracePeriodSeconds * 1000;
      out.set(key, inGrace ? e.previous! : e.newest);
    }
    return out;
  }

  /** Moves the floor to every stamp newer than what it holds; returns the stamps that moved it. */
  advance(stamps: readonly CollateralStamp[]): Promise<CollateralStamp[]> {
    const run = this.#queue.then(() => this.#advance(stamps));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #advance(stamps: readonly CollateralStamp[]): Promise<CollateralStamp[]> {
    const moved: CollateralStamp[] = [];
    for (const stamp of stamps) {
      const entry = this.#entries.get(stamp.key);
      if (entry && compareStamps(stamp, entry.newest) <= 0) {
        // An older evaluation's document may still raise the "previous" TCB Info (bookkeeping for the grace period).
        if (
          stamp.document !== "crl" &&
          stamp.number < entry.newest.number &&
          (!entry.previous || compareStamps(stamp, entry.previous) > 0)
        ) {
          await this.#write({ newest: entry.newest, previous: stamp }, stamp.key);
        }
        continue;
      }
      let previous = entry?.previous;
      if (entry && stamp.document !== "crl" && entry.newest.number < stamp.number) previous = entry.newest;
      await this.#write({ newest: stamp, ...(previous ? { previous } : {}) }, stamp.key);
      moved.push(stamp);
    }
    return moved;
  }

  async #write(entry: FloorEntry, key: string): Promise<void> {
    await this.#db.execute(
      `INSERT INTO node_collateral_floor (floor_key, stamp_json, previous_json, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (floor_key) DO UPDATE SET stamp_json = excluded.stamp_json, previous_json = excluded.previous_json, updated_at = excluded.updated_at`,
      [key, toJson(entry.newest), entry.previous ? toJson(entry.previous) : null, this.#now()],
    );
    this.#entries.set(key, entry);
  }
}
