import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf } from "../support/dcapFixtures.ts";
import { fixtureBytes, fixtureText } from "../support/fixtures.ts";
import { isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { tdxAdapter } from "../../src/tee/tdx/adapter.ts";
import { sgxAdapter } from "../../src/tee/sgx/adapter.ts";
import { intelPcsCollateral } from "../../src/collateral/intel/intelPcsCollateral.ts";
import { PcsCache } from "../../src/collateral/intel/pcsCache.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A PCCS stand-in on 127.0.0.1 serving the fixture collateral in PCS v4 form. */
function pcsRoutes(
  kind: "sgx" | "tdx",
  set: string,
  fmspc: string,
  ca: "platform" | "processor",
  tcbHeader = "TCB-Info-Issuer-Chain",
): Record<string, Handler> {
  const chain = (file: string) => encodeURIComponent(fixtureText(kind, set, file));
  return {
    [`/${kind}/certification/v4/tcb?fmspc=${fmspc}`]: (_q, res) => {
      res.writeHead(200, { "content-type": "application/json", [tcbHeader]: chain("tcb_info_issuer_chain.pem") });
      res.end(fixtureBytes(kind, set, "tcb_info.json"));
    },
    [`/${kind}/certification/v4/qe/identity`]: (_q, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "SGX-Enclave-Identity-Issuer-Chain": chain("qe_identity_issuer_chain.pem"),
      });
      res.end(fixtureBytes(kind, set, "qe_identity.json"));
    },
    [`/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`]: (_q, res) => {
      res.writeHead(200, { "content-type": "application/pkix-crl", "SGX-PCK-CRL-Issuer-Chain": chain("pck_crl_issuer_chain.pem") });
      res.end(fixtureBytes(kind, set, "pck_crl.der"));
    },
    // PCCS serves the root CA CRL as hex of its DER.
    "/sgx/certification/v4/rootcacrl": (_q, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(Buffer.from(fixtureBytes(kind, set, "root_ca_crl.der")).toString("hex"));
    },
  };
}

let server: Server;
let base: string;
let routes: Record<string, Handler> = {};
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const h = routes[req.url ?? ""];
    if (h) h(req, res);
    else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function errorOf(p: Promise<unknown>): Promise<KeepledgerError> {
  try {
    await p;
  } catch (e) {
    if (isKeepledgerError(e)) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("intelPcsCollateral against a local PCCS", () => {
  it("fetches TDX collateral that verifies exactly like the same files offline", async () => {
    routes = pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform");
    const quote = fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin");
    const parsed = tdxAdapter.parse(quote);
    const [request] = tdxAdapter.collateralRequests(parsed);
    const at = new Date("2025-07-01T00:00:00Z");
    const provider = intelPcsCollateral({ baseUrl: `${base}/`, apiVersion: 4 });
    const collateral = await provider.fetch(request!, at);
    const online = tdxAdapter.verify(parsed, { evidence: quote, collateral, at });
    const files = ["tcb_info.json", "tcb_info_issuer_chain.pem", "qe_identity.json", "pck_crl.der", "root_ca_crl.der"].map((f) => ({
      name: f,
      bytes: fixtureBytes("tdx", "dcapqvl-tdx", f),
    }));
    const offline = tdxAdapter.verify(parsed, { evidence: quote, collateral: staticCollateral(files).collateral, at });
    expect(online.tcb).toEqual({ status: "UpToDate", advisoryIds: [] });
    expect(online.collateralHash).toBe(offline.collateralHash);
    expect(online.expiresAt).toEqual(offline.expiresAt);
  });

  it("accepts the SGX-TCB-Info-Issuer-Chain header some PCCS send, for SGX processor-CA quotes", async () => {
    routes = pcsRoutes("sgx", "dcapqvl-sgx", "00a067110000", "processor", "SGX-TCB-Info-Issuer-Chain");
    const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
    const parsed = sgxAdapter.parse(quote);
    const at = new Date("2025-07-01T00:00:00Z");
    const collateral = await intelPcsCollateral({ baseUrl: base, apiVersion: 4 }).fetch(sgxAdapter.collateralRequests(parsed)[0]!, at);
    expect(sgxAdapter.verify(parsed, { evidence: quote, collateral, at }).tcb.status).toBe("ConfigurationAndSWHardeningNeeded");
  });

  it("serves from the cache until nextUpdate or max age, and shares concurrent fetches", async () => {
    routes = pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform");
    let now = Date.parse("2025-07-01T00:00:00Z");
    const cache = new PcsCache({ maxAgeMs: 3600_000, now: () => now });
    const request = { vendor: "intel", tee: "tdx", fmspc: "b0c06f000000", pckCa: "platform" } as const;
    const a = intelPcsCollateral({ baseUrl: base, apiVersion: 4, cache });
    const b = intelPcsCollateral({ baseUrl: base, apiVersion: 4, cache });
    const at = new Date(now);
    hits.length = 0;
    await Promise.all([a.fetch(request, at), b.fetch(request, at), a.fetch(request, at)]);
    expect(hits).toHaveLength(4);
    await b.fetch(request, at);
    expect(hits).toHaveLength(4);
    // Verifying as of a time past the PCK CRL's nextUpdate (2025-07-19T10:00:35Z) refetches that CRL only.
    await a.fetch(request, new Date("2025-07-19T10:05:00Z"));
    expect(hits.slice(4)).toEqual(["/sgx/certification/v4/pckcrl?ca=platform&encoding=der"]);
    now += 3600_001;
    await a.fetch(request, at);
    expect(hits).toHaveLength(9);
  });

  it("refresh(request) bypasses the cache once for that request's documents, but not for entries fetched within minRefreshMs", async () => {
    routes = pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform");
    let now = Date.parse("2025-07-01T00:00:00Z");
    const cache = new PcsCache({ maxAgeMs: 3600_000, minRefreshMs: 60_000, now: () => now });
    const request = { vendor: "intel", tee: "tdx", fmspc: "b0c06f000000", pckCa: "platform" } as const;
    const provider = intelPcsCollateral({ baseUrl: base, apiVersion: 4, cache });
    const at = new Date(now);
    hits.length = 0;
    await provider.fetch(request, at);
    expect(hits).toHaveLength(4);
    // Just fetched: a refresh (a peer claiming newer collateral) does not make it ask PCS again.
    provider.refresh(request);
    await provider.fetch(request, at);
    expect(hits).toHaveLength(4);
    now += 60_000;
    provider.refresh(request);
    await provider.fetch(request, at);
    expect(hits).toHaveLength(8);
    await provider.fetch(request, at);
    expect(hits).toHaveLength(8);
    // Another vendor's request touches nothing.
    now += 60_000;
    provider.refresh({
      vendor: "amd",
      productLine: "Milan",
      signingKey: "vcek",
      chipId: `0x${"00".repeat(64)}`,
      reportedTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 },
    });
    await provider.fetch(request, at);
    expect(hits).toHaveLength(8);
  });

  it("takes the root CA CRL from a configured URL (Intel PCS: certificates.trustedservices.intel.com)", async () => {
    routes = {
      ...pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform"),
      "/IntelSGXRootCA.der": (_q, res) => {
        res.writeHead(200);
        res.end(fixtureBytes("tdx", "dcapqvl-tdx", "root_ca_crl.der"));
      },
    };
    delete routes["/sgx/certification/v4/rootcacrl"];
    const p = intelPcsCollateral({ baseUrl: base, apiVersion: 4, rootCaCrlUrl: `${base}/IntelSGXRootCA.der` });
    const c = await p.fetch({ vendor: "intel", tee: "tdx", fmspc: "b0c06f000000", pckCa: "platform" }, new Date("2025-07-01T00:00:00Z"));
    expect(c.crls.map((x) => x.issuer)).toEqual([expect.stringContaining("PCK Platform CA"), expect.stringContaining("Root CA")]);
  });

  it("asks Intel's certificate site for the root CA CRL when the base is Intel PCS (which serves none)", async () => {
    routes = {
      ...pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform"),
      "/IntelSGXRootCA.der": (_q, res) => {
        res.writeHead(200);
        res.end(fixtureBytes("tdx", "dcapqvl-tdx", "root_ca_crl.der"));
      },
    };
    delete routes["/sgx/certification/v4/rootcacrl"];
    // The Intel hosts are reached on this loopback server: the fetch seam rewrites only the origin.
    const asked: string[] = [];
    const p = intelPcsCollateral({
      baseUrl: "https://api.trustedservices.intel.com",
      apiVersion: 4,
      fetch: (url, init) => {
        asked.push(new URL(url).origin);
        const u = new URL(url);
        return fetch(`${base}${u.pathname}${u.search}`, init);
      },
    });
    const c = await p.fetch({ vendor: "intel", tee: "tdx", fmspc: "b0c06f000000", pckCa: "platform" }, new Date("2025-07-01T00:00:00Z"));
    expect(c.crls.map((x) => x.issuer)).toEqual([expect.stringContaining("PCK Platform CA"), expect.stringContaining("Root CA")]);
    expect(new Set(asked)).toEqual(new Set(["https://api.trustedservices.intel.com", "https://certificates.trustedservices.intel.com"]));
  });

  it("types every failure: unknown FMSPC is final, outages are retryable", async () => {
    const request = { vendor: "intel", tee: "tdx", fmspc: "b0c06f000000", pckCa: "platform" } as const;
    const at = new Date("2025-07-01T00:00:00Z");
    const good = pcsRoutes("tdx", "dcapqvl-tdx", "b0c06f000000", "platform");
    const tcbPath = "/tdx/certification/v4/tcb?fmspc=b0c06f000000";
    const status =
      (code: number): Handler =>
      (_q, res) => {
        res.writeHead(code, code === 429 ? { "retry-after": "30" } : {});
        res.end();
      };
    const table: Array<{ name: string; routes: Record<string, Handler>; timeoutMs?: number; wantError: string; retryable: boolean }> = [
      { name: "404 for the FMSPC", routes: { ...good, [tcbPath]: status(404) }, wantError: "PCS_FMSPC_UNKNOWN", retryable: false },
      { name: "503", routes: { ...good, [tcbPath]: status(503) }, wantError: "PCS_UNAVAILABLE", retryable: true },
      { name: "429", routes: { ...good, [tcbPath]: status(429) }, wantError: "PCS_RATE_LIMITED", retryable: true },
      { name: "400", routes: { ...good, [tcbPath]: status(400) }, wantError: "PCS_REQUEST_REJECTED", retryable: false },
      {
        name: "404 for the QE Identity",
        routes: { ...good, "/tdx/certification/v4/qe/identity": status(404) },
        wantError: "PCS_REQUEST_REJECTED",
        retryable: false,
      },
      {
        name: "garbage body",
        routes: { ...good, [tcbPath]: (_q, res) => (res.writeHead(200, { "TCB-Info-Issuer-Chain": "x" }), res.end("<html>")) },
        wantError: "PCS_RESPONSE_INVALID",
        retryable: true,
      },
      {
        name: "missing issuer chain header",
        routes: { ...good, [tcbPath]: (_q, res) => (res.writeHead(200), res.end(fixtureBytes("tdx", "dcapqvl-tdx", "tcb_info.json"))) },
        wantError: "PCS_RESPONSE_INVALID",
        retryable: true,
      },
      {
        name: "CRL that is not a CRL",
        routes: { ...good, "/sgx/certification/v4/rootcacrl": (_q, res) => (res.writeHead(200), res.end("zz")) },
        wantError: "PCS_RESPONSE_INVALID",
        retryable: true,
      },
      { name: "timeout", routes: { ...good, [tcbPath]: () => undefined }, timeoutMs: 200, wantError: "PCS_UNAVAILABLE", retryable: true },
    ];
    for (const row of table) {
      routes = row.routes;
      const e = await errorOf(
        intelPcsCollateral({ baseUrl: base, apiVersion: 4, ...(row.timeoutMs ? { timeoutMs: row.timeoutMs } : {}) }).fetch(request, at),
      );
      expect(e.code, row.name).toBe(row.wantError);
      expect(e.retryable, row.name).toBe(row.retryable);
    }
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await errorOf(intelPcsCollateral({ baseUrl: `http://127.0.0.1:${port}`, apiVersion: 4 }).fetch(request, at));
    expect([refused.code, refused.retryable]).toEqual(["PCS_UNAVAILABLE", true]);
    expect(refused.message).toBe(
      `collateral service unreachable: GET http://127.0.0.1:${port}/tdx/certification/v4/tcb?fmspc=b0c06f000000`,
    );
  });

  it("refuses requests it cannot serve", async () => {
    const p = intelPcsCollateral({ baseUrl: base, apiVersion: 4 });
    const amd = {
      vendor: "amd",
      productLine: "Milan",
      signingKey: "vcek",
      chipId: "0x00",
      reportedTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 },
    } as const;
    expect((await errorOf(p.fetch(amd, new Date()))).code).toBe("PCS_REQUEST_UNSUPPORTED");
    expect(codeOf(() => intelPcsCollateral({ baseUrl: base, apiVersion: 3 as 4 }))).toBe("PCS_REQUEST_UNSUPPORTED");
  });
});
