import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Root of the copied vectors; tests never read ../shared. */
export const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function fixtureBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(...parts)));
}

export function fixtureText(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), "utf8");
}

export interface ExpectedJson {
  verify_at: string;
  validity_window: { not_before: string; not_after: string };
  expected_result: "accept" | "reject";
  expected_reject_reason: string | null;
  [key: string]: unknown;
}

export function expectedOf(kind: string, set: string): ExpectedJson {
  return JSON.parse(fixtureText(kind, set, "expected.json")) as ExpectedJson;
}

/** Every set of a kind that has an expected.json. */
export function setsOf(kind: string): string[] {
  return readdirSync(fixturePath(kind)).filter((d) => {
    try {
      readFileSync(fixturePath(kind, d, "expected.json"));
      return true;
    } catch {
      return false;
    }
  });
}
