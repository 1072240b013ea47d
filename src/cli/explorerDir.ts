/**
 * Where the registry explorer's built files are. An installed package ships them in dist/explorer
 * (npm run build:explorer, run by prepack); a checkout builds them from explorer/ with esbuild (a
 * devDependency) when the command starts, so what is served matches the sources. Neither fetches
 * anything at run time. Undefined when neither is possible: /explorer/ then says it is not built.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The hash of every file a build reads: two commands started at once build into the same folder name. */
function sourcesHash(dirs: string[], files: string[]): string {
  const hash = createHash("sha256");
  const add = (path: string) => hash.update(path.slice(packageRoot.length)).update(readFileSync(path));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else add(join(dir, e.name));
    }
  };
  dirs.forEach(walk);
  files.forEach(add);
  return hash.digest("hex").slice(0, 16);
}

export async function explorerDir(): Promise<string | undefined> {
  const sources = join(packageRoot, "explorer");
  const builder = join(packageRoot, "scripts", "build-explorer.ts");
  if (existsSync(join(sources, "src")) && existsSync(builder)) {
    // Content-addressed and moved into place whole, so concurrent starts (tests run several) never
    // see a half-written folder; a source change gets a new folder.
    const out = join(packageRoot, ".keepledger", "explorer", sourcesHash([sources], [builder]));
    if (existsSync(join(out, "index.html"))) return out;
    const scratch = `${out}.${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      // A path computed at run time: the published build (rootDir src) never includes scripts/.
      const { buildExplorer } = (await import(pathToFileURL(builder).href)) as { buildExplorer(dir: string): Promise<unknown> };
      await buildExplorer(scratch);
      try {
        renameSync(scratch, out);
      } catch {
        rmSync(scratch, { recursive: true, force: true }); // another command put the same build in place first
      }
      if (existsSync(join(out, "index.html"))) return out;
    } catch {
      rmSync(scratch, { recursive: true, force: true });
      // esbuild missing (a production install of a checkout): fall back to a build shipped in dist/.
    }
  }
  const built = join(packageRoot, "dist", "explorer");
  return existsSync(join(built, "index.html")) ? built : undefined;
}
