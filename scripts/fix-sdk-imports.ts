// `node scripts/fix-sdk-imports.ts [--check]`: keeps imports right across the split between src/ and the
// SDK package (packages/sdk/src/, same layout). For merging work written before the split:
// - outside packages/sdk, a relative import of src/<path> that now lives in packages/sdk/src/<path>
//   becomes "@keepledger/sdk/internal/<path without .ts>" (how src/ imports the package);
// - inside packages/sdk/src, a relative import that only exists under src/ is reported: that file has to
//   move into the package (with what it imports), or the import has to go — the package imports nothing
//   outside itself (.dependency-cruiser.mjs, sdk-package-self-contained).
// With --check it changes nothing and exits 1 when something would change or is reported.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PKG = "packages/sdk/";
const check = process.argv.includes("--check");
const IMPORT = /((?:from|import)\s*\(?\s*|vi\.mock\(\s*)(["'])(\.{1,2}\/[^"'\n]+\.ts)\2/g;

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => /\.(ts|mts|mjs)$/.test(f) && existsSync(join(root, f)));

let changed = 0;
const problems: string[] = [];
for (const file of files) {
  const text = readFileSync(join(root, file), "utf8");
  const out = text.replace(IMPORT, (whole, pre: string, quote: string, spec: string) => {
    const target = normalize(join(dirname(file), spec));
    if (existsSync(join(root, target))) return whole;
    if (file.startsWith(PKG)) {
      const outside = normalize(join(dirname(file.slice(PKG.length)), spec));
      if (existsSync(join(root, outside))) problems.push(`${file}: imports ${spec}, which is in ${outside} (outside the SDK package)`);
      return whole;
    }
    if (!target.startsWith("src/") || !existsSync(join(root, PKG, target))) return whole;
    return `${pre}${quote}@keepledger/sdk/internal/${relative("src", target).replace(/\.ts$/, "")}${quote}`;
  });
  if (out !== text) {
    changed++;
    if (check) problems.push(`${file}: imports moved modules by their old path`);
    else writeFileSync(join(root, file), out);
  }
}
for (const p of problems) console.error(p);
console.log(`${check ? "would rewrite" : "rewrote"} imports in ${changed} files; ${problems.length} problems`);
process.exit(problems.length > 0 ? 1 : 0);
