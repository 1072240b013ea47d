import { describe, expect, it } from "vitest";
import { fixtureBytes, fixtureText } from "../../../test/support/fixtures.ts";
import { parsePemCertificates } from "../../pki/x509/certificate.ts";
import type { NvidiaGpuClaims } from "@keepledger/sdk/internal/tee/nvidia-gpu/claims";
import { checkGpuLaunchRequirements, compareVersions, defaultGpuLaunchRequirements, type GpuLaunchRequirements } from "./launchPolicy.ts";
import { parseNvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { parseRim } from "./rim/parseRim.ts";
import { verifyNvidiaGpu } from "./verifyNvidiaGpu.ts";

const SET = "h100-nvtrust-sample-550.90.07-fullrim";

/** The real H100's verified claims (revocation unchecked: no OCSP response is public). */
function realClaims(): NvidiaGpuClaims {
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
  }).claims;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("GPU launch requirements", () => {
  it("compares dotted driver (decimal) and VBIOS (hex) versions", () => {
    expect(compareVersions("550.90.07", "550.90.7", 10)).toBe(0);
    expect(compareVersions("550.90.07", "550.127.05", 10)).toBe(-1);
    expect(compareVersions("96.00.9f.00.01", "96.00.a5.00.01", 16)).toBe(-1);
    expect(compareVersions("96.00.9f.00.01", "96.00.9F.00.00", 16)).toBe(1);
  });

  it("accepts the real H100 under requirements it meets and names what it misses", () => {
    const gpu = realClaims();
    const req = (over: Partial<GpuLaunchRequirements>): GpuLaunchRequirements => ({ ...defaultGpuLaunchRequirements(), ...over });
    const meets = req({
      minGpus: 1,
      allowedModels: [{ chip: "gh100", project: "1010", projectSku: "0200", chipSku: "882" }],
      minDriverVersion: "550.90.07",
      minVbiosVersion: "96.00.9f.00.01",
    });
    expect(() => checkGpuLaunchRequirements([gpu], meets)).not.toThrow();
    expect(codeOf(() => checkGpuLaunchRequirements([gpu], req({ minGpus: 2 })))).toBe("POLICY_GPU_COUNT_BELOW_MINIMUM");
    expect(codeOf(() => checkGpuLaunchRequirements([gpu], req({ allowedModels: [{ chip: "GB100" }] })))).toBe(
      "POLICY_GPU_MODEL_NOT_ALLOWED",
    );
    expect(codeOf(() => checkGpuLaunchRequirements([gpu], req({ allowedModels: [{ chip: "GH100", chipSku: "885" }] })))).toBe(
      "POLICY_GPU_MODEL_NOT_ALLOWED",
    );
    expect(codeOf(() => checkGpuLaunchRequirements([gpu], req({ minDriverVersion: "560.00" })))).toBe("POLICY_GPU_DRIVER_BELOW_MINIMUM");
    expect(codeOf(() => checkGpuLaunchRequirements([gpu], req({ minVbiosVersion: "96.00.a5.00.01" })))).toBe(
      "POLICY_GPU_VBIOS_BELOW_MINIMUM",
    );
    // The default requires nothing.
    expect(() => checkGpuLaunchRequirements([], defaultGpuLaunchRequirements())).not.toThrow();
  });
});
