import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../../test/support/fixtures.ts";
import { NVIDIA_RIM_ROOT_CA } from "../../../pki/roots.ts";
import { createPkiCaches } from "../../../pki/x509/pkiCaches.ts";
import { parseRim } from "./parseRim.ts";
import { verifyRim, type VerifyRimOptions } from "./verifyRim.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";
const DRIVER = "NV_GPU_DRIVER_GH100_550.90.07.swidtag";
const VBIOS = "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag";
const AT = new Date("2026-03-01T00:00:00Z");
const options = (caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 })): VerifyRimOptions => ({
  at: AT,
  roots: [NVIDIA_RIM_ROOT_CA],
  ocspResponses: [],
  dangerouslyAllowUncheckedRevocation: true,
  caches,
});

describe("NVIDIA's shipped RIMs", () => {
  it.each([
    { file: DRIVER, version: "550.90.07", active: 21, signer: "2026-06-01T02:08:29.000Z" },
    { file: VBIOS, version: "96.00.9F.00.01", active: 12, signer: "2028-01-07T18:39:21.000Z" },
  ])("$file verifies to the pinned NVIDIA RIM root", ({ file, version, active, signer }) => {
    const v = verifyRim(parseRim(fixtureBytes("nvidia-gpu", SET, file)), options());
    expect(v.rim.colloquialVersion).toBe(version);
    expect(v.rim.name).toBe("GH100");
    expect(v.rim.measurements).toHaveLength(64);
    expect(v.rim.measurements.filter((m) => m.active)).toHaveLength(active);
    expect(v.chain.root).toBe(NVIDIA_RIM_ROOT_CA);
    expect(v.chain.certificates[0]!.notAfter.toISOString()).toBe(signer);
    expect(v.revocationChecked).toBe(false);
  });

  it("refuses by default without OCSP answers for the RIM chain", () => {
    expect(() =>
      verifyRim(parseRim(fixtureBytes("nvidia-gpu", SET, DRIVER)), { ...options(), dangerouslyAllowUncheckedRevocation: false }),
    ).toThrow(expect.objectContaining({ code: "NVGPU_OCSP_MISSING" }));
  });

  // Every byte of SignedInfo, SignatureValue and the signed content, tampered: ../nvidiaGpuTamper.test.ts.
});
