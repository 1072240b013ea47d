/**
 * Composite Keeps (CPU TEE + GPUs): the real TDX quote as the CPU part (verified with its Intel collateral),
 * test-signer GPUs bound to its REPORTDATA's binding hash (no real composite capture exists).
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
import { parseOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { fromHex } from "@keepledger/sdk/internal/util/bytes";
import type { CollateralSet } from "../../collateral/types.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { nvidiaGpuAdapter } from "../nvidia-gpu/adapter.ts";
import { defaultGpuLaunchRequirements } from "../nvidia-gpu/launchPolicy.ts";
import { tdxAdapter } from "../tdx/adapter.ts";
import { COMPOSITE_MEASUREMENT_LENGTH, verifyComposite, type CompositePartVerifiers } from "./appraiseComposite.ts";
import { encodeCompositeEvidence, parseCompositeEvidence } from "./compositeEvidence.ts";

const TDX_SET = "dcapqvl-tdx";
const AT = new Date(expectedOf("tdx", TDX_SET).verify_at);

let tdxQuote: Uint8Array;
let tdxCollateral: CollateralSet;
let binding: Uint8Array;
let device: DeviceChain;
let rimChain: RimChain;
let gpuCollateral: CollateralSet;
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
  tdxQuote = fixtureBytes("tdx", TDX_SET, "quote.bin");
  tdxCollateral = (await directoryCollateral(fixturePath("tdx", TDX_SET))).collateral;
  const cpu = verifiers().cpu(tdxQuote);
  binding = fromHex((cpu.claims as { reportData: string }).reportData).subarray(0, 32);
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
  gpuCollateral = {
    certificates: device.chain.map((c) => c.cert),
    crls: [],
    intelDocuments: [],
    rims,
    ocspResponses: ocsp.map((o) => parseOcspResponse(o)),
  };
});

function verifiers(): CompositePartVerifiers {
  return {
    cpu: (bytes) => tdxAdapter.verify(tdxAdapter.parse(bytes), { evidence: bytes, collateral: tdxCollateral, at: AT }) as VerifiedEvidence,
    gpu: (bytes) =>
      nvidiaGpuAdapter.verify(nvidiaGpuAdapter.parse(bytes), {
        evidence: bytes,
        collateral: gpuCollateral,
        at: AT,
        trustedRoots: [asTrustedRoot(device.root), asTrustedRoot(rimChain.root)],
      }),
  };
}

const gpu = (nonce: Uint8Array, leaf = device.leaf) =>
  createSpdmReport(leaf, { fwid: device.fwid, blocks, nonce, driverVersion: "550.90.07" });

describe("composite CPU + GPU evidence", () => {
  it("accepts a TDX quote with two GPUs bound to its binding hash: claims {cpu, gpus}, the CPU's TCB, a 66-byte measurement", async () => {
    const container = encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), await gpu(binding)] });
    const a = verifyComposite(parseCompositeEvidence(container), verifiers(), { ...defaultGpuLaunchRequirements(), minGpus: 2 });
    expect(a.claims.gpus).toHaveLength(2);
    expect(a.claims.cpu.tee).toBe("tdx");
    const cpu = verifiers().cpu(tdxQuote);
    expect(a.tcb).toEqual(cpu.tcb);
    expect(a.expiresAt.getTime()).toBeLessThanOrEqual(cpu.expiresAt.getTime());
    expect(a.claims.binding).toBe(`0x${Buffer.from(binding).toString("hex")}`);
    expect(a.debug).toBe(false);
    expect((a.measurement.length - 2) / 2).toBe(COMPOSITE_MEASUREMENT_LENGTH);
    expect(a.measurement.slice(2, 4)).toBe("02"); // TDX's kind code
    expect(a.measurement.slice(68, 70)).toBe("02"); // two GPUs
  });

  it("refuses a GPU bound to another key with a binding code", async () => {
    const other = new Uint8Array(32).fill(9);
    const container = encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), await gpu(other)] });
    expect(codeOf(() => verifyComposite(parseCompositeEvidence(container), verifiers(), defaultGpuLaunchRequirements()))).toBe(
      "COMPOSITE_GPU_BINDING_MISMATCH",
    );
  });

  it("refuses the whole when one GPU's signature is bad", async () => {
    const bad = await gpu(binding);
    bad[bad.length - 1]! ^= 1;
    const container = encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding), bad] });
    expect(codeOf(() => verifyComposite(parseCompositeEvidence(container), verifiers(), defaultGpuLaunchRequirements()))).toBe(
      "NVGPU_REPORT_SIGNATURE_INVALID",
    );
  });

  it("refuses one GPU when the policy requires two", async () => {
    const container = encodeCompositeEvidence({ cpu: tdxQuote, gpus: [await gpu(binding)] });
    expect(
      codeOf(() => verifyComposite(parseCompositeEvidence(container), verifiers(), { ...defaultGpuLaunchRequirements(), minGpus: 2 })),
    ).toBe("POLICY_GPU_COUNT_BELOW_MINIMUM");
  });

  it("parses the container strictly", async () => {
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
