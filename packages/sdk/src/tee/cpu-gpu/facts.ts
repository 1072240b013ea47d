import type { TeeKind } from "../../kinds/index.ts";
import type { FlagParsers, FlagValues, KindFacts } from "../kind.ts";
import { requiredFlag } from "../layoutHelpers.ts";
import type { GpuModel } from "../nvidia-gpu/measurement.ts";
import {
  COMPOSITE_CPU_KINDS,
  CPU_GPU_REPORT_DATA_LENGTH,
  cpuGpuBind,
  cpuGpuBoundBytes,
  cpuGpuMeasurement,
  MAX_COMPOSITE_GPUS,
  type CpuGpuMeasurement,
} from "./measurement.ts";

/** `--gpu-models GH100/1010/0200/882,GB100`: up to two models, each chip[/project[/project SKU[/chip SKU]]], `*` or empty for any. */
function modelsFlag(value: string, parse: FlagParsers): GpuModel[] {
  const models = value.split(",").map((item) => {
    const [chip, project, projectSku, chipSku, ...extra] = item.trim().split("/");
    if (extra.length > 0) throw parse.bad("--gpu-models", value, "chip[/project[/projectSku[/chipSku]]] per model");
    const model: GpuModel = {};
    const set = (k: keyof GpuModel, v: string | undefined) => {
      if (v !== undefined && v !== "" && v !== "*") model[k] = v;
    };
    set("chip", chip);
    set("project", project);
    set("projectSku", projectSku);
    set("chipSku", chipSku);
    return model;
  });
  if (models.length > 2) throw parse.bad("--gpu-models", value, "at most two models");
  return models;
}

function fromFlags(o: FlagValues, parse: FlagParsers): CpuGpuMeasurement {
  const cpuTee = requiredFlag(o, "cpuTee", "cpu-gpu", parse);
  if (!(COMPOSITE_CPU_KINDS as readonly string[]).includes(cpuTee))
    throw parse.bad("--cpu-tee", cpuTee, `one of ${COMPOSITE_CPU_KINDS.join(", ")}`);
  const opt = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const rims = opt("gpuRimSetDigest");
  const models = opt("gpuModels");
  return {
    tee: "cpu-gpu",
    cpuTee: cpuTee as TeeKind,
    cpuMeasurementHash: parse.hex("--cpu-measurement-hash", requiredFlag(o, "cpuMeasurementHash", "cpu-gpu", parse), 32),
    minGpus: Number(parse.whole("--min-gpus", opt("minGpus") ?? "1", MAX_COMPOSITE_GPUS)),
    gpuRimSetDigest: rims === undefined ? null : parse.hex("--gpu-rim-set-digest", rims, 32),
    gpuModels: models === undefined ? [] : modelsFlag(models, parse),
    minDriverVersion: opt("minDriverVersion") ?? null,
    minVbiosVersion: opt("minVbiosVersion")?.toLowerCase() ?? null,
  };
}

/**
 * Composite Keeps: a confidential VM (TDX, SEV-SNP, Azure CVM, Arm CCA; debug Keeps on dev networks) with
 * NVIDIA confidential GPUs, one Keep. NVIDIA is its vendor (the GPU side is what makes it a kind of its own);
 * the CPU part runs on Intel, AMD or Arm platforms, whose platform revocations reach it through its CPU part's
 * platform facts.
 */
export const cpuGpuFacts: KindFacts<"cpu-gpu"> = {
  kind: "cpu-gpu",
  label: "CPU TEE with NVIDIA GPUs",
  instance: "confidential VM with NVIDIA confidential GPUs",
  vendor: "nvidia",
  hardwareVendors: ["intel", "amd", "arm", "nvidia"],
  measurement: cpuGpuMeasurement,
  // The binding is the 32-byte hash itself (every GPU's SPDM nonce); the CPU part carries it in its own form.
  reportData: { length: CPU_GPU_REPORT_DATA_LENGTH, bind: cpuGpuBind, of: cpuGpuBoundBytes },
  flags: {
    measureOptions: [],
    names: ["cpuTee", "cpuMeasurementHash", "minGpus", "gpuRimSetDigest", "gpuModels", "minDriverVersion", "minVbiosVersion"],
    fromFlags,
  },
};
