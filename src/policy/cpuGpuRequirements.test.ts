/**
 * What an approved cpu-gpu measurement demands of a composite's GPUs, appraised on the shipped test composite
 * (the real TDX quote + one test-signed GH100, driver 550.90.07, VBIOS 96.00.9f.00.01): accepted and refused
 * cases with their typed codes. The requirements are in the approved value, read from chain like any measurement.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBytes, fixturePath, expectedOf } from "../../test/support/fixtures.ts";
import { directoryCollateral } from "../collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { encodeMeasurementValue, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import type { CpuGpuMeasurement } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";
import { adapterFor } from "../tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { appraiseVerdict } from "./appraiseVerdict.ts";
import { platformEntriesOf } from "./checkRevocations.ts";
import { defaultPolicy, type ApprovedMeasurement, type WorkloadPolicy } from "./types.ts";

const SET = "keepledger-test-tdx-gh100";
const AT = new Date(expectedOf("cpu-gpu", SET).verify_at);
const NOW = Math.floor(AT.getTime() / 1000);
let evidence: VerifiedEvidence<"cpu-gpu">;

function failure(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

beforeAll(async () => {
  const a = adapterFor("cpu-gpu");
  const bytes = fixtureBytes("cpu-gpu", SET, "composite.klcg");
  const { collateral } = await directoryCollateral(fixturePath("cpu-gpu", SET));
  evidence = a.verify(a.parse(bytes), { evidence: bytes, collateral, at: AT });
});

const base = (): CpuGpuMeasurement => ({
  tee: "cpu-gpu",
  cpuTee: evidence.claims.cpu.tee,
  cpuMeasurementHash: evidence.claims.cpu.measurementHash,
  minGpus: 1,
  gpuRimSetDigest: null,
  gpuModels: [],
  minDriverVersion: null,
  minVbiosVersion: null,
});

function approved(m: CpuGpuMeasurement, version = 1): ApprovedMeasurement {
  const value = encodeMeasurementValue(m);
  return { hash: measurementHash(m), tee: "cpu-gpu", version, revoked: false, value };
}

/** A dev policy (the test composite is insecure: keepledger's test roots) that accepts unbound evidence. */
const policy = (): WorkloadPolicy => ({ ...defaultPolicy(), allowedTees: ["cpu-gpu"], dev: true, allowUnboundEvidence: true });

function appraise(measurements: ApprovedMeasurement[], p = policy()) {
  return appraiseVerdict({
    workloadId: `0x${"77".repeat(32)}`,
    evidence,
    policy: p,
    measurements,
    binding: { kind: "unbound", subject: `0x${"00".repeat(20)}` },
    now: NOW,
  });
}

describe("GPU requirements of an approved composite measurement (appraiseVerdict)", () => {
  it("the measurement of the verified composite (`workload measure --from-evidence`) pins its CPU part and exactly its GPUs' RIMs", () => {
    const m = adapterFor("cpu-gpu").measurement.fromVerified(evidence, {});
    expect(m).toEqual({ ...base(), gpuRimSetDigest: evidence.claims.gpuRimSetDigest });
    expect(appraise([approved(m)]).measurement.hash).toBe(measurementHash(m));
  });

  it.each<[string, Partial<CpuGpuMeasurement>]>([
    ["any RIMs, one GPU", {}],
    [
      "one GH100 1010/0200/882 with driver ≥ 550.90.07 and VBIOS ≥ 96.00.9f.00.01",
      {
        gpuModels: [{ chip: "GB100" }, { chip: "gh100", project: "1010", projectSku: "0200", chipSku: "882" }],
        minDriverVersion: "550.90.07",
        minVbiosVersion: "96.00.9f.00.01",
      },
    ],
    ["driver ≥ 535.104.05, VBIOS ≥ 96.00.74", { minDriverVersion: "535.104.05", minVbiosVersion: "96.00.74" }],
  ])("accepts: %s", (_, over) => {
    const m = { ...base(), ...over };
    const r = appraise([approved(m)]);
    expect(r.verdict.tee).toBe("cpu-gpu");
    expect(r.verdict.measurementHash).toBe(measurementHash(m));
    expect(r.insecure).toBe(true);
  });

  it.each<[string, Partial<CpuGpuMeasurement>, string]>([
    ["two GPUs required", { minGpus: 2 }, "POLICY_GPU_COUNT_BELOW_MINIMUM"],
    ["only GB100s allowed", { gpuModels: [{ chip: "GB100" }] }, "POLICY_GPU_MODEL_NOT_ALLOWED"],
    ["another chip SKU", { gpuModels: [{ chip: "GH100", chipSku: "885" }] }, "POLICY_GPU_MODEL_NOT_ALLOWED"],
    ["driver ≥ 560.28.03", { minDriverVersion: "560.28.03" }, "POLICY_GPU_DRIVER_BELOW_MINIMUM"],
    ["driver ≥ 550.90.8", { minDriverVersion: "550.90.8" }, "POLICY_GPU_DRIVER_BELOW_MINIMUM"],
    ["VBIOS ≥ 96.00.a5.00.01", { minVbiosVersion: "96.00.a5.00.01" }, "POLICY_GPU_VBIOS_BELOW_MINIMUM"],
    ["other RIMs pinned", { gpuRimSetDigest: `0x${"cd".repeat(32)}` }, "POLICY_GPU_RIMS_NOT_APPROVED"],
    ["another CPU measurement", { cpuMeasurementHash: `0x${"11".repeat(32)}` }, "POLICY_MEASUREMENT_NOT_APPROVED"],
    ["another CPU kind", { cpuTee: "sev-snp" }, "POLICY_MEASUREMENT_NOT_APPROVED"],
  ])("refuses: %s", (_, over, code) => {
    expect(failure(() => appraise([approved({ ...base(), ...over })]))).toBe(code);
  });

  it("accepts the RIM set pinned (the GPUs' own RIM set digest)", () => {
    const m = { ...base(), gpuRimSetDigest: evidence.claims.gpuRimSetDigest };
    expect(appraise([approved(m)]).verdict.measurementHash).toBe(measurementHash(m));
  });

  it("names the highest live approved version's refusal; a revoked one that would match says so", () => {
    const old = approved({ ...base(), minDriverVersion: "560.1" }, 1);
    const newer = approved({ ...base(), minGpus: 2 }, 2);
    expect(failure(() => appraise([old, newer]))).toBe("POLICY_GPU_COUNT_BELOW_MINIMUM");
    expect(failure(() => appraise([{ ...approved(base()), revoked: true }]))).toBe("POLICY_MEASUREMENT_REVOKED");
  });

  it("the CPU part's launch policy applies to the composite (TDX TD_ATTRIBUTES)", () => {
    const p = policy();
    expect(failure(() => appraise([approved(base())], { ...p, launch: { ...p.launch, tdxAllowedTdAttributes: 0n } }))).toMatch(
      /^POLICY_TDX_/,
    );
  });

  it("the CPU part's platform is the composite's: a denied FMSPC refuses it, and platform revocations name it", () => {
    const fmspc = evidence.platform.fmspc!;
    expect(failure(() => appraise([approved(base())], { ...policy(), deniedFmspcs: [fmspc] }))).toBe("POLICY_FMSPC_DENIED");
    expect(platformEntriesOf(evidence)).toEqual([
      { kind: "fmspc", value: fmspc },
      { kind: "tee", value: "cpu-gpu" },
    ]);
  });

  it("a production policy refuses the test composite (keepledger's test roots): debug", () => {
    expect(failure(() => appraise([approved(base())], { ...policy(), dev: false }))).toBe("POLICY_DEBUG_NOT_ALLOWED");
  });
});
