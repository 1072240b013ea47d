/**
 * No module-level mutable state in src/ (issue 11, STYLE.md: "Caches are objects passed in through
 * options (bounded by size and age), never module-level state"). A cache or registry at the top of a
 * module is shared by every caller in the process, unbounded unless someone remembers to bound it, and
 * invisible in the signatures of the functions that use it; it belongs in an object the process owner
 * creates (a VerifierContext, the node's server) and passes in.
 *
 * Scanned with the TypeScript parser, top-level statements only:
 * - `let` / `var` declarations;
 * - `const x = new Map | Set | WeakMap | WeakSet | BoundedCache(…)`, unless declared `ReadonlyMap` /
 *   `ReadonlySet` (then the compiler refuses every write: a constant table, not state).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");
/** The light SDK package (packages/sdk) is part of the same source. */
const SDK_SRC = join(ROOT, "packages", "sdk", "src");

/** Process entry points may hold the process's state: they own the process. */
const ENTRY_POINTS = new Set(["src/cli/main.ts"]);

/** `file: name` → why it is not mutable state in the sense above. Keep this short; every entry is justified. */
const ALLOWED: Readonly<Record<string, string>> = {
  "packages/sdk/src/errors/catalogue.ts: registry":
    "the catalogue of error-code declarations, each a constant written by defineErrorCodes when its module is imported; it only grows, a conflicting re-declaration throws, nothing derived from input or time is ever stored, and there is nothing to bound or invalidate (it is the import graph, as data). Not a cache.",
  "src/pki/freshness/collateralStamp.ts: crlNumbers":
    "a WeakMap memo of a pure function (the cRLNumber extension) of an immutable ParsedCrl: an entry lives exactly as long as the CRL object its caller holds, so it is bounded by the caller's own objects and can never be stale or observed.",
  "src/pki/freshness/collateralStamp.ts: keyIds":
    "a WeakMap memo of a pure function (the SHA-256 of the SubjectPublicKeyInfo) of an immutable ParsedCertificate, as crlNumbers is of a CRL: an entry lives exactly as long as the certificate object its caller holds, so it is bounded by the caller's own objects and can never be stale or observed.",
  "src/pki/ocsp/ocspResponse.ts: certIdHashes":
    "a WeakMap memo of a pure function (the OCSP CertID hashes of its name and key) of an immutable ParsedCertificate: an entry lives exactly as long as the certificate object its caller holds, and can never be stale or observed.",
  "src/tee/dcap/appraisalMemo.ts: documentIds":
    "a WeakMap memo of a pure function (the SHA-256 content id) of an immutable recognized Intel document (SignedIntelJson): bounded by the collateral objects its caller holds, never stale or observed.",
  "src/collateral/parsedIntelBody.ts: handoffs":
    "a WeakMap from a recognized Intel document's body bytes (created by the recognizer, held by the document) to the parse of exactly those bytes, taken once by the first verifier that reads them: bounded by the caller's collateral objects, never stale, and what it holds is what that verifier would have parsed itself.",
  "src/collateral/recognizeEndorsementKeys.ts: importedKeys":
    "a WeakMap from a recognized CPAK's SPKI bytes (created by the recognizer, held by the collateral set) to the key imported from exactly those bytes, taken once by the first verifier that imports them, as parsedIntelBody.ts hands over a parse: bounded by the caller's collateral objects, never stale, and what it holds is the key that verifier would have imported itself.",
  "src/api/fastArguments.ts: shapes":
    "a WeakMap memo of a pure function (field positions, whether only named fields matter) of a GraphQL input object type, which a built schema never changes; bounded by the schema its owner holds.",
  "src/api/sqlQuery.ts: keysCache":
    "a WeakMap memo of the filter keys of an immutable EntityType (a pure function of it); bounded by the lifetime of the entity model its owner holds.",
};

const COLLECTIONS = new Set(["Map", "Set", "WeakMap", "WeakSet", "BoundedCache"]);
const READONLY_TYPES = new Set(["ReadonlyMap", "ReadonlySet"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** `file: name` of every top-level declaration that is mutable state by the rules above. */
export function moduleState(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const decl of list.declarations) {
      const name = decl.name.getText(source);
      if (!isConst) {
        found.push(`${file}: ${name}`);
        continue;
      }
      const init = decl.initializer;
      if (!init || !ts.isNewExpression(init) || !ts.isIdentifier(init.expression) || !COLLECTIONS.has(init.expression.text)) continue;
      const type = decl.type;
      const readOnly =
        type !== undefined && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && READONLY_TYPES.has(type.typeName.text);
      if (!readOnly) found.push(`${file}: ${name}`);
    }
  }
  return found;
}

describe("module-level mutable state in src/", () => {
  const files = [...sourceFiles(SRC), ...sourceFiles(SDK_SRC)].map((path) => relative(ROOT, path).split("\\").join("/"));

  it("there is none outside process entry points, except the justified allow-list", () => {
    const found = files.filter((f) => !ENTRY_POINTS.has(f)).flatMap((f) => moduleState(f, readFileSync(join(ROOT, f), "utf8")));
    expect(found.filter((entry) => !(entry in ALLOWED))).toEqual([]);
  });

  it("every allow-list entry still exists (a stale entry would silently allow a new one of that name)", () => {
    const found = new Set(files.flatMap((f) => moduleState(f, readFileSync(join(ROOT, f), "utf8"))));
    expect(Object.keys(ALLOWED).filter((entry) => !found.has(entry))).toEqual([]);
  });

  it.each([
    { name: "a top-level let", text: "let cached: number | undefined;", want: ["x.ts: cached"] },
    { name: "a top-level Map", text: "const cache = new Map<string, number>();", want: ["x.ts: cache"] },
    { name: "a WeakMap", text: "const memo = new WeakMap<object, string>();", want: ["x.ts: memo"] },
    { name: "a module-level BoundedCache", text: "const c = new BoundedCache({ maxEntries: 1, maxAgeMs: 1 });", want: ["x.ts: c"] },
    { name: "a read-only constant table", text: "const CODES: ReadonlySet<string> = new Set(['A']);", want: [] },
    { name: "a Map inside a function", text: "export function f() { const m = new Map(); let n = 0; return [m, n]; }", want: [] },
  ])("finds $name", ({ text, want }) => {
    expect(moduleState("x.ts", text)).toEqual(want);
  });
});
