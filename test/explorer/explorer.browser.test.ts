/**
 * The registry explorer in a real browser: Chromium from Debian's packages (installed by .ci/run; its path
 * in KEEPLEDGER_CHROMIUM, default /usr/bin/chromium) driven by playwright-core, against the dev network
 * started in this process (registry and chain on port 0), with the explorer built by
 * scripts/build-explorer.ts as `npm pack` builds it. Each page shows the seeded verdicts; a filter
 * narrows the list; a verdict submitted through a node appears on the live page; the pages work with the
 * keyboard and fit a 375 px screen. With UPDATE_SCREENSHOTS=1 it refreshes docs/img/explorer-*.png.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { JsonRpcProvider, Wallet } from "ethers";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExplorer } from "../../scripts/build-explorer.ts";
import { AttestationRegistry__factory } from "@keepledger/sdk/internal/chain/generated-ethers/index";
import { startDevNetwork, type DevNetwork } from "../../src/dev/startDevNetwork.ts";
import { requestAttestation } from "../../src/sdk/index.ts";
import { freeDevPorts } from "../dev/support/devPorts.ts";

const CHROMIUM = process.env.KEEPLEDGER_CHROMIUM ?? "/usr/bin/chromium";
/** The dev chain's first funded account: it deployed keepledger and governs it. */
const DEV_GOVERNOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1" ? new URL("../../docs/img/", import.meta.url).pathname : undefined;

const dirs: string[] = [];
let net: DevNetwork;
let browser: Browser;
let page: Page;
let bundleBytes: Record<string, number>;
let revoked: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set KEEPLEDGER_CHROMIUM`);
  const explorerDir = mkdtempSync(join(tmpdir(), "kl-explorer-"));
  const dataDir = mkdtempSync(join(tmpdir(), "kl-explorer-dev-"));
  dirs.push(explorerDir, dataDir);
  let t = performance.now();
  bundleBytes = await buildExplorer(explorerDir);
  console.info(`explorer built in ${Math.round(performance.now() - t)} ms: ${JSON.stringify(bundleBytes)}`);
  t = performance.now();
  const { node } = await freeDevPorts();
  net = await startDevNetwork({ dataDir, rpcPort: 0, nodePort: node, graphqlPort: 0, explorerDir });
  console.info(`dev network up in ${Math.round(performance.now() - t)} ms`);
  // One governance revocation, so the revocations page and the status filter have something to show.
  const tdx = net.seeded.find((s) => s.tee === "tdx")!;
  const provider = new JsonRpcProvider(net.rpcUrl, undefined, { staticNetwork: true });
  const registry = AttestationRegistry__factory.connect(
    net.deployment.contracts.attestationRegistry,
    new Wallet(DEV_GOVERNOR_KEY, provider),
  );
  await (await registry.revokeVerdict(tdx.verdictId, "explorer test: revoked by governance")).wait();
  provider.destroy();
  revoked = tdx.verdictId.toLowerCase();
  t = performance.now();
  browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false, args: ["--headless=new"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  console.info(`Chromium started in ${Math.round(performance.now() - t)} ms`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await net?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Waits until <main> shows the route in the address bar, rendered: right after a click or a URL change the
 * old page's <main> is still there and not busy yet, so "not busy" alone can match the page being left.
 */
async function settled(): Promise<void> {
  // A function, not a string: the explorer's CSP (script-src 'self') forbids the eval a string predicate needs.
  await page.waitForFunction(() => {
    const { document, location } = globalThis as unknown as {
      document: { getElementById(id: string): { hasAttribute(name: string): boolean; dataset: Record<string, string | undefined> } | null };
      location: { hash: string };
    };
    const main = document.getElementById("main");
    return main !== null && !main.hasAttribute("aria-busy") && main.dataset.rendered === location.hash;
  });
}

/** Opens a route and waits until the page rendered its data (or an error). */
async function open(route: string): Promise<void> {
  await page.goto(`${net.explorerUrl}#${route}`);
  await settled();
  const alert = page.locator("main [role=alert]");
  if ((await alert.count()) > 0) throw new Error(`${route}: ${await alert.textContent()}`);
}

async function shoot(name: string): Promise<void> {
  const path = join(SCREENSHOTS ?? mkdtempSync(join(tmpdir(), "kl-shot-")), `explorer-${name}.png`);
  if (!SCREENSHOTS) dirs.push(join(path, ".."));
  await page.screenshot({ path, fullPage: true });
  expect((await readFile(path)).subarray(1, 4).toString()).toBe("PNG");
}

const rowsOf = (tableId: string) => page.locator(`#${tableId} tbody tr`);

describe("the registry explorer in Chromium", () => {
  it("is served as built, with no resource from elsewhere, small", async () => {
    const total = Object.values(bundleBytes).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(100_000);
    const response = await fetch(net.explorerUrl);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${net.explorerUrl}../explorer/..%2Fpackage.json`)).status).toBe(404);
  });

  it("lists the seeded verdicts, newest first, the debug Keep's labelled INSECURE", async () => {
    await open("/verdicts");
    for (const s of net.seeded)
      await expect(page.locator(`#verdicts a[href="#/verdict/${s.verdictId.toLowerCase()}"]`).count()).resolves.toBe(1);
    const debugRow = rowsOf("verdicts").filter({
      has: page.locator(`a[href="#/verdict/${net.seeded.find((s) => s.tee === "debug")!.verdictId.toLowerCase()}"]`),
    });
    await expect(debugRow.locator(".insecure").count()).resolves.toBe(1);
    const sgxRow = rowsOf("verdicts").filter({
      has: page.locator(`a[href="#/verdict/${net.seeded.find((s) => s.tee === "sgx")!.verdictId.toLowerCase()}"]`),
    });
    await expect(sgxRow.locator(".insecure").count()).resolves.toBe(0);
    await shoot("verdicts");
  });

  it("narrows the list with filters chosen by label, from the keyboard", async () => {
    await open("/verdicts");
    const all = await rowsOf("verdicts").count();
    await page.getByLabel("TEE kind").selectOption("sgx");
    await page.getByRole("button", { name: "Apply filters" }).press("Enter");
    await page.waitForURL(/tee=sgx/);
    await settled();
    await expect.poll(() => rowsOf("verdicts").count()).toBe(net.seeded.filter((s) => s.tee === "sgx").length);
    expect(all).toBeGreaterThan(1);
    await expect(page.getByLabel("TEE kind").inputValue()).resolves.toBe("sgx");

    await open("/verdicts?status=REVOKED");
    await expect(rowsOf("verdicts").count()).resolves.toBe(1);
    await expect(rowsOf("verdicts").locator(`a[href="#/verdict/${revoked}"]`).count()).resolves.toBe(1);
    const workload = net.seeded.find((s) => s.tee === "sev-snp")!;
    await open(`/verdicts?workload=${workload.workloadId.toLowerCase()}&tcb=${workload.tcbStatus}`);
    await expect(rowsOf("verdicts").count()).resolves.toBe(1);
  });

  it("shows a verdict's every field, evidence and collateral hashes, signers and its audit command", async () => {
    const sgx = net.seeded.find((s) => s.tee === "sgx")!;
    await open(`/verdict/${sgx.verdictId}`);
    const main = page.locator("main");
    await expect(main.textContent()).resolves.toContain(sgx.evidenceHash.toLowerCase());
    for (const label of ["Collateral hash", "TCB status", "Measurement", "Freshness block", "Batch"])
      await expect(main.textContent()).resolves.toContain(label);
    await expect(page.locator("#audit-command").textContent()).resolves.toContain(`keepledger audit ${sgx.verdictId.toLowerCase()}`);
    await expect(
      page.getByRole("table", { name: "Validators that signed it" }).locator("tbody tr").count(),
    ).resolves.toBeGreaterThanOrEqual(2);
    await shoot("verdict");
  });

  it("shows workloads, and one workload's measurements and policy", async () => {
    await open("/workloads");
    for (const name of Object.keys(net.workloads))
      await expect(page.locator("#workloads").getByRole("link", { name, exact: true }).count()).resolves.toBe(1);
    await shoot("workloads");
    const sgx = net.seeded.find((s) => s.tee === "sgx")!;
    await page.locator("#workloads").getByRole("link", { name: sgx.workload, exact: true }).click();
    await settled();
    await expect(page.locator("h1").textContent()).resolves.toBe(sgx.workload);
    await expect(rowsOf("measurements").count()).resolves.toBeGreaterThanOrEqual(1);
    await expect(page.getByRole("heading", { name: "In force" }).count()).resolves.toBe(1);
    await shoot("workload");
  });

  it("shows the validators with their own verdicts, TEE kind and logging profile: debug Keeps, INSECURE", async () => {
    await open("/validators");
    await expect(rowsOf("validators").count()).resolves.toBe(net.nodes.length);
    for (const n of net.nodes) await expect(page.locator("#validators").textContent()).resolves.toContain(n.url);
    await expect(rowsOf("validators").locator(".insecure").count()).resolves.toBeGreaterThanOrEqual(net.nodes.length);
    await shoot("validators");
  });

  it("shows revocations and governance changes", async () => {
    await open("/revocations");
    await expect(rowsOf("revocations").count()).resolves.toBe(1);
    await expect(page.locator("#revocations").textContent()).resolves.toContain("explorer test: revoked by governance");
    await open("/governance");
    await expect(rowsOf("governance").count()).resolves.toBeGreaterThan(3);
    await expect(page.locator("#governance").textContent()).resolves.toContain("ValidatorAdded");
  });

  it("shows a newly submitted verdict live, over the GraphQL subscription", async () => {
    await open("/live");
    await expect.poll(() => page.locator("#live-state").textContent(), { timeout: 10_000 }).toMatch(/^Listening/);
    const evidence = Buffer.from((await readFile(net.sample.evidenceFile, "utf8")).trim(), "base64");
    const t = performance.now();
    const result = await requestAttestation(net.nodes[0]!.url, evidence, net.sample.workloadId, {
      publicKey: net.sample.publicKey,
      freshnessBlock: net.sample.freshnessBlock,
      waitFor: "accepted",
    });
    const item = page.locator(`#live-feed a[href="#/verdict/${result.verdictId.toLowerCase()}"]`);
    await item.waitFor({ timeout: 60_000 });
    console.info(`submitted verdict shown live ${Math.round(performance.now() - t)} ms after submission`);
    await expect(page.locator("#live-feed li").first().locator(".insecure").count()).resolves.toBe(1);
    await shoot("live");
  });

  it("is usable from the keyboard: skip link, navigation, focus moves to the new page's heading", async () => {
    await page.goto("about:blank"); // a fresh load: focus starts at the top of the document
    await open("/verdicts");
    const selects = await page.locator("select").all();
    expect(selects.length).toBe(4);
    for (const select of selects) await expect(page.locator(`label[for="${await select.getAttribute("id")}"]`).count()).resolves.toBe(1);
    await page.keyboard.press("Tab");
    await expect(page.evaluate<string | null>("document.activeElement?.textContent ?? null")).resolves.toBe("Skip to content");
    await page.keyboard.press("Tab");
    await expect(page.evaluate<string | null>("document.activeElement?.textContent ?? null")).resolves.toBe("Verdicts");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter"); // Workloads
    await page.waitForURL(/#\/workloads/);
    await settled();
    // The focus moves to the new heading right after it renders: poll for it.
    await expect.poll(() => page.evaluate<string | null>("document.activeElement?.tagName ?? null"), { timeout: 10_000 }).toBe("H1");
    await expect(page.locator('nav a[aria-current="page"]').textContent()).resolves.toBe("Workloads");
  });

  it("fits a narrow (375 px) screen without sideways scrolling of the page", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const route of ["/verdicts", `/verdict/${net.seeded[0]!.verdictId}`, "/workloads", "/validators"]) {
      await open(route);
      // Browser-side expressions as strings: this file is type-checked without the DOM library.
      const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
      const widest = await page.evaluate<string[]>(
        `[...document.querySelectorAll("body *")]
          .filter((e) => !e.closest(".table-scroll table") && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 3)
          .map((e) => e.outerHTML.slice(0, 120))`,
      );
      expect(overflow, `${route}: ${widest.join(" | ")}`).toBeLessThanOrEqual(0);
    }
    await shoot("narrow-verdict");
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
