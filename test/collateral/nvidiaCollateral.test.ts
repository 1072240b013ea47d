/**
 * The NVIDIA collateral provider against a local HTTP server standing in for NVIDIA's RIM service and OCSP
 * responder (no network): test-signer GPU evidence with its device chain (NVIDIA's JSON form), RIMs and
 * OCSP answers from the test signer; the fetched set verifies with revocation checked, is cached while
 * current, fetched again when stale, and failures are typed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOcspResponse } from "../../src/pki/ocsp/ocspResponse.ts";
import { integer } from "../../src/pki/x509/derEncode.ts";
import { adapterFor } from "../../src/tee/table.ts";
import { parseNvidiaGpuEvidence } from "../../src/tee/nvidia-gpu/parseNvidiaGpuEvidence.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import {
  TEST_VBIOS_VERSION,
  createDeviceChain,
  createRim,
  createRimChain,
  createSpdmReport,
  goodOcspFor,
  testBlocks,
} from "../support/nvidiaGpuTestSigner.ts";
import { asTrustedRoot } from "../support/testPki.ts";
import { nvidiaCollateral } from "../../src/collateral/nvidia/nvidiaCollateral.ts";

const AT = new Date("2026-03-01T00:00:00Z");

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

let server: Server;
let base: string;
let evidence: Uint8Array;
let roots: ReturnType<typeof asTrustedRoot>[];
const rims = new Map<string, Uint8Array>();
let ocsp: Uint8Array[] = [];
const hits = { rim: 0, ocsp: 0 };
let failWith: number | null = null;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  const device = await createDeviceChain();
  const rimChain = await createRimChain();
  const blocks = testBlocks();
  const golden = (from: number, to: number) =>
    new Map(Array.from({ length: to - from }, (_, i): [number, Uint8Array[]] => [from + i, [blocks[from + i]!]]));
  const driverRim = await createRim(rimChain, { version: "550.90.07", golden: golden(0, 20) });
  const vbiosRim = await createRim(rimChain, { version: TEST_VBIOS_VERSION.toUpperCase(), golden: golden(40, 50) });
  ocsp = await goodOcspFor([device.chain.slice(1), rimChain.chain], { nextUpdate: new Date("2026-03-08T00:00:00Z") });
  const report = await createSpdmReport(device.leaf, { fwid: device.fwid, blocks, driverVersion: "550.90.07" });
  const chainPem = device.chain.map((c) => pem(c.cert.der)).join("");
  evidence = new TextEncoder().encode(
    JSON.stringify({
      evidence: Buffer.from(report).toString("base64"),
      certificate: Buffer.from(chainPem).toString("base64"),
      arch: "HOPPER",
    }),
  );
  roots = [asTrustedRoot(device.root), asTrustedRoot(rimChain.root)];
  // The ids the adapter asks for are the RIM service's names of these RIMs.
  const [request] = adapterFor("nvidia-gpu").collateralRequests(parseNvidiaGpuEvidence(evidence));
  const [driverId, vbiosId] = (request as { rimIds: string[] }).rimIds;
  expect(driverId).toBe("NV_GPU_DRIVER_GH100_550.90.07");
  rims.set(driverId!, driverRim).set(vbiosId!, vbiosRim);

  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (failWith !== null) return res.writeHead(failWith).end();
      if (req.method === "GET" && req.url?.startsWith("/v1/rim/")) {
        hits.rim++;
        const rim = rims.get(decodeURIComponent(req.url.slice("/v1/rim/".length)));
        if (!rim) return res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ id: req.url, rim: Buffer.from(rim).toString("base64"), rim_format: "SWIDTAG" }));
      }
      if (req.method === "POST" && req.url === "/ocsp") {
        hits.ocsp++;
        const asked = await body(req);
        // The responder answers for the serial the request names (as NVIDIA's does, one CertID per request).
        const answer = ocsp.find((o) =>
          asked.includes(Buffer.from(integer(Buffer.from(pad(parseOcspResponse(o).responses[0]!.serial), "hex")))),
        );
        if (!answer) return res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/ocsp-response" });
        return res.end(Buffer.from(answer));
      }
      res.writeHead(400).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const pad = (hex: string): string => (hex.length % 2 ? `0${hex}` : hex);

describe("nvidiaCollateral (NVIDIA RIM service and OCSP responder)", () => {
  it("fetches both RIMs and OCSP for the device chain above the leaf and each RIM chain, and the evidence verifies with revocation checked", async () => {
    let now = new Date("2026-03-01T00:00:00Z");
    const provider = nvidiaCollateral({ rimBaseUrl: base, ocspUrl: `${base}/ocsp`, now: () => now });
    hits.rim = hits.ocsp = 0;
    const v = await verifyEvidence(evidence, { at: AT, collateral: provider, trustedRoots: roots });
    expect(v.tee).toBe("nvidia-gpu");
    expect(v.platform.revocationChecked).toBe(true);
    // 2 RIMs; OCSP for BROM, provisioner, identity CA (device) and signer, L3, CA (the RIMs share one chain).
    expect(hits).toEqual({ rim: 2, ocsp: 6 });
    // Cached while current: no second round trip.
    await verifyEvidence(evidence, { at: AT, collateral: provider, trustedRoots: roots });
    expect(hits).toEqual({ rim: 2, ocsp: 6 });
    // Past the OCSP nextUpdate the answers are asked for again (and a stale answer would fail verification).
    now = new Date("2026-03-09T00:00:00Z");
    await expect(verifyEvidence(evidence, { at: now, collateral: provider, trustedRoots: roots })).rejects.toMatchObject({
      code: "OCSP_EXPIRED",
    });
    expect(hits.ocsp).toBe(12);
  });

  it("gives NVGPU_RIM_MISSING when the RIM service does not know a RIM (404)", async () => {
    const saved = new Map(rims);
    rims.clear();
    try {
      const provider = nvidiaCollateral({ rimBaseUrl: base, ocspUrl: `${base}/ocsp` });
      await expect(verifyEvidence(evidence, { at: AT, collateral: provider, trustedRoots: roots })).rejects.toMatchObject({
        code: "NVGPU_RIM_MISSING",
      });
    } finally {
      for (const [k, v] of saved) rims.set(k, v);
    }
  });

  it("is a retryable infrastructure failure when the service errs", async () => {
    failWith = 503;
    try {
      const provider = nvidiaCollateral({ rimBaseUrl: base, ocspUrl: `${base}/ocsp` });
      await expect(
        provider.fetch(adapterFor("nvidia-gpu").collateralRequests(parseNvidiaGpuEvidence(evidence))[0]!, AT),
      ).rejects.toMatchObject({
        code: "NVIDIA_COLLATERAL_UNAVAILABLE",
        stage: "infrastructure",
      });
    } finally {
      failWith = null;
    }
  });
});
