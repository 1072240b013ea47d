/**
 * The dev vectors shipped in data/dev-vectors are copies of test/fixtures, where the verification tests
 * read them: every set keepledger dev seeds must hold exactly its fixture's files, byte for byte, so the
 * demo never seeds something the tests did not check. (Copies rather than one folder: three dozen tests,
 * benches, the fuzzer and the docs name test/fixtures/<kind>/<set>, and the fixtures layout is the house
 * one; the copy is the release artifact, pinned here.) And the package ships the folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_VECTOR_SETS, DEV_VECTORS_DIR, demoVectors } from "../../src/dev/demoVectors.ts";
import { fixturePath } from "../support/fixtures.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("the dev vectors that ship with the package", () => {
  it.each(DEV_VECTOR_SETS.map((s) => [s]))("%s is its test fixture, byte for byte", (set) => {
    const shipped = join(DEV_VECTORS_DIR, set);
    const fixture = fixturePath(set);
    expect(readdirSync(shipped).sort(), `files of data/dev-vectors/${set} vs test/fixtures/${set}`).toEqual(readdirSync(fixture).sort());
    for (const f of readdirSync(fixture)) {
      expect(
        readFileSync(join(shipped, f)).equals(readFileSync(join(fixture, f))),
        `data/dev-vectors/${set}/${f} differs from test/fixtures/${set}/${f}; copy the fixture over it`,
      ).toBe(true);
    }
  });

  it("holds only the sets keepledger dev seeds, and those are what it seeds", () => {
    const kinds = readdirSync(DEV_VECTORS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory());
    const sets = kinds.flatMap((k) => readdirSync(join(DEV_VECTORS_DIR, k.name)).map((s) => `${k.name}/${s}`));
    expect(sets.sort()).toEqual([...DEV_VECTOR_SETS].sort());
    // The test composite's set seeds two workloads: the GPU alone and the composite.
    expect([...new Set(demoVectors().map((v) => v.source))].sort()).toEqual(DEV_VECTOR_SETS.map((s) => `data/dev-vectors/${s}`).sort());
  });

  it("is in the package's files, and read relative to the package, not the working directory", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("data/dev-vectors");
    expect(DEV_VECTORS_DIR).toBe(join(ROOT, "data", "dev-vectors") + "/");
  });
});
