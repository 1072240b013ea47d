import type { Hex } from "../../util/bytes.ts";
import type { KindFacts } from "../kind.ts";
import { reportData64 } from "../layoutHelpers.ts";
import { ARM_CCA_MEASUREMENT_FLAGS, armCcaMeasurement, armCcaMeasurementFromFlags } from "./measurement.ts";

export const armCcaFacts: KindFacts<"arm-cca"> = {
  kind: "arm-cca",
  label: "Arm CCA",
  instance: "Arm CCA realm",
  vendor: "arm",
  measurement: armCcaMeasurement,
  // The realm challenge (claim 10) is 64 bytes and carries the binding as REPORTDATA does: hash ‖ 32 zero bytes.
  reportData: reportData64,
  // No vendor PKI: the endorsing CPAK (verifyCcaToken's cpakFingerprint, src/ids cpakId) must be listed
  // for the workload in the CpakAllowList.
  listedPlatformKey: (platform) => (typeof platform.cpakFingerprint === "string" ? (platform.cpakFingerprint.toLowerCase() as Hex) : null),
  flags: {
    measureOptions: [],
    names: ARM_CCA_MEASUREMENT_FLAGS,
    fromFlags: armCcaMeasurementFromFlags,
  },
};
