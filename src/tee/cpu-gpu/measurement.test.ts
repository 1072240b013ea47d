/** The cpu-gpu measurement layout (146 bytes, docs/evidence/cpu-gpu.md): offsets, round trip and refusals. */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureBytes, fixturePath, expectedOf } from "../../../test/support/fixtures.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { decodeMeasurementValue, encodeMeasurementValue } from "@keepledger/sdk/internal/tee/kindFacts";
import { adapterFor } from "../table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { CPU_GPU_MEASUREMENT_LENGTH, type CpuGpuMeasurement } from "@keepledger/sdk/internal/tee/cpu-gpu/measurement";

const SET = "keepledger-test-tdx-gh100";
const AT = new Date(expectedOf("cpu-gpu", SET).verify_at);

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

describe("the cpu-gpu measurement layout", () => {
  it("encodes the documented offsets and decodes back (versions in their canonical spelling)", () => {
    const m: CpuGpuMeasurement = {
      ...base(),
      minGpus: 8,
      gpuRimSetDigest: `0x${"ab".repeat(32)}`,
      gpuModels: [{ chip: "GH100", project: "1010", projectSku: "0200", chipSku: "882" }, { chip: "GB100" }],
      minDriverVersion: "550.90.07",
      minVbiosVersion: "96.00.9F.00.01",
    };
    const v = encodeMeasurementValue(m);
    expect((v.length - 2) / 2).toBe(CPU_GPU_MEASUREMENT_LENGTH);
    const b = Buffer.from(v.slice(2), "hex");
    expect(b[0]).toBe(2); // TDX
    expect(b[33]).toBe(8);
    expect(b.subarray(66, 74).toString("latin1")).toBe("GH100\0\0\0");
    expect(b.subarray(98, 103).toString("latin1")).toBe("GB100");
    expect([...b.subarray(130, 138)]).toEqual([0x02, 0x26, 0, 90, 0, 7, 0, 0]);
    expect([...b.subarray(138, 146)]).toEqual([0x96, 0, 0x9f, 0, 1, 0, 0, 0]);
    expect(decodeMeasurementValue("cpu-gpu", v)).toEqual({ ...m, minDriverVersion: "550.90.7", minVbiosVersion: "96.00.9f.00.01" });
    const plain = encodeMeasurementValue(base());
    expect(decodeMeasurementValue("cpu-gpu", plain)).toEqual(base());
  });

  it.each<[string, Partial<CpuGpuMeasurement>]>([
    ["a GPU kind as the CPU part", { cpuTee: "nvidia-gpu" }],
    ["SGX as the CPU part (an enclave owns no GPU)", { cpuTee: "sgx" }],
    ["no GPU", { minGpus: 0 }],
    ["nine GPUs", { minGpus: 9 }],
    ["a short CPU hash", { cpuMeasurementHash: "0x1234" }],
    ["a zero RIM set digest (null says any)", { gpuRimSetDigest: `0x${"00".repeat(32)}` }],
    ["three models", { gpuModels: [{ chip: "A" }, { chip: "B" }, { chip: "C" }] }],
    ["an empty model", { gpuModels: [{}] }],
    ["a nine-character chip", { gpuModels: [{ chip: "GH100XXXX" }] }],
    ["a driver component past 65535", { minDriverVersion: "70000.1" }],
    ["a five-component driver", { minDriverVersion: "1.2.3.4.5" }],
    ["a VBIOS component past ff", { minVbiosVersion: "100.00" }],
    ["a zero driver version", { minDriverVersion: "0.0" }],
  ])("refuses %s", (_, over) => {
    expect(failure(() => encodeMeasurementValue({ ...base(), ...over }))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
  });

  it("decoding refuses an unknown CPU kind code, a model slot 1 without slot 0, and text that is not NUL-padded ASCII", () => {
    const v = Buffer.from(encodeMeasurementValue(base()).slice(2), "hex");
    const with_ = (at: number, bytes: number[]): Hex => {
      const c = Buffer.from(v);
      c.set(bytes, at);
      return `0x${c.toString("hex")}`;
    };
    expect(failure(() => decodeMeasurementValue("cpu-gpu", with_(0, [42])))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
    expect(failure(() => decodeMeasurementValue("cpu-gpu", with_(0, [6])))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
    expect(failure(() => decodeMeasurementValue("cpu-gpu", with_(98, [0x41])))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
    expect(failure(() => decodeMeasurementValue("cpu-gpu", with_(66, [0x41, 0, 0x42])))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
    expect(failure(() => decodeMeasurementValue("cpu-gpu", with_(66, [0x0a])))).toBe("CPU_GPU_MEASUREMENT_VALUE_INVALID");
  });
});
