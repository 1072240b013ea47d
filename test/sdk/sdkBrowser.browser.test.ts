/**
 * The light SDK in a real browser: a tiny dApp (test/sdk/browser/dapp.ts) importing "@keepledger/sdk"
 * by name is bundled by esbuild for the browser (a real bundler, as a dApp's build would), served over
 * HTTP, and run in headless Chromium from Debian's packages (installed by .ci/run; its path in
 * KEEPLEDGER_CHROMIUM, default /usr/bin/chromium) driven by playwright-core. It asks the dev network's
 * chain (started in this process, JSON-RPC on port 0) isAttested for a verdict the dev network seeded,
 * through a JSON-RPC URL and through an EIP-1193 object, and for a key no verdict names; the answers must
 * be the chain's own, read here in Node. The bundle must hold nothing of the keepledger package (src/):
 * only the SDK package and its dependencies — and neither viem nor ethers (both optional peers): the
 * build fails if anything in it resolves either, so this dApp runs the SDK with neither installed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { build, type Plugin } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAttested, keepReportData } from "@keepledger/sdk";
import { startDevNetwork, type DevNetwork } from "../../src/dev/startDevNetwork.ts";
import { freeDevPorts } from "../dev/support/devPorts.ts";

const CHROMIUM = process.env.KEEPLEDGER_CHROMIUM ?? "/usr/bin/chromium";
const ROOT = new URL("../..", import.meta.url).pathname;

/** Fails the build on any import of viem or ethers (or a subpath): the SDK must work without both peers. */
const noViemNoEthers: Plugin = {
  name: "no-viem-no-ethers",
  setup(b) {
    b.onResolve({ filter: /^(?:viem|ethers)(?:\/.*)?$/ }, (args) => ({
      errors: [{ text: `${args.path} imported by ${relative(ROOT, args.importer)}: the SDK must not need viem or ethers at runtime` }],
    }));
  },
};

const dirs: string[] = [];
let net: DevNetwork;
let browser: Browser;
let server: Server;
let pageUrl: string;
let inputs: string[];
let bundleBytes: number;
/** The inputs that contribute bytes to the bundle (the rest were read and tree-shaken away). */
let inBundle: Set<string>;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set KEEPLEDGER_CHROMIUM`);
  const site = mkdtempSync(join(tmpdir(), "kl-sdk-browser-"));
  const dataDir = mkdtempSync(join(tmpdir(), "kl-sdk-browser-dev-"));
  dirs.push(site, dataDir);
  const result = await build({
    entryPoints: [join(ROOT, "test", "sdk", "browser", "dapp.ts")],
    outfile: join(site, "dapp.js"),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    metafile: true,
    logLevel: "warning",
    plugins: [noViemNoEthers],
  });
  inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, join(ROOT, p)));
  bundleBytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  inBundle = new Set(
    Object.values(result.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([p]) => relative(ROOT, join(ROOT, p))),
    ),
  );
  writeFileSync(
    join(site, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>dApp</title><script type="module" src="dapp.js"></script>\n',
  );
  server = createServer((req, res) => {
    const file = req.url === "/" ? "index.html" : req.url === "/dapp.js" ? "dapp.js" : undefined;
    if (file === undefined) return void res.writeHead(404).end();
    readFile(join(site, file)).then(
      (body) => res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html" }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { node } = await freeDevPorts();
  net = await startDevNetwork({ dataDir, rpcPort: 0, nodePort: node, graphqlPort: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false, args: ["--headless=new"] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await net?.stop();
  await new Promise((resolve) => server?.close(resolve));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("@keepledger/sdk in a browser bundle", () => {
  it("bundles for the browser with nothing of the keepledger package in it", () => {
    console.info(`dApp bundle: ${bundleBytes} bytes from ${inputs.length} inputs`);
    expect(inputs.filter((p) => p.startsWith("src/"))).toEqual([]);
    expect(inputs.some((p) => p.startsWith("packages/sdk/src/sdk/isAttested.ts"))).toBe(true);
    // isAttested needs IKeepAttestation's ABI and the errors (generated/errors.ts), not the contracts' whole ABIs.
    expect([...inBundle].filter((p) => p.startsWith("packages/sdk/src/chain/generated/")).sort()).toEqual([
      "packages/sdk/src/chain/generated/IKeepAttestation.ts",
      "packages/sdk/src/chain/generated/errors.ts",
    ]);
    const npm = new Set(inputs.filter((p) => p.includes("node_modules/")).map((p) => p.split("node_modules/").pop()!.split("/")[0]!));
    // Neither optional peer (the plugin fails the build before) nor the verifier's, the node's and the registry's packages.
    for (const heavy of [
      "viem",
      "ethers",
      "@noble/curves",
      "@peculiar",
      "cbor-x",
      "hardhat",
      "graphql",
      "graphql-yoga",
      "pg",
      "zod",
      "pino",
    ])
      expect(npm.has(heavy), heavy).toBe(false);
  });

  it("answers isAttested from headless Chromium as the chain does", async () => {
    const seeded = net.seeded.find((s) => s.tee === "sgx") ?? net.seeded[0]!;
    const registry = net.deployment.contracts.attestationRegistry;
    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => "keepledgerDapp" in globalThis);
    const answer = await page.evaluate(
      (c) => (globalThis as unknown as { keepledgerDapp: { check(c: unknown): Promise<unknown> } }).keepledgerDapp.check(c),
      { rpcUrl: net.rpcUrl, registry, subject: seeded.subject, workloadId: seeded.workloadId },
    );
    await page.close();
    const fromNode = await isAttested(net.rpcUrl, seeded.subject, seeded.workloadId, { registry });
    expect(fromNode.ok).toBe(true);
    const expected = { ok: true, verdictId: fromNode.verdictId, expiresAt: fromNode.expiresAt.toISOString() };
    expect(answer).toEqual({
      viaUrl: expected,
      viaInjected: expected,
      stranger: { ok: false, verdictId: `0x${"00".repeat(32)}`, expiresAt: new Date(0).toISOString() },
      binding: keepReportData({
        tee: "sgx",
        chainId: 31337,
        registry,
        publicKey: `0x04${"11".repeat(32)}${"22".repeat(32)}`,
        blockHash: `0x${"33".repeat(32)}`,
      }),
    });
    expect(pageErrors).toEqual([]);
  });
});
