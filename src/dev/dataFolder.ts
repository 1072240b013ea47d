/**
 * The dev data folder (default .keepledger/dev): the registry index, the nodes' stores, the deployment
 * and the sample request. Everything in it derives from the in-process chain, which lives in memory:
 * a second start finds it stale and clears it. A marker file says the folder is ours; a folder without
 * one is never written to nor cleared unless it is empty. Nothing outside the folder is ever deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { DEV_CODES } from "./codes.ts";

export const DEV_MARKER = ".keepledger-dev.json";

/** What a run writes: all of it derives from the chain of that run. */
const CHAIN_DERIVED = /^(deployment\.json|registry\.db(-wal|-shm|-journal)?|node-\d+|sample-.*)$/;

export interface DevMarker {
  kind: "keepledger-dev";
  /** When the run that last used the folder started (ISO). */
  startedAt: string;
  /** That run's AttestationRegistry, when it got that far. */
  attestationRegistry?: string;
}

export interface PrepareDataFolderResult {
  dir: string;
  /** What was done, as one line for people (undefined: nothing to do). */
  note?: string;
}

function readMarker(dir: string): DevMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, DEV_MARKER), "utf8")) as DevMarker;
    return m.kind === "keepledger-dev" ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the folder is ours (or empty or new), clears what a previous run left, writes the marker. */
export function prepareDataFolder(path: string, options: { reset?: boolean; now?: Date } = {}): PrepareDataFolderResult {
  const dir = resolve(path);
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  const marker = entries.length > 0 ? readMarker(dir) : undefined;
  if (entries.length > 0 && !marker) {
    throw new UsageError(
      DEV_CODES.DEV_DATA_FOLDER_FOREIGN,
      `${dir} is not empty and is not a keepledger dev data folder (no ${DEV_MARKER}); refusing to use or clear it — pass an empty or new folder with --data <dir>`,
      {
        details: { got: dir },
      },
    );
  }
  let note: string | undefined;
  // Without --reset only what a run writes goes (other files a user put there stay).
  const leftovers = entries.filter((e) => e !== DEV_MARKER && (options.reset || CHAIN_DERIVED.test(e)));
  if (leftovers.length > 0) {
    // Only names inside `dir`, one level down: rmSync never leaves the folder.
    for (const e of leftovers) rmSync(join(dir, e), { recursive: true, force: true });
    note = options.reset
      ? `--reset: wiped the data folder ${dir}`
      : `cleared stale data in ${dir} (index, node stores, deployment from the run started ${marker!.startedAt}): the in-process chain starts empty on every run`;
  }
  mkdirSync(dir, { recursive: true });
  writeMarker(dir, { kind: "keepledger-dev", startedAt: (options.now ?? new Date()).toISOString() });
  return { dir, ...(note ? { note } : {}) };
}

export function writeMarker(dir: string, marker: DevMarker): void {
  writeFileSync(join(dir, DEV_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}
