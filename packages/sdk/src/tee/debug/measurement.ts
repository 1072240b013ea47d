import { hexField } from "../../ids/fields.ts";
import { toHex, type Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";

/** The debug kind (no TEE): 32 bytes chosen by the workload. Only dev registries accept it. */
export interface DebugMeasurement {
  tee: "debug";
  measurement: Hex;
}

/** The 32-byte measurement itself (docs/ids.md). */
export const debugMeasurement: MeasurementLayout<"debug", DebugMeasurement> = {
  length: 32,
  encode: (m) => hexField("measurement", m.measurement, 32),
  decode: (v) => ({ tee: "debug", measurement: v }),
  matches: (c, v) => toHex(v) === c.measurement,
  fromVerified: ({ claims: c }) => ({ tee: "debug", measurement: c.measurement }),
};
