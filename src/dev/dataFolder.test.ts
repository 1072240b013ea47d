import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { DEV_MARKER, prepareDataFolder } from "./dataFolder.ts";

const made: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), "kl-devdata-"));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A folder as a run leaves it: marker, deployment, index, node stores, sample, plus a user's file. */
function previousRun(dir: string): void {
  writeFileSync(join(dir, DEV_MARKER), JSON.stringify({ kind: "keepledger-dev", startedAt: "2026-01-01T00:00:00.000Z" }));
  for (const f of ["deployment.json", "registry.db", "registry.db-wal", "sample-request.json", "notes.txt"])
    writeFileSync(join(dir, f), "x");
  mkdirSync(join(dir, "node-0"));
  writeFileSync(join(dir, "node-0", "node.db"), "x");
}

describe("prepareDataFolder", () => {
  it("creates a new folder with the marker and says nothing", () => {
    const dir = join(temp(), "a", "b");
    const r = prepareDataFolder(dir, { now: new Date("2026-02-02T00:00:00Z") });
    expect(r).toEqual({ dir });
    expect(JSON.parse(readFileSync(join(dir, DEV_MARKER), "utf8"))).toEqual({
      kind: "keepledger-dev",
      startedAt: "2026-02-02T00:00:00.000Z",
    });
  });

  it("clears what a previous run wrote, keeps other files, and says so in one line", () => {
    const dir = temp();
    previousRun(dir);
    const r = prepareDataFolder(dir);
    expect(r.note).toBe(
      `cleared stale data in ${dir} (index, node stores, deployment from the run started 2026-01-01T00:00:00.000Z): the in-process chain starts empty on every run`,
    );
    for (const f of ["deployment.json", "registry.db", "registry.db-wal", "sample-request.json", "node-0"])
      expect(existsSync(join(dir, f)), f).toBe(false);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("x");
  });

  it("--reset wipes the whole folder but keeps the folder itself and a fresh marker", () => {
    const dir = temp();
    previousRun(dir);
    const r = prepareDataFolder(dir, { reset: true });
    expect(r.note).toBe(`--reset: wiped the data folder ${dir}`);
    expect(existsSync(join(dir, "notes.txt"))).toBe(false);
    expect(existsSync(join(dir, DEV_MARKER))).toBe(true);
  });

  it.each([
    { name: "no marker", marker: undefined },
    { name: "a marker of something else", marker: JSON.stringify({ kind: "other" }) },
    { name: "a marker that is not JSON", marker: "{" },
  ])("refuses a non-empty folder with $name, even with --reset, and touches nothing", ({ marker }) => {
    const parent = temp();
    const dir = join(parent, "data");
    mkdirSync(dir);
    writeFileSync(join(dir, "registry.db"), "theirs");
    if (marker !== undefined) writeFileSync(join(dir, DEV_MARKER), marker);
    let error: unknown;
    try {
      prepareDataFolder(dir, { reset: true });
    } catch (e) {
      error = e;
    }
    expect(isKeepledgerError(error) && error.code).toBe("DEV_DATA_FOLDER_FOREIGN");
    expect((error as Error).message).toBe(
      `${dir} is not empty and is not a keepledger dev data folder (no ${DEV_MARKER}); refusing to use or clear it — pass an empty or new folder with --data <dir>`,
    );
    expect(readFileSync(join(dir, "registry.db"), "utf8")).toBe("theirs");
  });
});
