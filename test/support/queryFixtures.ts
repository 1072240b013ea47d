import { readdirSync, readFileSync } from "node:fs";

/** The auditor queries of test/fixtures/queries/ (docs/auditor-guide.md). */
export const QUERY_FIXTURES_DIR = new URL("../fixtures/queries/", import.meta.url).pathname;

export interface QueryFixture {
  name: string;
  query: string;
  /** From `<name>.variables.json`, or none. */
  variables: Record<string, unknown>;
  /** Where the expected answer is kept: `<name>.expected.json`. */
  expectedPath: string;
}

/** Every `<name>.graphql` of the fixtures directory, in name order, with its variables. */
export function readQueryFixtures(dir = QUERY_FIXTURES_DIR): QueryFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .sort()
    .map((f) => {
      const name = f.replace(/\.graphql$/, "");
      let variables: Record<string, unknown> = {};
      try {
        variables = JSON.parse(readFileSync(`${dir}${name}.variables.json`, "utf8")) as Record<string, unknown>;
      } catch {
        // No variables file: the query takes none.
      }
      return { name, query: readFileSync(`${dir}${f}`, "utf8"), variables, expectedPath: `${dir}${name}.expected.json` };
    });
}
