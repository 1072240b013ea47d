import type { KindFacts } from "../kind.ts";
import { reportData64, requiredFlag } from "../layoutHelpers.ts";
import { debugMeasurement } from "./measurement.ts";

export const debugFacts: KindFacts<"debug"> = {
  kind: "debug",
  label: "debug Keep (no TEE)",
  instance: "debug Keep (no TEE)",
  vendor: "none",
  measurement: debugMeasurement,
  reportData: reportData64,
  flags: {
    measureOptions: [],
    names: ["measurement"],
    fromFlags: (o, parse) => ({
      tee: "debug",
      measurement: parse.hex("--measurement", requiredFlag(o, "measurement", "debug", parse), 32),
    }),
  },
};
