import { hexField } from "../../ids/fields.ts";
import { fromHex } from "../../util/bytes.ts";
import type { KindFacts } from "../kind.ts";
import { requiredFlag } from "../layoutHelpers.ts";
import { nitroMeasurement } from "./measurement.ts";

export const nitroFacts: KindFacts<"nitro"> = {
  kind: "nitro",
  label: "AWS Nitro Enclaves",
  instance: "AWS Nitro enclave",
  vendor: "aws",
  measurement: nitroMeasurement,
  // The NSM signs user_data as given: the 32-byte binding hash itself, no padding.
  reportData: {
    length: 32,
    bind: (bindingHash) => hexField("bindingHash", bindingHash, 32),
    of: (claims) => (claims.userData === null ? null : fromHex(claims.userData)),
  },
  flags: {
    measureOptions: [],
    names: ["pcr0", "pcr1", "pcr2"],
    fromFlags: (o, parse) => ({
      tee: "nitro",
      pcr0: parse.hex("--pcr0", requiredFlag(o, "pcr0", "nitro", parse), 48),
      pcr1: parse.hex("--pcr1", requiredFlag(o, "pcr1", "nitro", parse), 48),
      pcr2: parse.hex("--pcr2", requiredFlag(o, "pcr2", "nitro", parse), 48),
    }),
  },
};
