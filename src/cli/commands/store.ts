/**
 * `keepledger store backup <file> (--config <node.json> | --store <setting>)` and
 * `keepledger store restore <file> (--config <node.json> | --store <setting>)`: an online backup of a
 * SQLite store (the node may keep running) and its restore onto a path that holds no store yet
 * (src/store/sqliteBackup.ts). PostgreSQL stores are backed up with pg_dump (docs/operator-guide.md).
 */
import type { Command } from "commander";
import { isKeepledgerError, UsageError } from "@keepledger/sdk/internal/errors/index";
import { loadNodeConfig } from "../../node/config/loadNodeConfig.ts";
import { backupSqliteStore, restoreSqliteStore, type SqliteBackupResult } from "../../store/sqliteBackup.ts";
import { CLI_CODES } from "../codes.ts";

interface StoreOptions {
  config?: string;
  store?: string;
  json?: boolean;
}

/** The SQLite file a node configuration or a store setting names. */
async function sqlitePath(opts: StoreOptions): Promise<string> {
  if ((opts.config === undefined) === (opts.store === undefined)) {
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "give exactly one of --config <node.json> and --store <setting>");
  }
  const setting = opts.store ?? (await loadNodeConfig(opts.config!)).store;
  if (/^postgres(ql)?:\/\//.test(setting)) {
    throw new UsageError(
      CLI_CODES.CLI_BAD_OPTION,
      "the store is PostgreSQL: back it up with pg_dump (docs/operator-guide.md, Backup and restore)",
    );
  }
  if (setting === ":memory:" || setting === "sqlite::memory:")
    throw new UsageError(CLI_CODES.CLI_BAD_OPTION, "an in-memory store has nothing to back up");
  return setting.startsWith("sqlite:") ? setting.slice("sqlite:".length) : setting;
}

function report(result: SqliteBackupResult, verb: string, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify(result));
  else {
    const versions =
      Object.entries(result.versions)
        .map(([c, v]) => `${c} v${v}`)
        .join(", ") || "no schema versions recorded";
    console.log(`${verb} ${result.path}: ${result.bytes} bytes, integrity ok, ${versions}`);
  }
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isKeepledgerError(error)) throw error;
    console.error(`${error.code}: ${error.message}`);
    process.exitCode = error.stage === "usage" ? 2 : 1;
  }
}

export function registerStoreCommand(program: Command): void {
  const store = program.command("store").description("back up and restore a validator node's SQLite store");
  store
    .command("backup <file>")
    .description("copy the store to a new file while the node may keep running (SQLite online backup), then check the copy")
    .option("--config <node.json>", "the node's configuration (its store setting)")
    .option("--store <setting>", "the store: a SQLite file path or sqlite:<path>")
    .option("--json", "print the result as JSON")
    .action((file: string, opts: StoreOptions) =>
      run(async () => report(await backupSqliteStore(await sqlitePath(opts), file), "backed up to", opts.json)),
    );
  store
    .command("restore <file>")
    .description("check a backup and copy it to the store path, which must not exist yet (a fresh data directory)")
    .option("--config <node.json>", "the node's configuration (its store setting)")
    .option("--store <setting>", "the store: a SQLite file path or sqlite:<path>")
    .option("--json", "print the result as JSON")
    .action((file: string, opts: StoreOptions) =>
      run(async () => report(await restoreSqliteStore(file, await sqlitePath(opts)), "restored to", opts.json)),
    );
}
