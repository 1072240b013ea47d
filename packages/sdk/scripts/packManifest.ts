// npm pack / npm publish of @keepledger/sdk. In the repository the package's exports point at its
// TypeScript sources (Node strips their types: a workspace package resolves to its real path, outside
// node_modules); an installed package must point at the compiled dist/. `publish` (prepack) swaps
// package.json for the published manifest, keeping the repository's one as package.json.repo;
// `restore` (postpack) puts it back. `check` fails when a swap was left behind.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const manifest = fileURLToPath(new URL("../package.json", import.meta.url));
const saved = `${manifest}.repo`;

/** "./src/x.ts" → the compiled file and its declarations under dist/. */
function compiled(target: string): { types: string; default: string } {
  if (!target.startsWith("./src/") || !target.endsWith(".ts")) throw new Error(`unexpected export target ${target}`);
  const base = `./dist/${target.slice("./src/".length, -".ts".length)}`;
  return { types: `${base}.d.ts`, default: `${base}.js` };
}

export function publishedManifest(repo: Record<string, unknown>): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  for (const [path, target] of Object.entries(repo.exports as Record<string, string>)) {
    exports[path] = target.endsWith(".ts") ? compiled(target) : target;
  }
  const { scripts: _scripts, ...rest } = repo;
  return { ...rest, exports };
}

function main(command: string | undefined): void {
  if (command === "publish") {
    if (existsSync(saved)) throw new Error(`${saved} exists: a previous pack did not restore package.json (run with "restore")`);
    const text = readFileSync(manifest, "utf8");
    writeFileSync(saved, text);
    writeFileSync(manifest, JSON.stringify(publishedManifest(JSON.parse(text) as Record<string, unknown>), null, 2) + "\n");
  } else if (command === "restore") {
    if (existsSync(saved)) renameSync(saved, manifest);
  } else if (command === "check") {
    if (existsSync(saved)) {
      console.error(`${saved} exists: package.json is the published manifest; run "node packages/sdk/scripts/packManifest.ts restore"`);
      process.exit(1);
    }
  } else {
    console.error("usage: packManifest.ts publish|restore|check");
    process.exit(2);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv[2]);
