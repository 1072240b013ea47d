/** Hash routes (#/verdicts?tee=sgx, #/verdict/<id>): any static host serves the explorer, no server routing. */
import type { Child } from "./dom.ts";

export interface Rendered {
  title: string;
  body: Child[];
}

/** A page: the route's query parameters and its id segment → what to show; `onLeave` registers cleanup. */
export type Page = (params: URLSearchParams, id: string | undefined, onLeave: (cleanup: () => void) => void) => Promise<Rendered>;

export interface Route {
  path: string;
  params: URLSearchParams;
  id: string | undefined;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/verdicts";
  const [pathPart, queryPart] = raw.split("?", 2) as [string, string | undefined];
  const segments = pathPart.split("/").filter(Boolean);
  return {
    path: `/${segments[0] ?? "verdicts"}`,
    id: segments[1] ? decodeURIComponent(segments[1]) : undefined,
    params: new URLSearchParams(queryPart ?? ""),
  };
}
