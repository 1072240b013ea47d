import { concatHex } from "../../util/hex.ts";
import { hexField } from "../../ids/fields.ts";
import type { Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import { at, sliceToHex } from "../layoutHelpers.ts";

export interface NitroMeasurement {
  tee: "nitro";
  pcr0: Hex;
  pcr1: Hex;
  pcr2: Hex;
}

/** PCR0 ‖ PCR1 ‖ PCR2, 48 bytes each = 144 bytes (docs/ids.md). */
export const nitroMeasurement: MeasurementLayout<"nitro", NitroMeasurement> = {
  length: 144,
  encode: (m) => concatHex([hexField("pcr0", m.pcr0, 48), hexField("pcr1", m.pcr1, 48), hexField("pcr2", m.pcr2, 48)]),
  decode: (v) => ({ tee: "nitro", pcr0: at(v, 0, 48), pcr1: at(v, 48, 96), pcr2: at(v, 96, 144) }),
  matches: (c, v) => sliceToHex(v, 0, 48) === c.pcr0 && sliceToHex(v, 48, 96) === c.pcr1 && sliceToHex(v, 96, 144) === c.pcr2,
  fromVerified: ({ claims: c }) => ({ tee: "nitro", pcr0: c.pcr0, pcr1: c.pcr1, pcr2: c.pcr2 }),
};
