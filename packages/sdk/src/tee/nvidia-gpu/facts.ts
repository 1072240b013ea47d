import type { KindFacts } from "../kind.ts";
import { requiredFlag } from "../layoutHelpers.ts";
import { nvidiaGpuBind, nvidiaGpuBoundBytes, nvidiaGpuMeasurement, NVIDIA_GPU_REPORT_DATA_LENGTH } from "./measurement.ts";

export const nvidiaGpuFacts: KindFacts<"nvidia-gpu"> = {
  kind: "nvidia-gpu",
  label: "NVIDIA confidential GPU",
  instance: "NVIDIA confidential-computing GPU",
  vendor: "nvidia",
  measurement: nvidiaGpuMeasurement,
  // The requester's SPDM nonce is 32 bytes: the binding hash itself, no padding.
  reportData: { length: NVIDIA_GPU_REPORT_DATA_LENGTH, bind: nvidiaGpuBind, of: nvidiaGpuBoundBytes },
  flags: {
    measureOptions: [],
    names: ["driverRimDigest", "vbiosRimDigest"],
    fromFlags: (o, parse) => ({
      tee: "nvidia-gpu",
      driverRimDigest: parse.hex("--driver-rim-digest", requiredFlag(o, "driverRimDigest", "nvidia-gpu", parse), 48),
      vbiosRimDigest: parse.hex("--vbios-rim-digest", requiredFlag(o, "vbiosRimDigest", "nvidia-gpu", parse), 48),
    }),
  },
};
