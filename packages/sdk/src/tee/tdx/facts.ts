import type { KindFacts } from "../kind.ts";
import { reportData64, requiredFlag } from "../layoutHelpers.ts";
import { tdxMeasurement } from "./measurement.ts";

export const tdxFacts: KindFacts<"tdx"> = {
  kind: "tdx",
  label: "Intel TDX",
  instance: "Intel TDX trust domain",
  vendor: "intel",
  measurement: tdxMeasurement,
  reportData: reportData64,
  flags: {
    measureOptions: [],
    names: ["mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"],
    fromFlags: (o, parse) => ({
      tee: "tdx",
      mrtd: parse.hex("--mrtd", requiredFlag(o, "mrtd", "tdx", parse), 48),
      rtmr0: parse.hex("--rtmr0", requiredFlag(o, "rtmr0", "tdx", parse), 48),
      rtmr1: parse.hex("--rtmr1", requiredFlag(o, "rtmr1", "tdx", parse), 48),
      rtmr2: parse.hex("--rtmr2", requiredFlag(o, "rtmr2", "tdx", parse), 48),
      rtmr3: parse.hex("--rtmr3", requiredFlag(o, "rtmr3", "tdx", parse), 48),
    }),
  },
};
