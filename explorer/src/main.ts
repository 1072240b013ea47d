/**
 * The keepledger registry explorer: pages over the public GraphQL API (nothing else), served at
 * /explorer by `keepledger serve`, `keepledger index --serve` and `keepledger dev`.
 */
import { h } from "./dom.ts";
import { livePage } from "./pages/live.ts";
import { revocationsPage, governancePage, validatorsPage } from "./pages/validators.ts";
import { verdictPage } from "./pages/verdict.ts";
import { verdictsPage } from "./pages/verdicts.ts";
import { workloadPage, workloadsPage } from "./pages/workloads.ts";
import { parseRoute, type Page } from "./router.ts";

const PAGES: Record<string, Page> = {
  "/verdicts": verdictsPage,
  "/verdict": verdictPage,
  "/workloads": workloadsPage,
  "/workload": workloadPage,
  "/validators": validatorsPage,
  "/revocations": revocationsPage,
  "/governance": governancePage,
  "/live": livePage,
};

/** Which navigation entry a route belongs to. */
const NAV_OF: Record<string, string> = { "/verdict": "/verdicts", "/workload": "/workloads" };

const cleanups: (() => void)[] = [];
let renders = 0;

async function render(): Promise<void> {
  const main = document.getElementById("main")!;
  for (const c of cleanups.splice(0)) c();
  const hash = location.hash;
  const route = parseRoute(hash);
  const page = PAGES[route.path];
  const nav = NAV_OF[route.path] ?? route.path;
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    if (a.getAttribute("href") === `#${nav}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const mine = ++renders;
  main.setAttribute("aria-busy", "true");
  let title: string;
  let body: HTMLElement[];
  try {
    if (!page) throw new Error(`no page ${route.path}`);
    const rendered = await page(route.params, route.id, (cleanup) => cleanups.push(cleanup));
    title = rendered.title;
    body = [h("div", {}, ...rendered.body)];
  } catch (error) {
    title = "Error";
    body = [h("p", { role: "alert", class: "error" }, error instanceof Error ? error.message : String(error))];
  }
  if (mine !== renders) return; // a later navigation won
  const heading = h("h1", { tabindex: -1 }, title);
  main.replaceChildren(heading, ...body);
  // Which route <main> shows: right after a navigation the old page is still there, not busy yet.
  main.dataset.rendered = hash;
  main.removeAttribute("aria-busy");
  document.title = `${title} · keepledger explorer`;
  // Moving focus to the new heading tells screen readers the page changed.
  if (renders > 1) heading.focus();
}

window.addEventListener("hashchange", () => void render());
void render();
