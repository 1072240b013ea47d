/**
 * The table "Rooms and the imports between them" in docs/architecture.md and the layer rules that
 * dependency-cruiser enforces (.dependency-cruiser.mjs, ROOMS) are the same table: this parses the
 * Markdown and compares it with the config row for row, so neither can change without the other.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface LayerConfig {
  FLOOR: string[];
  ROOMS: Record<string, string[]>;
  default: { forbidden: { name: string }[] };
}

async function loadConfig(): Promise<LayerConfig> {
  const url = pathToFileURL(resolve(ROOT, ".dependency-cruiser.mjs")).href;
  return (await import(url)) as LayerConfig;
}

interface Row {
  room: string;
  mayImport: string;
}

/** The rows of the table under "## Rooms and the imports between them", in order (bottom first). */
function tableRows(markdown: string): Row[] {
  const section = markdown.split(/^## Rooms and the imports between them\s*$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error("docs/architecture.md has no section 'Rooms and the imports between them'");
  const rows: Row[] = [];
  for (const line of section.split("\n")) {
    const cells = line
      .trim()
      .match(/^\|(.*)\|$/)?.[1]
      ?.split("|")
      .map((c) => c.trim());
    if (cells === undefined || cells.length < 2 || cells[0] === "room" || /^-+$/.test(cells[0]!)) continue;
    rows.push({ room: cells[0]!, mayImport: cells[1]! });
  }
  return rows;
}

/** `src/verify/` → verify; `src/index.ts` → index.ts (the names ROOMS uses). */
function roomName(cell: string): string {
  const m = cell.match(/^`src\/([A-Za-z]+\/|index\.ts)`$/);
  if (m === null) throw new Error(`unexpected room cell: ${cell}`);
  return m[1]!.replace(/\/$/, "");
}

/** The "may import" cell as a set of rooms: `nothing in src/`, `the floor`, `every room`, `name`s. */
function mayImport(cell: string, floor: string[], roomsBelow: string[]): string[] {
  if (cell === "nothing in `src/`") return [];
  if (cell === "every room") return roomsBelow;
  const out: string[] = [];
  for (const part of cell.split(",").map((p) => p.trim())) {
    if (part === "the floor") out.push(...floor);
    else if (/^`[A-Za-z]+`$/.test(part)) out.push(part.slice(1, -1));
    else throw new Error(`unexpected entry in a 'may import' cell: ${part}`);
  }
  return out;
}

const markdown = readFileSync(resolve(ROOT, "docs/architecture.md"), "utf8");

describe("docs/architecture.md room table = .dependency-cruiser.mjs", () => {
  it("names the same rooms in the same order, and the same floor", async () => {
    const { ROOMS, FLOOR } = await loadConfig();
    expect(tableRows(markdown).map((r) => roomName(r.room))).toEqual(Object.keys(ROOMS));
    const floorSentence = markdown.match(/The floor is ((?:`src\/[a-z]+\/`(?:,\s+|\s+and\s+)?)+)/)?.[1];
    expect(floorSentence, "the sentence naming the floor").toBeDefined();
    expect([...floorSentence!.matchAll(/`src\/([a-z]+)\/`/g)].map((m) => m[1]).sort()).toEqual([...FLOOR].sort());
  });

  it("gives every room the same imports as the config", async () => {
    const { ROOMS, FLOOR } = await loadConfig();
    const below: string[] = [];
    for (const row of tableRows(markdown)) {
      const room = roomName(row.room);
      expect({ room, mayImport: mayImport(row.mayImport, FLOOR, [...below]).sort() }).toEqual({
        room,
        mayImport: [...(ROOMS[room] ?? [])].sort(),
      });
      if (room !== "index.ts") below.push(room);
    }
  });

  it("only points down: every room imports only rooms in earlier rows, so rooms cannot form a cycle", async () => {
    const { ROOMS } = await loadConfig();
    const seen = new Set<string>();
    for (const [room, allowed] of Object.entries(ROOMS)) {
      expect({ room, above: allowed.filter((r) => !seen.has(r)) }).toEqual({ room, above: [] });
      seen.add(room);
    }
  });

  it("has a row for every folder and file directly under src/ and packages/sdk/src/ (the SDK package's part of the rooms)", async () => {
    const { ROOMS } = await loadConfig();
    const names = new Set([...readdirSync(resolve(ROOT, "src")), ...readdirSync(resolve(ROOT, "packages/sdk/src"))]);
    expect([...names].sort()).toEqual(Object.keys(ROOMS).sort());
  });

  it("enforces one rule per row, plus the rules for cycles, strays, tests, TEE parsers and the SDK package (light, browser-safe, without viem and ethers)", async () => {
    const config = await loadConfig();
    expect(config.default.forbidden.map((r) => r.name).sort()).toEqual(
      [
        ...Object.keys(config.ROOMS).map((room) => `room-${room}`),
        "room-unknown",
        "no-cycle-between-rooms",
        "src-not-tests",
        "unit-tests-only-test-support",
        "not-to-unresolvable",
        "tee-parse-not-verify",
        "sdk-tee-facts-only",
        "tee-facts-pure",
        "sdk-package-self-contained",
        "sdk-package-browser-safe",
        "sdk-package-light",
        "sdk-package-no-viem-ethers",
      ].sort(),
    );
  });
});
