import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import { createOcspResponse } from "../../../test/support/ocspTestSigner.ts";
import {
  TEST_VBIOS_VERSION,
  createDeviceChain,
  createRim,
  createRimChain,
  createSpdmReport,
  goodOcspFor,
  rootsOf,
  testBlocks,
  type DeviceChain,
  type RimChain,
} from "../../../test/support/nvidiaGpuTestSigner.ts";
import { asTrustedRoot, createRoot } from "../../../test/support/testPki.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { parseOcspResponse } from "../../pki/ocsp/ocspResponse.ts";
import { parsePemCertificates } from "../../pki/x509/certificate.ts";
import { NVDEC0_RIM_INDEX } from "./appraiseMeasurements.ts";
import { parseNvidiaGpuEvidence, type NvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseRim } from "./rim/parseRim.ts";
import { verifyNvidiaGpu, type NvidiaGpuCollateral, type VerifiedNvidiaGpu, type VerifyNvidiaGpuOptions } from "./verifyNvidiaGpu.ts";
import { BoundedCache } from "../../util/boundedCache.ts";
import type { GpuAppraisal } from "./appraisalMemo.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const NEG = "h100-invalid-signature-negative";
const AT = new Date(JSON.parse(fixtureText("nvidia-gpu", SET, "expected.json")).verify_at as string);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (!isKeepledgerError(e)) throw e;
    return e.code;
  }
  return undefined;
}

function realCollateral(set = SET, chainFile = "hopperCertChain.txt"): NvidiaGpuCollateral {
  return {
    certificates: parsePemCertificates(fixtureText("nvidia-gpu", set, chainFile)),
    rims: ["NV_GPU_DRIVER_GH100_550.90.07.swidtag", "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag"].map((f) =>
      parseRim(fixtureBytes("nvidia-gpu", SET, f)),
    ),
    ocspResponses: [],
  };
}

const realEvidence = (): NvidiaGpuEvidence => parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt"));

describe("real H100 evidence with NVIDIA's RIMs (no OCSP response is public)", () => {
  it("accepts with 33 of 33 active measurements matching when unchecked revocation is explicitly allowed", () => {
    const v = verifyNvidiaGpu(realEvidence(), { at: AT, collateral: realCollateral(), dangerouslyAllowUncheckedRevocation: true });
    const expected = JSON.parse(fixtureText("nvidia-gpu", SET, "expected.json")).key_claims;
    expect(v.claims.measurementsMatched).toBe(expected.measurements_matched);
    expect(v.claims.driverRim.activeMeasurements + v.claims.vbiosRim.activeMeasurements).toBe(33);
    expect(v.claims.nonce).toBe(`0x${expected.nonce}`);
    expect(v.claims).toMatchObject({
      architecture: "hopper",
      hardwareModel: expected.hwmodel,
      driverVersion: "550.90.07",
      vbiosVersion: "96.00.9f.00.01",
      project: "1010",
      projectSku: "0200",
      chipSku: "882",
      revocationChecked: false,
    });
    expect(v.claims.driverRim.version).toBe("550.90.07");
    expect(v.claims.vbiosRim.version).toBe("96.00.9F.00.01");
    expect(v.claims.measurements).toHaveLength(64);
    expect(v.claims.measurementsDigest).toMatch(/^0x[0-9a-f]{96}$/);
    expect(v.deviceChain.root.name).toBe("NVIDIA Device Identity CA");
    expect(v.driverRim.chain.root.name).toBe("NVIDIA CoRIM signing Root CA");
    // The driver RIM's L4 signer (notAfter 2026-06-01T02:08:29Z) lapses first.
    expect(v.expiresAt.toISOString()).toBe("2026-06-01T02:08:29.000Z");
  });

  it("refuses by default: no OCSP response for the device chain", () => {
    expect(codeOf(() => verifyNvidiaGpu(realEvidence(), { at: AT, collateral: realCollateral() }))).toBe("NVGPU_OCSP_MISSING");
  });

  it("refuses h100-invalid-signature-negative with a signature code", () => {
    const ev = parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", NEG, "hopperAttestationReportInvalidSignature.txt"));
    const collateral = realCollateral(NEG, "hopperCertChainExpired.txt");
    expect(codeOf(() => verifyNvidiaGpu(ev, { at: AT, collateral, dangerouslyAllowUncheckedRevocation: true }))).toBe(
      "NVGPU_REPORT_SIGNATURE_INVALID",
    );
  });

  it.each([
    { name: "after the driver RIM signer expired", at: "2026-06-01T02:08:30Z", want: "CERT_EXPIRED" },
    { name: "before the VBIOS RIM signer was issued", at: "2026-01-07T18:39:20Z", want: "CERT_NOT_YET_VALID" },
    { name: "before the device chain's root was issued", at: "2021-11-04T00:00:00Z", want: "CERT_NOT_YET_VALID" },
  ])("refuses $name", ({ at, want }) => {
    expect(
      codeOf(() =>
        verifyNvidiaGpu(realEvidence(), { at: new Date(at), collateral: realCollateral(), dangerouslyAllowUncheckedRevocation: true }),
      ),
    ).toBe(want);
  });

  it("accepts at both ends of the validity window", () => {
    for (const at of ["2026-01-07T18:39:21Z", "2026-06-01T02:08:29Z"]) {
      expect(
        verifyNvidiaGpu(realEvidence(), { at: new Date(at), collateral: realCollateral(), dangerouslyAllowUncheckedRevocation: true })
          .claims.measurementsMatched,
      ).toBe(33);
    }
  });

  // Every byte of the report and of the RIMs, tampered: nvidiaGpuTamper.test.ts.

  it("refuses without the device chain, without a RIM, and against another root", async () => {
    const noChain = { ...realCollateral(), certificates: [] };
    expect(codeOf(() => verifyNvidiaGpu(realEvidence(), { at: AT, collateral: noChain, dangerouslyAllowUncheckedRevocation: true }))).toBe(
      "NVGPU_CERT_CHAIN_MISSING",
    );
    const noVbios = { ...realCollateral(), rims: realCollateral().rims.slice(0, 1) };
    expect(codeOf(() => verifyNvidiaGpu(realEvidence(), { at: AT, collateral: noVbios, dangerouslyAllowUncheckedRevocation: true }))).toBe(
      "NVGPU_RIM_MISSING",
    );
    const other = asTrustedRoot(await createRoot("Other", { keyKind: "p384" }));
    expect(
      codeOf(() =>
        verifyNvidiaGpu(realEvidence(), {
          at: AT,
          collateral: realCollateral(),
          roots: { device: [other], rim: [other] },
          dangerouslyAllowUncheckedRevocation: true,
        }),
      ),
    ).toBe("CERT_ROOT_UNTRUSTED");
  });
});

describe("test-signer evidence: revocation, FWID, RIMs and golden values", () => {
  let device: DeviceChain;
  let rimChain: RimChain;
  let blocks: Uint8Array[];
  let driverRim: Uint8Array;
  let vbiosRim: Uint8Array;
  let ocsp: Uint8Array[];
  const driverGolden = new Map<number, Uint8Array[]>();
  const vbiosGolden = new Map<number, Uint8Array[]>();

  beforeAll(async () => {
    device = await createDeviceChain();
    rimChain = await createRimChain();
    blocks = testBlocks();
    // Driver RIM: indices 0..19 and NVDEC0 (35), index 5 with a second alternative that matches; VBIOS: 40..49.
    for (let i = 0; i < 20; i++) driverGolden.set(i, i === 5 ? [new Uint8Array(48).fill(7), blocks[i]!] : [blocks[i]!]);
    driverGolden.set(NVDEC0_RIM_INDEX, [blocks[NVDEC0_RIM_INDEX]!]);
    for (let i = 40; i < 50; i++) vbiosGolden.set(i, [blocks[i]!]);
    driverRim = await createRim(rimChain, { version: "550.90.07", golden: driverGolden });
    vbiosRim = await createRim(rimChain, { version: TEST_VBIOS_VERSION.toUpperCase(), golden: vbiosGolden });
    ocsp = await goodOcspFor([device.chain.slice(1), rimChain.chain]);
    ev = await evidence();
  });
  let ev: NvidiaGpuEvidence;

  async function evidence(options: Partial<Parameters<typeof createSpdmReport>[1]> = {}, leaf = device.leaf): Promise<NvidiaGpuEvidence> {
    return parseNvidiaGpuEvidence(await createSpdmReport(leaf, { fwid: device.fwid, blocks, ...options }));
  }

  function options(extra: Partial<VerifyNvidiaGpuOptions> & { rims?: Uint8Array[]; ocsp?: Uint8Array[] } = {}): VerifyNvidiaGpuOptions {
    return {
      at: AT,
      roots: rootsOf(device, rimChain),
      collateral: {
        certificates: device.chain.map((c) => c.cert),
        rims: (extra.rims ?? [driverRim, vbiosRim]).map((r) => parseRim(r)),
        ocspResponses: (extra.ocsp ?? ocsp).map((o) => parseOcspResponse(o)),
      },
      ...extra,
    };
  }

  it("accepts with OCSP for every device certificate above the leaf and every RIM certificate below the root", async () => {
    const v = verifyNvidiaGpu(await evidence(), options());
    expect(v.claims.revocationChecked).toBe(true);
    expect(v.claims.measurementsMatched).toBe(31);
    expect(v.claims.driverRim.activeMeasurements).toBe(21);
    expect(v.claims.vbiosRim.activeMeasurements).toBe(10);
  });

  it("refuses a revoked BROM certificate even when unchecked revocation is allowed", async () => {
    const revoked = await createOcspResponse(device.provisioner, [
      { certificate: device.brom.cert, status: "revoked", thisUpdate: new Date("2026-02-01Z") },
    ]);
    const code = codeOf(() => verifyNvidiaGpu(ev, options({ ocsp: [...ocsp, revoked], dangerouslyAllowUncheckedRevocation: true })));
    expect(code).toBe("CERT_REVOKED");
  });
  it("refuses a missing OCSP answer for a RIM certificate, and an expired one", async () => {
    const withoutL3 = ocsp.filter((o) => !parseOcspResponse(o).responses.some((r) => r.serial === rimChain.l3.cert.serial));
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ ocsp: withoutL3 })))).toBe("NVGPU_OCSP_MISSING");
    const stale = await createOcspResponse(rimChain.ca, [
      { certificate: rimChain.l3.cert, thisUpdate: new Date("2026-01-01Z"), nextUpdate: new Date("2026-02-01Z") },
    ]);
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ ocsp: [...withoutL3, stale], dangerouslyAllowUncheckedRevocation: true })))).toBe(
      "OCSP_EXPIRED",
    );
    const allowed = verifyNvidiaGpu(ev, options({ ocsp: withoutL3, dangerouslyAllowUncheckedRevocation: true }));
    expect(allowed.claims.revocationChecked).toBe(false);
  });

  it("picks the device chain that signed the report among several GPUs' chains", async () => {
    const second = await createDeviceChain({ fwid: device.fwid });
    const e = parseNvidiaGpuEvidence(await createSpdmReport(second.leaf, { fwid: device.fwid, blocks }));
    const base = options({ ocsp: [...ocsp, ...(await goodOcspFor([second.chain.slice(1)]))] });
    const both = { ...base.collateral, certificates: [...device.chain, ...second.chain].map((c) => c.cert) };
    const v = verifyNvidiaGpu(e, {
      ...base,
      roots: { device: [...rootsOf(device, rimChain).device, ...rootsOf(second, rimChain).device], rim: base.roots!.rim },
      collateral: both,
    });
    expect(v.deviceChain.certificates[0]).toBe(second.leaf.cert);
  });

  it("refuses a report signed by none of several GPUs' leaves with the signature code", async () => {
    const second = await createDeviceChain({ fwid: device.fwid });
    const stranger = await createDeviceChain({ fwid: device.fwid });
    const e = parseNvidiaGpuEvidence(await createSpdmReport(stranger.leaf, { fwid: device.fwid, blocks }));
    const base = options({ ocsp: [...ocsp, ...(await goodOcspFor([second.chain.slice(1)]))] });
    const both = { ...base.collateral, certificates: [...device.chain, ...second.chain].map((c) => c.cert) };
    const roots = { device: [...rootsOf(device, rimChain).device, ...rootsOf(second, rimChain).device], rim: base.roots!.rim };
    expect(codeOf(() => verifyNvidiaGpu(e, { ...base, roots, collateral: both }))).toBe("NVGPU_REPORT_SIGNATURE_INVALID");
  });

  it("refuses a report whose FWID is not the leaf's, though validly signed", async () => {
    const other = await evidence({ fwid: new Uint8Array(48).fill(9) });
    expect(codeOf(() => verifyNvidiaGpu(other, options()))).toBe("NVGPU_FWID_MISMATCH");
  });

  it("reads the Blackwell FWID OID", async () => {
    const bw = await createDeviceChain({ extOid: "2.23.133.5.4.1.1" });
    const e = parseNvidiaGpuEvidence(await createSpdmReport(bw.leaf, { fwid: bw.fwid, blocks }));
    const base = options({ ocsp: [...ocsp, ...(await goodOcspFor([bw.chain.slice(1)]))] });
    const v = verifyNvidiaGpu(e, {
      ...base,
      roots: rootsOf(bw, rimChain),
      collateral: { ...base.collateral, certificates: bw.chain.map((c) => c.cert) },
    });
    expect(v.claims.architecture).toBe("blackwell");
  });

  it("refuses a mismatching measurement and names it", async () => {
    const changed = blocks.map((b, i) => (i === 42 ? new Uint8Array(48).fill(1) : b));
    const e = await evidence({ blocks: changed });
    expect(codeOf(() => verifyNvidiaGpu(e, options()))).toBe("NVGPU_MEASUREMENT_MISMATCH");
  });

  it("applies NVIDIA's NVDEC0 rule: index 35 is waived when NVDEC0 is disabled (0x55), enforced when enabled (0xAA)", async () => {
    const changed = blocks.map((b, i) => (i === NVDEC0_RIM_INDEX ? new Uint8Array(48).fill(1) : b));
    const disabled = verifyNvidiaGpu(await evidence({ blocks: changed, nvdec0Status: 0x55 }), options());
    expect(disabled.claims.measurementsMatched).toBe(30);
    const enabled = await evidence({ blocks: changed, nvdec0Status: 0xaa });
    expect(codeOf(() => verifyNvidiaGpu(enabled, options()))).toBe("NVGPU_MEASUREMENT_MISMATCH");
  });

  it("refuses RIMs measuring the same active index", async () => {
    const clash = await createRim(rimChain, { version: TEST_VBIOS_VERSION, golden: new Map([[3, [blocks[3]!]]]) });
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ rims: [driverRim, clash] })))).toBe("NVGPU_RIM_INDEX_CONFLICT");
  });

  it("refuses a RIM changed after signing, another canonicalization, and another RIM root", async () => {
    const tampered = await createRim(rimChain, {
      version: "550.90.07",
      golden: driverGolden,
      tamper: (x) => x.replace('index="7" active="True"', 'index="7" active="False"'),
    });
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ rims: [tampered, vbiosRim] })))).toBe("NVGPU_RIM_SIGNATURE_INVALID");
    const c14n10 = await createRim(rimChain, {
      version: "550.90.07",
      golden: driverGolden,
      canonicalization: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    });
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ rims: [c14n10, vbiosRim] })))).toBe("NVGPU_RIM_SIGNATURE_INVALID");
    const foreign = await createRimChain();
    const foreignRim = await createRim(foreign, { version: "550.90.07", golden: driverGolden });
    expect(codeOf(() => verifyNvidiaGpu(ev, options({ rims: [foreignRim, vbiosRim] })))).toBe("CERT_ROOT_UNTRUSTED");
  });

  it("refuses a RIM for another driver version as missing", async () => {
    const e = await evidence({ driverVersion: "560.35.03" });
    expect(codeOf(() => verifyNvidiaGpu(e, options()))).toBe("NVGPU_RIM_MISSING");
  });

  it("refuses an expired device leaf", async () => {
    const short = await createDeviceChain({ leaf: { notAfter: new Date("2026-02-01Z") } });
    const e = parseNvidiaGpuEvidence(await createSpdmReport(short.leaf, { fwid: short.fwid, blocks }));
    expect(
      codeOf(() =>
        verifyNvidiaGpu(e, {
          ...options(),
          roots: rootsOf(short, rimChain),
          collateral: { ...options().collateral, certificates: short.chain.map((c) => c.cert) },
        }),
      ),
    ).toBe("CERT_EXPIRED");
  });

  describe("the remembered appraisal of a device chain and its RIMs", () => {
    const memo = () => new BoundedCache<string, GpuAppraisal>({ maxEntries: 16, maxAgeMs: Infinity });
    /** What a verification answers about the GPU. */
    const answer = (v: VerifiedNvidiaGpu) => ({ claims: v.claims, expiresAt: v.expiresAt, chain: v.deviceChain.certificates });

    it("answers a second report of the GPU, at the same instant, as a fresh verification does", async () => {
      const appraisals = memo();
      const second = await evidence({ nonce: new Uint8Array(32).fill(3) });
      const first = verifyNvidiaGpu(ev, { ...options(), appraisals });
      expect(appraisals.size).toBe(1);
      const remembered = verifyNvidiaGpu(second, { ...options(), appraisals });
      expect(appraisals.size).toBe(1);
      expect(answer(remembered)).toEqual(answer(verifyNvidiaGpu(second, options())));
      expect(remembered.claims.nonce).not.toBe(first.claims.nonce);
      // Served from the memo: the very chain the first verification verified.
      expect(remembered.deviceChain).toBe(first.deviceChain);
      expect(remembered.claims.revocationChecked).toBe(true);
    });

    it("still checks each report's own signature, FWID and measurements on a hit", async () => {
      const appraisals = memo();
      verifyNvidiaGpu(ev, { ...options(), appraisals });
      // Signed by another GPU's key: the collateral's only leaf is still this GPU's, so the key is the same.
      const stranger = await createDeviceChain({ fwid: device.fwid });
      const forged = await evidence({}, stranger.leaf);
      expect(codeOf(() => verifyNvidiaGpu(forged, { ...options(), appraisals }))).toBe("NVGPU_REPORT_SIGNATURE_INVALID");
      const otherFwid = await evidence({ fwid: new Uint8Array(48).fill(9) });
      expect(codeOf(() => verifyNvidiaGpu(otherFwid, { ...options(), appraisals }))).toBe("NVGPU_FWID_MISMATCH");
      const changed = await evidence({ blocks: blocks.map((b, i) => (i === 42 ? new Uint8Array(48).fill(1) : b)) });
      expect(codeOf(() => verifyNvidiaGpu(changed, { ...options(), appraisals }))).toBe("NVGPU_MEASUREMENT_MISMATCH");
      expect(appraisals.size).toBe(1);
    });

    it("appraises another instant afresh: past an OCSP answer's nextUpdate the report is refused", async () => {
      const appraisals = memo();
      const shortLived = await goodOcspFor([device.chain.slice(1), rimChain.chain], { nextUpdate: new Date(AT.getTime() + 3_600_000) });
      verifyNvidiaGpu(ev, { ...options({ ocsp: shortLived }), appraisals });
      const later = new Date(AT.getTime() + 2 * 3_600_000);
      expect(codeOf(() => verifyNvidiaGpu(ev, { ...options({ ocsp: shortLived }), at: later, appraisals }))).toBe("OCSP_EXPIRED");
      expect(appraisals.size).toBe(1);
    });

    it("appraises other collateral afresh: a revoked answer added, or a RIM taken away, is read", async () => {
      const appraisals = memo();
      verifyNvidiaGpu(ev, { ...options({ dangerouslyAllowUncheckedRevocation: true }), appraisals });
      const revoked = await createOcspResponse(device.provisioner, [
        { certificate: device.brom.cert, status: "revoked", thisUpdate: new Date("2026-02-01Z") },
      ]);
      const withRevoked = options({ ocsp: [...ocsp, revoked], dangerouslyAllowUncheckedRevocation: true });
      expect(codeOf(() => verifyNvidiaGpu(ev, { ...withRevoked, appraisals }))).toBe("CERT_REVOKED");
      expect(codeOf(() => verifyNvidiaGpu(ev, { ...options({ rims: [driverRim] }), appraisals }))).toBe("NVGPU_RIM_MISSING");
      // Neither failure is remembered.
      expect(appraisals.size).toBe(1);
    });

    it("keys by the revocation switch: an appraisal made with unchecked revocation allowed is not used without it", async () => {
      const appraisals = memo();
      const withoutL3 = ocsp.filter((o) => !parseOcspResponse(o).responses.some((r) => r.serial === rimChain.l3.cert.serial));
      verifyNvidiaGpu(ev, { ...options({ ocsp: withoutL3, dangerouslyAllowUncheckedRevocation: true }), appraisals });
      expect(codeOf(() => verifyNvidiaGpu(ev, { ...options({ ocsp: withoutL3 }), appraisals }))).toBe("NVGPU_OCSP_MISSING");
    });
  });
});
