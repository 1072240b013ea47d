/**
 * Writes the test composite the dev network seeds and the tests verify (there is no public real composite
 * capture): Phala dcap-qvl's real TDX quote as the CPU part, and one GH100-like GPU report from keepledger's
 * NVIDIA test signer whose SPDM nonce is the quote's first 32 REPORTDATA bytes, with its device chain, two
 * RIMs and OCSP answers. The two test roots' certificates go to src/tee/nvidia-gpu/knownTestRoots.ts (evidence
 * chaining to them verifies labelled insecure); their private keys are not kept. Run once; output is committed:
 *
 *   node scripts/dev/make-cpu-gpu-vector.ts <out dir>
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createDeviceChain,
  createRim,
  createRimChain,
  createSpdmReport,
  goodOcspFor,
  testBlocks,
  TEST_VBIOS_VERSION,
} from "../../test/support/nvidiaGpuTestSigner.ts";
import { parseTdxQuote } from "../../src/tee/tdx/parseTdxQuote.ts";
import { encodeCompositeEvidence } from "../../src/tee/cpu-gpu/compositeEvidence.ts";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: make-cpu-gpu-vector.ts <out dir>");
const TDX = "test/fixtures/tdx/dcapqvl-tdx";
mkdirSync(out, { recursive: true });

const quote = new Uint8Array(readFileSync(join(TDX, "quote.bin")));
const binding = parseTdxQuote(quote).body.reportData.subarray(0, 32);
const device = await createDeviceChain();
const rimChain = await createRimChain();
const blocks = testBlocks();
const golden = (from: number, to: number) =>
  new Map(Array.from({ length: to - from }, (_, i): [number, Uint8Array[]] => [from + i, [blocks[from + i]!]]));
const driver = await createRim(rimChain, { version: "550.90.07", golden: golden(0, 20) });
const vbios = await createRim(rimChain, { version: TEST_VBIOS_VERSION.toUpperCase(), golden: golden(40, 50) });
const ocsp = await goodOcspFor([device.chain.slice(1), rimChain.chain], {
  thisUpdate: new Date(Date.UTC(2025, 0, 1)),
  nextUpdate: new Date(Date.UTC(2044, 0, 1)),
});
const gpu = await createSpdmReport(device.leaf, { fwid: device.fwid, blocks, nonce: binding, driverVersion: "550.90.07" });

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
writeFileSync(join(out, "composite.klcg"), encodeCompositeEvidence({ cpu: quote, gpus: [gpu] }));
writeFileSync(join(out, "gpu-report.bin"), gpu);
writeFileSync(
  join(out, "gpu-device-chain.pem"),
  device.chain
    .slice(0, -1)
    .map((c) => pem(c.cert.der))
    .join(""),
);
writeFileSync(join(out, "gpu-driver-rim.swidtag"), driver);
writeFileSync(join(out, "gpu-vbios-rim.swidtag"), vbios);
ocsp.forEach((o, i) => writeFileSync(join(out, `gpu-ocsp-${i}.der`), o));
for (const f of readdirSync(TDX))
  if (!["quote.bin", "expected.json", "PROVENANCE.md"].includes(f)) copyFileSync(join(TDX, f), join(out, f));
writeFileSync(join(out, "test-roots.pem.txt"), `device:\n${pem(device.root.cert.der)}rim:\n${pem(rimChain.root.cert.der)}`);
console.log(`binding ${Buffer.from(binding).toString("hex")}; wrote ${out}`);
