import { UsageError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { defineErrorCodes } from "@keepledger/sdk/internal/errors/catalogue";
import type { Database } from "./Database.ts";
import { openPostgresDatabase } from "./postgresDatabase.ts";
import { openSqliteDatabase } from "./sqliteDatabase.ts";

export const STORE_CODES = defineErrorCodes("store", {
  DATABASE_URL_INVALID: {
    stage: "usage",
    description: "The database setting is neither a file path / sqlite: URL nor a postgres:// URL.",
  },
});

/**
 * Opens a store from a setting: `postgres://…` / `postgresql://…` for
 * PostgreSQL, `sqlite:<path>`, `:memory:` or a plain file path for SQLite.
 */
export function openDatabase(setting: string): Database {
  if (/^postgres(ql)?:\/\//.test(setting)) return openPostgresDatabase(setting);
  if (setting === ":memory:" || setting === "sqlite::memory:") return openSqliteDatabase(":memory:");
  if (setting.startsWith("sqlite:")) return openSqliteDatabase(setting.slice("sqlite:".length));
  if (/^[a-z]+:\/\//i.test(setting)) {
    throw new UsageError(STORE_CODES.DATABASE_URL_INVALID, `unsupported database URL ${setting.replace(/\/\/.*@/, "//***@")}`, {
      details: { want: "postgres://user:password@host/db, sqlite:<path> or a file path" },
    });
  }
  return openSqliteDatabase(setting);
}

export type { Database };
