import { describe, expect, it } from "vitest";
import { fixtureBytes } from "../../../../test/support/fixtures.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
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

  it("refuses a flipped bit in every byte of SignedInfo and SignatureValue, and in every 11th byte elsewhere", () => {
    const original = fixtureBytes("nvidia-gpu", SET, DRIVER);
    const text = Buffer.from(original).toString("latin1");
    const [from, to] = [text.indexOf("<ds:Signature "), text.indexOf("</ds:SignatureValue>")];
    const caches = createPkiCaches({ maxEntries: 64, maxAgeMs: 60_000 });
    const accepted: number[] = [];
    for (let i = 0; i < original.length; i += i >= from && i < to ? 1 : 11) {
      const bytes = Uint8Array.from(original);
      bytes[i]! ^= 0x01;
      try {
        verifyRim(parseRim(bytes, caches), options(caches));
        accepted.push(i);
      } catch (e) {
        if (!isKeepledgerError(e)) throw e;
      }
    }
    // Includes the unsigned KeyInfo: a flipped padding bit of base64 (same bytes, another spelling) is refused too.
    expect(accepted).toEqual([]);
  }, 120_000);
});
