/**
 * Composite Keeps (CPU TEE + GPUs) through the adapter table: the shipped test composite (the real TDX quote
 * with a GPU from keepledger's test roots, labelled insecure), and fresh test-signer GPUs bound to the quote's
 * binding (no real composite capture exists), verified with the real Intel root plus the test roots.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBytes, fixturePath, expectedOf } from "../../../test/support/fixtures.ts";
import {
  createDeviceChain,
  createRim,
  createRimChain,
  createSpdmReport,
  goodOcspFor,
  testBlocks,
  TEST_VBIOS_VERSION,
  type DeviceChain,
  type RimChain,
} from "../../../test/support/nvidiaGpuTestSigner.ts";
import { asTrustedRoot } from "../../../test/support/testPki.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import type { CollateralSet } from "../../collateral/types.ts";
import { INTEL_SGX_ROOT_CA } from "../../pki/roots.ts";
import { parseOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { fromHex } from "@keepledger/sdk/internal/util/bytes";
import type { TrustedRoot } from "../../pki/x509/verifyCertificateChain.ts";
import { adapterFor } from "../table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { encodeCompositeEvidence, parseCompositeEvidence } from "./compositeEvidence.ts";

const SET = "keepledger-test-tdx-gh100";
const AT = new Date(expectedOf("cpu-gpu", SET).verify_at);
const adapter = adapterFor("cpu-gpu");

let tdxQuote: Uint8Array;
let setCollateral: CollateralSet;
let binding: Uint8Array;
let device: DeviceChain;
let rimChain: RimChain;
let collateral: CollateralSet;
let roots: TrustedRoot[];
let blocks: Uint8Array[];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

beforeAll(async () => {
  tdxQuote = fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin");
  setCollateral = (await directoryCollateral(fixturePath("cpu-gpu", SET))).collateral;
  binding = fromHex(`0x${expectedOf("cpu-gpu", SET).binding as string}`);
  device = await createDeviceChain();
  rimChain = await createRimChain();
  blocks = testBlocks();
  const golden = (from: number, to: number) =>
    new Map(Array.from({ length: to - from }, (_, i): [number, Uint8Array[]] => [from + i, [blocks[from + i]!]]));
  const rims = [
    await createRim(rimChain, { version: "550.90.07", golden: golden(0, 20) }),
    await createRim(rimChain, { version: TEST_VBIOS_VERSION.toUpperCase(), golden: golden(40, 50) }),
  ];
  const ocsp = await goodOcspFor([device.chain.slice(1), rimChain.chain], { nextUpdate: new Date(AT.getTime() + 86_400_000) });
  const tdx = (await directoryCollateral(fixturePath("tdx", "dcapqvl-tdx"))).collateral;
  collateral = {
    ...tdx,
    certificates: [...tdx.certificates, ...device.chain.map((c) => c.cert)],
    rims,
    ocspResponses: ocsp.map((o) => parseOcspResponse(o)),
  };
  roots = [INTEL_SGX_ROOT_CA, asTrustedRoot(device.root), asTrustedRoot(rimChain.root)];
});

/** `trustedRoots` null: the pinned roots (and keepledger's known test roots). */
function verify(container: Uint8Array, set = collateral, trustedRoots: readonly TrustedRoot[] | null = roots): VerifiedEvidence<"cpu-gpu"> {
  return adapter.verify(adapter.parse(container), {
    evidence: container,
    collateral: set,
    at: AT,
    ...(trustedRoots ? { trustedRoots } : {}),
  });
}

const gpu = (nonce: Uint8Array, driverVersion = "550.90.07") =>
  createSpdmReport(device.leaf, { fwid: device.fwid, blocks, nonce, driverVersion });

describe("composite CPU + GPU evidence (the cpu-gpu kind)", () => {
  it("the shipped test composite verifies with the pinned roots: TDX's TCB, one GPU bound to the quote, insecure (keepledger's test roots)", () => {
    const bytes = fixtureBytes("cpu-gpu", SET, "composite.klcg");
    expect(adapter.detect(bytes)).toBe(true);
    const v = verify(bytes, setCollateral, null);
    expect(v.tee).toBe("cpu-gpu");
    expect(v.tcb.status).toBe("UpToDate");
    expect(v.debug).toBe(true);
    expect(v.claims.cpu.tee).toBe("tdx");
    expect(v.claims.gpus.map((g) => [g.hardwareModel, g.driverVersion, g.vbiosVersion])).toEqual([
      ["GH100 A01 GSP BROM", "550.90.07", "96.00.9f.00.01"],
    ]);
    expect(v.claims.binding).toBe(`0x${Buffer.from(binding).toString("hex")}`);
    // The real quote's REPORTDATA is not binding ‖ zeros: the composite binds no keepledger key (dev: unbound).
    expect(v.claims.cpuReportDataCanonical).toBe(false);
    expect(v.platform.fmspc).toBeDefined();
    expect(v.expiresAt.toISOString()).toBe("2025-07-19T10:00:35.000Z");
  });

  it("the GPU part alone verifies as nvidia-gpu, insecure because it chains to keepledger's test roots", () => {
    const g = adapterFor("nvidia-gpu");
    const bytes = fixtureBytes("cpu-gpu", SET, "gpu-report.bin");
    const v = g.verify(g.parse(bytes), { evidence: bytes, collateral: setCollateral, at: AT });
    expect(v.debug).toBe(true);
    expect(v.platform.nvidiaTestRoot).toBe(true);
    expect(v.claims.revocationChecked).toBe(true);
  });

  it("two GPUs bound to the quote's binding: claims {cpu, gpus}, not insecure (roots given as a test's trusted roots)", async () => {
    const v = verify(encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), await gpu(binding)] }));
    expect(v.claims.gpus).toHaveLength(2);
    expect(v.debug).toBe(false);
    expect(v.claims.cpu.measurementHash).toMatch(/^0x[0-9a-f]{64}$/);
    // Container order does not change the RIM set digest; a different driver does.
    const one = verify(encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding)] }));
    expect(one.claims.gpuRimSetDigest).not.toBe(v.claims.gpuRimSetDigest);
  });

  it("refuses a GPU bound to another key with a binding code", async () => {
    const container = encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), await gpu(new Uint8Array(32).fill(9))] });
    expect(codeOf(() => verify(container))).toBe("COMPOSITE_GPU_BINDING_MISMATCH");
  });

  it("refuses the whole when one GPU's signature is bad, or the CPU quote is tampered", async () => {
    const bad = await gpu(binding);
    bad[bad.length - 1]! ^= 1;
    const good = await gpu(binding);
    expect(codeOf(() => verify(encodeCompositeEvidence({ cpu: tdxQuote, gpus: [good, bad] })))).toBe("NVGPU_REPORT_SIGNATURE_INVALID");
    const quote = Uint8Array.from(tdxQuote);
    quote[200]! ^= 1;
    expect(codeOf(() => verify(encodeCompositeEvidence({ cpu: quote, gpus: [good] })))).toMatch(/SIGNATURE|MISMATCH/);
  });

  it("refuses a CPU part that is no confidential-VM evidence, and a GPU part that is no GPU evidence", async () => {
    const g = await gpu(binding);
    expect(codeOf(() => adapter.parse(encodeCompositeEvidence({ cpu: g, gpus: [g] })))).toBe("COMPOSITE_CPU_EVIDENCE_UNKNOWN");
    expect(codeOf(() => adapter.parse(encodeCompositeEvidence({ cpu: tdxQuote, gpus: [tdxQuote] })))).toBe(
      "COMPOSITE_GPU_EVIDENCE_UNKNOWN",
    );
  });

  it("asks for the CPU part's collateral and each GPU's", async () => {
    const parsed = adapter.parse(encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), await gpu(binding)] }));
    expect(adapter.collateralRequests(parsed).map((r) => r.vendor)).toEqual(["intel", "nvidia", "nvidia"]);
  });

  it("parses the container strictly", () => {
    const good = encodeCompositeEvidence({ cpu: Uint8Array.of(1), gpus: [Uint8Array.of(2)] });
    expect(parseCompositeEvidence(good)).toEqual({ cpu: Uint8Array.of(1), gpus: [Uint8Array.of(2)] });
    expect(codeOf(() => parseCompositeEvidence(Uint8Array.of(...good, 0)))).toBe("COMPOSITE_TRAILING_BYTES");
    for (let n = 0; n < good.length; n++) expect(codeOf(() => parseCompositeEvidence(good.subarray(0, n)))).toMatch(/^COMPOSITE_/);
    const nine = Uint8Array.from(good);
    nine[5] = 9;
    expect(codeOf(() => parseCompositeEvidence(nine))).toBe("COMPOSITE_GPU_COUNT_INVALID");
    const zero = Uint8Array.from(good);
    zero.set([0, 0, 0, 0], 6);
    expect(codeOf(() => parseCompositeEvidence(zero))).toBe("COMPOSITE_PART_LENGTH_INVALID");
  });
});
