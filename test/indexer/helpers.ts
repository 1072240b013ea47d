/** Shared helpers of the indexer tests: entity dumps to compare two indexes, and chain sources that misbehave. */
import { entityModel, q } from "../../src/indexer/entityModel.ts";
import type { ChainSource } from "../../src/indexer/chainSource.ts";
import type { Database } from "../../src/store/Database.ts";

/** Every entity version (with its block range) of every table, sorted: two indexes of one chain must agree. */
export async function dumpEntities(db: Database, options: { currentOnly?: boolean } = {}): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const e of entityModel().entities) {
    const cols = e.stored.map((f) => q(f.name)).join(", ");
    const where = options.currentOnly ? `WHERE "_block_to" IS NULL` : "";
    out[e.name] = await db.query(`SELECT "_block_from", "_block_to", ${cols} FROM ${e.table} ${where} ORDER BY "id", "_block_from"`);
    out[e.name] = (out[e.name] as Record<string, unknown>[]).map((r) => ({ ...r }));
  }
  return out;
}

export interface RecordingSource extends ChainSource {
  calls: { method: string; params?: unknown }[];
}

/** Records every request; `intercept` may throw or answer instead of the chain. */
export function recordingSource(
  inner: ChainSource,
  intercept?: (args: { method: string; params?: unknown }, n: number) => unknown,
): RecordingSource {
  const calls: { method: string; params?: unknown }[] = [];
  return {
    calls,
    async request(args) {
      calls.push(args);
      const answer = intercept?.(args, calls.length);
      if (answer !== undefined) return answer;
      return inner.request(args);
    },
  };
}
