/**
 * Where the registry explorer's built files are. An installed package ships them in dist/explorer
 * (npm run build:explorer, run by prepack); a checkout builds them from explorer/ with esbuild (a
 * devDependency) into .keepledger/explorer when the command starts, so what is served matches the
 * sources. Neither fetches anything at run time. Undefined when neither is possible: /explorer/ then
 * says it is not built.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export async function explorerDir(): Promise<string | undefined> {
  const sources = join(packageRoot, "explorer", "src");
  const builder = join(packageRoot, "scripts", "build-explorer.ts");
  if (existsSync(sources) && existsSync(builder)) {
    const out = join(packageRoot, ".keepledger", "explorer");
    try {
      // A path computed at run time: the published build (rootDir src) never includes scripts/.
      const { buildExplorer } = (await import(pathToFileURL(builder).href)) as { buildExplorer(dir: string): Promise<unknown> };
      await buildExplorer(out);
      return out;
    } catch {
      // esbuild missing (a production install of a checkout): fall back to a build shipped in dist/.
    }
  }
  const built = join(packageRoot, "dist", "explorer");
  return existsSync(join(built, "index.html")) ? built : undefined;
}
