import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixtureText } from "../support/fixtures.ts";
import { startFakeKds, type FakeKds, type FakeRoute } from "../support/snpFakeKds.ts";
import { snpTestCase, snpTestPki, type SnpTestCase } from "../support/snpTestSigner.ts";
import { createCrl } from "../support/testPki.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseSnpReport } from "../../src/tee/sev-snp/parseSnpReport.ts";
import { verifyAmdSigningChain } from "../../src/tee/sev-snp/amdSigningChain.ts";
import { snpCollateralRequests } from "../../src/tee/sev-snp/snpCollateralRequests.ts";
import { verifySnpReport } from "../../src/tee/sev-snp/verifySnpReport.ts";
import { parsePemCertificates, type ParsedCrl } from "../../src/pki/x509/certificate.ts";
import { mergeCollateral, type CollateralRequest } from "../../src/collateral/types.ts";
import { amdKdsCollateral, type AmdKdsCollateralOptions } from "../../src/collateral/amd/amdKdsCollateral.ts";
import { memoryKdsCache } from "../../src/collateral/amd/kdsCache.ts";
import { parseRetryAfter } from "../../src/collateral/amd/kdsHttp.ts";

function pem(der: Uint8Array, label = "CERTIFICATE"): string {
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function failure(p: Promise<unknown>): Promise<KeepledgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeepledgerError) return e;
    throw e;
  }
  throw new Error("expected a KeepledgerError");
}

/** A controllable clock: sleeping advances it, and every wait is recorded. */
function fakeClock(start: string) {
  const c = { t: Date.parse(start), sleeps: [] as number[] };
  return {
    c,
    options: {
      now: () => new Date(c.t),
      sleep: async (ms: number) => void (c.sleeps.push(ms), (c.t += ms)),
    } satisfies Partial<AmdKdsCollateralOptions>,
  };
}

let kds: FakeKds | undefined;
async function serve(routes: Record<string, FakeRoute>): Promise<FakeKds> {
  kds = await startFakeKds(routes);
  return kds;
}
afterEach(async () => {
  await kds?.close();
  kds = undefined;
});

const H = 3600_000;

/** Routes for a test-signer case: its VCEK at the KDS path of its chip and TCB, the chain and the CRL. */
function routesFor(c: SnpTestCase, vcekPath: string, crl: ParsedCrl): Record<string, FakeRoute> {
  const kind = c.vek.name === "SEV-VLEK" ? "vlek" : "vcek";
  const intermediate = c.certificates[1]!;
  const p = c.pki.productLine;
  return {
    [vcekPath]: { body: c.vek.cert.der, headers: { "content-type": "application/x-x509-ca-cert" } },
    [`/${kind}/v1/${p}/cert_chain`]: { body: pem(intermediate.der) + pem(c.pki.ark.cert.der) },
    [`/${kind}/v1/${p}/crl`]: { body: crl.der },
  };
}

describe("amdKdsCollateral against a local KDS", () => {
  it("fetches the real dstack VCEK by chip id and REPORTED_TCB, and the report verifies with it", async () => {
    const set = "dstack-milan";
    const report = parseSnpReport(fixtureBytes("sev-snp", set, "report.bin"));
    const chip = (expectedOf("sev-snp", set).report as { chip_id: string }).chip_id;
    const vcekPath = `/vcek/v1/Milan/${chip}?blSPL=4&teeSPL=0&snpSPL=23&ucodeSPL=213`;
    const server = await serve({
      [vcekPath]: { body: fixtureBytes("sev-snp", set, "vcek.der") },
      "/vcek/v1/Milan/cert_chain": { body: fixtureText("sev-snp", set, "cert_chain.pem") },
    });
    // No Milan CRL is among the vectors, so this provider does not ask for one.
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, crl: false });
    const at = new Date(expectedOf("sev-snp", set).verify_at);
    const [request] = snpCollateralRequests(report);
    const collateral = await provider.fetch(request!, at);
    expect(server.hits.sort()).toEqual(["/vcek/v1/Milan/cert_chain", vcekPath].sort());
    expect(collateral.certificates.map((c) => c.x509.subjectName.getField("CN")[0])).toEqual(["SEV-VCEK", "SEV-Milan", "ARK-Milan"]);
    expect(verifySnpReport(report, { collateral, at, dangerouslyAllowMissingCrl: true }).claims.chipId).toBe(`0x${chip}`);
  });

  it("serves a whole test-signer chain with its CRL, end to end", async () => {
    const c = await snpTestCase({ productLine: "Genoa", version: 5 });
    const crl = await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 11, 1)) });
    const chip = Buffer.from(c.fields.chipId).toString("hex");
    const server = await serve(routesFor(c, `/vcek/v1/Genoa/${chip}?blSPL=9&teeSPL=0&snpSPL=23&ucodeSPL=84`, crl));
    const report = parseSnpReport(c.report);
    const at = new Date(Date.UTC(2025, 5, 1));
    const collateral = await amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(snpCollateralRequests(report)[0]!, at);
    expect(server.hits).toHaveLength(3);
    const v = verifySnpReport(report, { collateral, at, trustedRoots: c.trustedRoots });
    expect(v.expiresAt).toEqual(crl.nextUpdate);
  });

  it("asks KDS for a Turin VCEK with the 8-byte hwID and fmcSPL", async () => {
    const c = await snpTestCase({ productLine: "Turin" });
    const crl = await createCrl(c.pki.ark);
    const hwid = Buffer.from(c.fields.chipId.subarray(0, 8)).toString("hex");
    const path = `/vcek/v1/Turin/${hwid}?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=72`;
    const server = await serve(routesFor(c, path, crl));
    const report = parseSnpReport(c.report);
    const at = new Date(Date.UTC(2025, 5, 1));
    const collateral = await amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(snpCollateralRequests(report)[0]!, at);
    expect(server.hits).toContain(path);
    expect(verifySnpReport(report, { collateral, at, trustedRoots: c.trustedRoots }).platform.amdProductLine).toBe("Turin");
  });

  it("fetches only the ASVK chain and CRL for a VLEK report; the VLEK comes with the evidence", async () => {
    const c = await snpTestCase({ productLine: "Milan", signingKey: "vlek" });
    const crl = await createCrl(c.pki.ark);
    const server = await serve(routesFor(c, "/unused", crl));
    const report = parseSnpReport(c.report);
    const at = new Date(Date.UTC(2025, 5, 1));
    const fetched = await amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(snpCollateralRequests(report)[0]!, at);
    expect(server.hits.sort()).toEqual(["/vlek/v1/Milan/cert_chain", "/vlek/v1/Milan/crl"]);
    expect(fetched.certificates.map((x) => x.x509.subjectName.getField("CN")[0])).toEqual(["SEV-VLEK-Milan", "ARK-Milan"]);
    const posted = { certificates: [c.vek.cert], crls: [], intelDocuments: [] };
    const v = verifySnpReport(report, { collateral: mergeCollateral(posted, fetched), at, trustedRoots: c.trustedRoots });
    expect(v.platform.amdSigningKey).toBe("vlek");
  });

  it("hands over AMD's real Genoa chain and CRL, under which ASK 020001 is revoked; an unknown VCEK is a typed 404", async () => {
    const chip = "ab".repeat(64);
    const vcekPath = `/vcek/v1/Genoa/${chip}?blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=3`;
    const server = await serve({
      "/vcek/v1/Genoa/cert_chain": { body: fixtureText("sev-snp", "amd-kds-cert-chains", "ask_ark_genoa.pem") },
      "/vcek/v1/Genoa/crl": { body: fixtureBytes("sev-snp", "genoa-revoked-ask", "crl_genoa.der") },
      [vcekPath]: { status: 404, body: "unknown hwid" },
    });
    const at = new Date("2023-01-15T00:00:00Z");
    const request: CollateralRequest = {
      vendor: "amd",
      productLine: "Genoa",
      signingKey: "vcek",
      chipId: `0x${chip}`,
      reportedTcb: { bootloader: 1, tee: 0, snp: 2, microcode: 3 },
    };
    const e = await failure(amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(request, at));
    expect([e.code, e.retryable, e.details.status]).toEqual(["KDS_HTTP_ERROR", true, 404]);
    expect(server.hits.filter((h) => h === vcekPath)).toHaveLength(1); // a 404 is not retried

    const vek = (await snpTestCase({ productLine: "Genoa" })).vek.cert;
    server.routes.set(vcekPath, { body: vek.der });
    const set = await amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(request, at);
    expect(set.certificates.map((x) => x.x509.subjectName.getField("CN")[0])).toEqual(["SEV-VCEK", "SEV-Genoa", "ARK-Genoa"]);
    expect(verifyAmdSigningChain({ intermediate: set.certificates[1]!, at, crls: set.crls, requireCrl: true }).productLine).toBe("Genoa");
    const [revoked] = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_revoked_serial_020001.pem"));
    let code: string | undefined;
    try {
      verifyAmdSigningChain({ intermediate: revoked!, at, crls: set.crls });
    } catch (err) {
      code = (err as KeepledgerError).code;
    }
    expect(code).toBe("CERT_REVOKED");
  });
});

describe("amdKdsCollateral caching", () => {
  let c: SnpTestCase;
  let crl: ParsedCrl;
  let vcekPath: string;
  beforeAll(async () => {
    c = await snpTestCase({ productLine: "Milan" });
    crl = await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 5, 1, 12)) });
    vcekPath = `/vcek/v1/Milan/${Buffer.from(c.fields.chipId).toString("hex")}?blSPL=3&teeSPL=0&snpSPL=22&ucodeSPL=213`;
  });
  const request = (): CollateralRequest => snpCollateralRequests(parseSnpReport(c.report))[0]!;

  it("reuses responses: chains and CRLs up to the max age or the CRL's nextUpdate, VCEKs longer", async () => {
    const server = await serve(routesFor(c, vcekPath, crl));
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, ...clock.options });
    const at = () => new Date(clock.c.t);
    await provider.fetch(request(), at());
    expect(server.hits).toHaveLength(3);
    clock.c.t += 1 * H;
    await provider.fetch(request(), at());
    expect(server.hits).toHaveLength(3);
    // The CRL's nextUpdate (12:00) passes before the 24 h max age: only the CRL is fetched again.
    clock.c.t = Date.parse("2025-06-01T12:00:01Z");
    await provider.fetch(request(), at());
    expect(server.hits.slice(3)).toEqual(["/vcek/v1/Milan/crl"]);
    // After 24 h the chain goes stale too; the VCEK is kept for 7 days.
    clock.c.t = Date.parse("2025-06-02T00:00:01Z");
    await provider.fetch(request(), at());
    expect(server.hits.slice(4).sort()).toEqual(["/vcek/v1/Milan/cert_chain", "/vcek/v1/Milan/crl"]);
    clock.c.t += 7 * 24 * H;
    await provider.fetch(request(), at());
    expect(server.hits.slice(6)).toContain(vcekPath);
    provider.clearCache();
    await provider.fetch(request(), at());
    expect(server.hits.length).toBe(9 + 3);
  });

  it("refresh(request) drops the cached chain and CRL (not the VCEK), unless fetched within minRefetchMs", async () => {
    const server = await serve(routesFor(c, vcekPath, crl));
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, ...clock.options });
    const at = () => new Date(clock.c.t);
    await provider.fetch(request(), at());
    expect(server.hits).toHaveLength(3);
    provider.refresh(request());
    await provider.fetch(request(), at());
    expect(server.hits).toHaveLength(3);
    clock.c.t += 61_000;
    provider.refresh(request());
    await provider.fetch(request(), at());
    expect(server.hits.slice(3).sort()).toEqual(["/vcek/v1/Milan/cert_chain", "/vcek/v1/Milan/crl"]);
  });

  it("keys VCEKs by chip and TCB, and fetches again for another TCB", async () => {
    const other = { ...request(), reportedTcb: { bootloader: 3, tee: 0, snp: 23, microcode: 213 } } as CollateralRequest;
    const otherPath = vcekPath.replace("snpSPL=22", "snpSPL=23");
    const server = await serve({ ...routesFor(c, vcekPath, crl), [otherPath]: { body: c.vek.cert.der } });
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, ...fakeClock("2025-06-01T00:00:00Z").options });
    const at = new Date("2025-06-01T00:00:00Z");
    await provider.fetch(request(), at);
    await provider.fetch(other, at);
    await provider.fetch(request(), at);
    expect(server.hits.filter((h) => h.includes("?")).sort()).toEqual([vcekPath, otherPath].sort());
  });

  it("shares one fetch between concurrent requests, and can be switched off", async () => {
    const server = await serve(routesFor(c, vcekPath, crl));
    const at = new Date("2025-06-01T00:00:00Z");
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, now: () => at });
    await Promise.all([provider.fetch(request(), at), provider.fetch(request(), at), provider.fetch(request(), at)]);
    expect(server.hits).toHaveLength(3);
    const uncached = amdKdsCollateral({ baseUrl: server.baseUrl, cache: false, now: () => at });
    await uncached.fetch(request(), at);
    await uncached.fetch(request(), at);
    expect(server.hits).toHaveLength(9);
    expect(uncached.cache).toBeUndefined();
  });

  it("does not serve a cached CRL for a time past its nextUpdate, but does not hammer KDS for it either", async () => {
    const server = await serve(routesFor(c, vcekPath, crl));
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, ...clock.options, cache: memoryKdsCache({ maxEntries: 16 }) });
    const later = new Date("2025-07-01T00:00:00Z");
    await provider.fetch(request(), new Date(clock.c.t));
    clock.c.t += 61_000;
    await provider.fetch(request(), later);
    expect(server.hits.filter((h) => h.endsWith("/crl"))).toHaveLength(2);
    // KDS still serves the same (now lapsed) CRL: within a minute of fetching it, it is not asked again.
    clock.c.t += 30_000;
    await provider.fetch(request(), later);
    expect(server.hits.filter((h) => h.endsWith("/crl"))).toHaveLength(2);
    clock.c.t += 31_000;
    await provider.fetch(request(), later);
    expect(server.hits.filter((h) => h.endsWith("/crl"))).toHaveLength(3);
  });
});

describe("amdKdsCollateral when KDS misbehaves", () => {
  let c: SnpTestCase;
  let crl: ParsedCrl;
  beforeAll(async () => {
    c = await snpTestCase({ productLine: "Milan" });
    crl = await createCrl((await snpTestPki("Milan")).ark);
  });
  const vlek = (): CollateralRequest => ({
    vendor: "amd",
    productLine: "Milan",
    signingKey: "vlek",
    chipId: `0x${"00".repeat(64)}`,
    reportedTcb: { bootloader: 0, tee: 0, snp: 0, microcode: 0 },
  });
  const at = new Date("2025-06-01T00:00:00Z");
  const chainBody = () => pem(c.pki.asvk.cert.der) + pem(c.pki.ark.cert.der);

  it("waits as long as Retry-After says (seconds or HTTP-date), then succeeds", async () => {
    const server = await serve({
      "/vlek/v1/Milan/cert_chain": (_req, n) => (n === 1 ? { status: 429, headers: { "retry-after": "7" } } : { body: chainBody() }),
      "/vlek/v1/Milan/crl": { body: crl.der },
    });
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const set = await amdKdsCollateral({ baseUrl: server.baseUrl, ...clock.options }).fetch(vlek(), at);
    expect(set.certificates).toHaveLength(2);
    expect(clock.c.sleeps).toEqual([7000]);
    expect(server.hits.filter((h) => h.endsWith("cert_chain"))).toHaveLength(2);

    server.routes.set("/vlek/v1/Milan/cert_chain", { body: chainBody() });
    let first = true;
    server.routes.set("/vlek/v1/Milan/crl", () => {
      const busy = first;
      first = false;
      return busy ? { status: 503, headers: { "retry-after": "Sun, 01 Jun 2025 00:00:03 GMT" } } : { body: crl.der };
    });
    const dated = fakeClock("2025-06-01T00:00:00Z");
    expect((await amdKdsCollateral({ baseUrl: server.baseUrl, ...dated.options }).fetch(vlek(), at)).crls).toHaveLength(1);
    expect(dated.c.sleeps).toEqual([3000]);
  });

  it("gives up with KDS_RATE_LIMITED when 429s persist or Retry-After is too long", async () => {
    const server = await serve({
      "/vlek/v1/Milan/cert_chain": { status: 429, headers: { "retry-after": "2" } },
      "/vlek/v1/Milan/crl": { body: crl.der },
    });
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const e = await failure(amdKdsCollateral({ baseUrl: server.baseUrl, retries: 2, ...clock.options }).fetch(vlek(), at));
    expect(e.code).toBe("KDS_RATE_LIMITED");
    expect(e.stage).toBe("infrastructure");
    expect(e.retryable).toBe(true);
    expect(e.shortMessage).toBe("AMD KDS is rate-limiting this client");
    expect(e.details).toMatchObject({ path: "/vlek/v1/Milan/cert_chain", retryAfterMs: 2000, attempts: 3 });
    expect(server.hits.filter((h) => h.endsWith("cert_chain"))).toHaveLength(3);

    server.routes.set("/vlek/v1/Milan/cert_chain", { status: 429, headers: { "retry-after": "3600" } });
    const long = await failure(
      amdKdsCollateral({ baseUrl: server.baseUrl, ...fakeClock("2025-06-01T00:00:00Z").options }).fetch(vlek(), at),
    );
    expect([long.code, long.details.retryAfterMs]).toEqual(["KDS_RATE_LIMITED", 3_600_000]);
  });

  it("holds back later requests of the same provider while rate-limited", async () => {
    const server = await serve({
      "/vlek/v1/Milan/cert_chain": (_req, n) => (n === 1 ? { status: 429, headers: { "retry-after": "120" } } : { body: chainBody() }),
      "/vlek/v1/Milan/crl": { body: crl.der },
    });
    const clock = fakeClock("2025-06-01T00:00:00Z");
    const provider = amdKdsCollateral({ baseUrl: server.baseUrl, maxRetryDelayMs: 60_000, cache: false, ...clock.options });
    const e = await failure(provider.fetch(vlek(), at));
    expect(e.code).toBe("KDS_RATE_LIMITED");
    const hits = server.hits.length;
    // Within the 120 s, the provider does not even ask.
    expect((await failure(provider.fetch(vlek(), at))).code).toBe("KDS_RATE_LIMITED");
    expect(server.hits.length).toBe(hits);
    clock.c.t += 121_000;
    expect((await provider.fetch(vlek(), at)).certificates).toHaveLength(2);
  });

  it("retries 5xx with backoff, and does not retry other statuses", async () => {
    const server = await serve({
      "/vlek/v1/Milan/cert_chain": (_req, n) => (n < 3 ? { status: 502 } : { body: chainBody() }),
      "/vlek/v1/Milan/crl": { body: crl.der },
    });
    const clock = fakeClock("2025-06-01T00:00:00Z");
    expect((await amdKdsCollateral({ baseUrl: server.baseUrl, ...clock.options }).fetch(vlek(), at)).certificates).toHaveLength(2);
    expect(clock.c.sleeps).toEqual([1000, 2000]);
    expect(server.hits.filter((h) => h.endsWith("cert_chain"))).toHaveLength(3);

    server.routes.set("/vlek/v1/Milan/crl", { status: 400, body: "bad request" });
    const e = await failure(amdKdsCollateral({ baseUrl: server.baseUrl, ...fakeClock("2025-06-01T00:00:00Z").options }).fetch(vlek(), at));
    expect([e.code, e.details.status, e.shortMessage]).toEqual(["KDS_HTTP_ERROR", 400, "AMD KDS answered HTTP 400"]);
    expect(server.hits.filter((h) => h.endsWith("/crl"))).toHaveLength(2);
  });

  it("rejects bodies that are not certificates or CRLs", async () => {
    const server = await serve({
      "/vlek/v1/Milan/cert_chain": { body: "<html>maintenance</html>" },
      "/vlek/v1/Milan/crl": { body: crl.der },
    });
    const e = await failure(amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(vlek(), at));
    expect([e.code, e.stage]).toEqual(["KDS_RESPONSE_INVALID", "infrastructure"]);
    server.routes.set("/vlek/v1/Milan/cert_chain", { body: chainBody() });
    server.routes.set("/vlek/v1/Milan/crl", { body: new Uint8Array([0x30, 0x82, 0xff]) });
    expect((await failure(amdKdsCollateral({ baseUrl: server.baseUrl }).fetch(vlek(), at))).code).toBe("KDS_RESPONSE_INVALID");
  });

  it("fails KDS_UNREACHABLE when nothing listens or nothing answers", async () => {
    const server = await serve({ "/vlek/v1/Milan/cert_chain": { hang: true }, "/vlek/v1/Milan/crl": { hang: true } });
    const slow = await failure(
      amdKdsCollateral({ baseUrl: server.baseUrl, timeoutMs: 200, retries: 1, ...fakeClock("2025-06-01T00:00:00Z").options }).fetch(
        vlek(),
        at,
      ),
    );
    expect([slow.code, slow.details.attempts]).toEqual(["KDS_UNREACHABLE", 2]);
    const baseUrl = server.baseUrl;
    await server.close();
    kds = undefined;
    const closed = await failure(amdKdsCollateral({ baseUrl, retries: 2, ...fakeClock("2025-06-01T00:00:00Z").options }).fetch(vlek(), at));
    expect([closed.code, closed.shortMessage, closed.retryable]).toEqual(["KDS_UNREACHABLE", "AMD KDS could not be reached", true]);
  });

  it("refuses requests KDS cannot serve", async () => {
    const provider = amdKdsCollateral({ baseUrl: "http://127.0.0.1:9" });
    const base = {
      vendor: "amd",
      productLine: "Milan",
      signingKey: "vcek",
      reportedTcb: { bootloader: 1, tee: 0, snp: 2, microcode: 3 },
    } as const;
    const table: Array<{ name: string; request: CollateralRequest; message: string }> = [
      {
        name: "Intel",
        request: { vendor: "intel", tee: "sgx", fmspc: "00906ed50000", pckCa: "platform" },
        message: "AMD KDS serves only AMD collateral",
      },
      {
        name: "masked chip id",
        request: { ...base, chipId: `0x${"00".repeat(64)}` },
        message: "CHIP_ID is masked (all zero): KDS cannot serve a VCEK for it",
      },
      { name: "short chip id", request: { ...base, chipId: "0x1234" }, message: "CHIP_ID must be 64 bytes of hex" },
      {
        name: "Turin chip id with a tail",
        request: { ...base, productLine: "Turin", chipId: `0x${"11".repeat(64)}`, reportedTcb: { ...base.reportedTcb, fmc: 1 } },
        message: "a Turin CHIP_ID has 8 significant bytes, then zeros",
      },
      {
        name: "Turin without FMC",
        request: { ...base, productLine: "Turin", chipId: `0x${"11".repeat(8)}${"00".repeat(56)}` },
        message: "fmcSPL must be a byte",
      },
      {
        name: "Milan with FMC",
        request: { ...base, chipId: `0x${"11".repeat(64)}`, reportedTcb: { ...base.reportedTcb, fmc: 1 } },
        message: "a Milan TCB has no FMC SPL",
      },
    ];
    for (const t of table) {
      const e = await failure(provider.fetch(t.request, at));
      expect([t.name, e.code, e.shortMessage, e.retryable]).toEqual([t.name, "KDS_REQUEST_UNSUPPORTED", t.message, false]);
    }
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP-dates", () => {
    const now = new Date("2025-06-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Sun, 01 Jun 2025 00:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Sat, 31 May 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
