import type { KindFacts } from "../kind.ts";
import { reportData64, requiredFlag } from "../layoutHelpers.ts";
import { snpMeasurement } from "./measurement.ts";

export const snpFacts: KindFacts<"sev-snp"> = {
  kind: "sev-snp",
  label: "AMD SEV-SNP",
  instance: "AMD SEV-SNP guest",
  vendor: "amd",
  measurement: snpMeasurement,
  reportData: reportData64,
  flags: {
    measureOptions: ["withHostData"],
    names: ["measurement", "hostData"],
    fromFlags: (o, parse) => ({
      tee: "sev-snp",
      measurement: parse.hex("--measurement", requiredFlag(o, "measurement", "sev-snp", parse), 48),
      hostData: o.hostData === undefined ? null : parse.hex("--host-data", String(o.hostData), 32),
    }),
  },
};
