/** SQL text and values as node:sqlite takes them (shared by the store and its writer thread). */
import type { SQLInputValue } from "node:sqlite";

/** `$1` → `?1`: SQLite's numbered parameters bind positionally like PostgreSQL's. */
export function toSqlite(sql: string): string {
  return sql.replace(/\$(\d+)/g, "?$1");
}

export function bindable(params: readonly unknown[]): SQLInputValue[] {
  return params.map((p) => {
    if (p === undefined) return null;
    if (typeof p === "boolean") return p ? 1 : 0;
    if (p instanceof Buffer) return new Uint8Array(p);
    return p as SQLInputValue;
  });
}
