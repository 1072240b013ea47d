import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import { parsePemCertificates } from "../../pki/x509/certificate.ts";
import { toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import {
  NVIDIA_GPU_MEASUREMENT_LENGTH,
  decodeNvidiaGpuMeasurement,
  encodeNvidiaGpuMeasurement,
  nvidiaGpuBind,
  nvidiaGpuBoundBytes,
  nvidiaGpuMeasurementFromClaims,
  nvidiaGpuMeasurementMatches,
} from "@keepledger/sdk/internal/tee/nvidia-gpu/measurement";
import { parseNvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseRim } from "./rim/parseRim.ts";
import { verifyNvidiaGpu } from "./verifyNvidiaGpu.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function verified() {
  return verifyNvidiaGpu(parseNvidiaGpuEvidence(fixtureBytes("nvidia-gpu", SET, "hopperAttestationReport.txt")), {
    at: new Date("2026-03-01T00:00:00Z"),
    collateral: {
      certificates: parsePemCertificates(fixtureText("nvidia-gpu", SET, "hopperCertChain.txt")),
      rims: ["NV_GPU_DRIVER_GH100_550.90.07.swidtag", "NV_GPU_VBIOS_1010_0200_882_96009F0001.swidtag"].map((f) =>
        parseRim(fixtureBytes("nvidia-gpu", SET, f)),
      ),
      ocspResponses: [],
    },
    dangerouslyAllowUncheckedRevocation: true,
  });
}

describe("the NVIDIA GPU measurement layout", () => {
  it("is the driver RIM digest then the VBIOS RIM digest, and round-trips", () => {
    const { claims } = verified();
    const m = nvidiaGpuMeasurementFromClaims(claims);
    // The RIM digests are the XML-DSig DigestValues NVIDIA signed.
    expect(Buffer.from(claims.driverRim.digest.slice(2), "hex").toString("base64")).toBe(
      "gMJpwhbIgNbvN2MwY4EIVtt3HB8FwVyt8qScd2sGABAcz9kkcZbstfcfJxVa1+Kw",
    );
    expect(Buffer.from(claims.vbiosRim.digest.slice(2), "hex").toString("base64")).toBe(
      "eWI4jY4L9uoPzlFtnsw6GcDrN+MSfH2gdo3N7oTM/kDxfrIw7NoGGvD/Of84GYud",
    );
    const value = encodeNvidiaGpuMeasurement(m);
    expect((value.length - 2) / 2).toBe(NVIDIA_GPU_MEASUREMENT_LENGTH);
    expect(decodeNvidiaGpuMeasurement(value)).toEqual(m);
    const bytes = new Uint8Array(Buffer.from(value.slice(2), "hex"));
    expect(nvidiaGpuMeasurementMatches(claims, bytes)).toBe(true);
    bytes[95]! ^= 1;
    expect(nvidiaGpuMeasurementMatches(claims, bytes)).toBe(false);
    expect(nvidiaGpuMeasurementMatches(claims, bytes.subarray(0, 48))).toBe(false);
  });

  it("binds through the SPDM nonce, the 32-byte binding hash itself", () => {
    const { claims } = verified();
    expect(toHex(nvidiaGpuBoundBytes(claims))).toBe("0x931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb");
    expect(nvidiaGpuBind("0x931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb")).toBe(claims.nonce);
    expect(codeOf(() => nvidiaGpuBind("0x1234"))).toBe("NVGPU_MEASUREMENT_VALUE_INVALID");
  });

  it.each([
    { name: "95 bytes", value: `0x${"00".repeat(95)}` },
    { name: "97 bytes", value: `0x${"00".repeat(97)}` },
    { name: "not hex", value: `0x${"zz".repeat(96)}` },
  ])("refuses a value of $name", ({ value }) => {
    expect(codeOf(() => decodeNvidiaGpuMeasurement(value as Hex))).toBe("NVGPU_MEASUREMENT_VALUE_INVALID");
  });

  it("refuses digests that are not 48 bytes", () => {
    expect(
      codeOf(() => encodeNvidiaGpuMeasurement({ tee: "nvidia-gpu", driverRimDigest: "0x00", vbiosRimDigest: `0x${"00".repeat(48)}` })),
    ).toBe("NVGPU_MEASUREMENT_VALUE_INVALID");
  });
});
