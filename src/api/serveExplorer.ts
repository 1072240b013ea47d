/**
 * The registry explorer's static files (built by scripts/build-explorer.ts into dist/explorer) at
 * /explorer/. Only the files of that one folder, by exact name: no directory listing, no path that
 * leaves it. A strict Content-Security-Policy: the pages load nothing but their own files and talk
 * only to this origin's /graphql.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ServerResponse } from "node:http";

export const EXPLORER_PATH = "/explorer";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whether the path is the explorer's; answers it (a redirect, a file or 404). */
export async function serveExplorer(dir: string | undefined, pathname: string, method: string, res: ServerResponse): Promise<boolean> {
  if (pathname !== EXPLORER_PATH && !pathname.startsWith(`${EXPLORER_PATH}/`)) return false;
  if (pathname === EXPLORER_PATH) {
    // Relative URLs in index.html resolve against /explorer/.
    res.writeHead(301, { location: `${EXPLORER_PATH}/` });
    res.end();
    return true;
  }
  const name = pathname.slice(EXPLORER_PATH.length + 1) || "index.html";
  const type = TYPES[name.slice(name.lastIndexOf("."))];
  const notFound = (message: string) => {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end(message);
  };
  if (dir === undefined) {
    notFound("the explorer is not built into this installation (npm run build:explorer builds it into dist/explorer)\n");
    return true;
  }
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$/.test(name) || type === undefined || (method !== "GET" && method !== "HEAD")) {
    notFound(`nothing at ${pathname}\n`);
    return true;
  }
  const body = await readFile(join(dir, name)).catch(() => null);
  if (body === null) {
    notFound(`nothing at ${pathname}\n`);
    return true;
  }
  res.writeHead(200, {
    "content-type": type,
    "content-length": body.length,
    "cache-control": "no-cache",
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  res.end(method === "HEAD" ? undefined : body);
  return true;
}
