// `npm run build:explorer` (run by prepack): bundles the registry explorer (explorer/) with esbuild into
// dist/explorer/ — index.html, app.js, style.css, nothing fetched from elsewhere at run time — which
// `keepledger serve`, `keepledger index --serve` and `keepledger dev` serve at /explorer.
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const EXPLORER_SOURCE = join(root, "explorer");
export const EXPLORER_FILES = ["index.html", "app.js", "style.css"];

/** Builds the explorer into `outDir` (replacing it); returns each file's size in bytes. */
export async function buildExplorer(outDir: string): Promise<Record<string, number>> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(EXPLORER_SOURCE, "src", "main.ts")],
    outfile: join(outDir, "app.js"),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    logLevel: "warning",
  });
  await build({
    entryPoints: [join(EXPLORER_SOURCE, "style.css")],
    outfile: join(outDir, "style.css"),
    minify: true,
    logLevel: "warning",
  });
  await copyFile(join(EXPLORER_SOURCE, "index.html"), join(outDir, "index.html"));
  const sizes: Record<string, number> = {};
  for (const f of EXPLORER_FILES) sizes[f] = (await stat(join(outDir, f))).size;
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(root, "dist", "explorer");
  const sizes = await buildExplorer(out);
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  // stderr: `npm pack --json` runs this in prepack, and its stdout must stay JSON.
  console.error(
    `explorer built into dist/explorer/: ${Object.entries(sizes)
      .map(([f, s]) => `${f} ${s} B`)
      .join(", ")} (${total} B)`,
  );
}
