import { concatHex } from "../../util/hex.ts";
import { hexField } from "../../ids/fields.ts";
import type { Hex } from "../../util/bytes.ts";
import type { MeasurementLayout } from "../kind.ts";
import { at, sliceToHex } from "../layoutHelpers.ts";

export interface TdxMeasurement {
  tee: "tdx";
  mrtd: Hex;
  rtmr0: Hex;
  rtmr1: Hex;
  rtmr2: Hex;
  rtmr3: Hex;
}

/** MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2 ‖ RTMR3, 48 bytes each = 240 bytes (docs/ids.md). */
export const tdxMeasurement: MeasurementLayout<"tdx", TdxMeasurement> = {
  length: 240,
  encode: (m) =>
    concatHex([
      hexField("mrtd", m.mrtd, 48),
      hexField("rtmr0", m.rtmr0, 48),
      hexField("rtmr1", m.rtmr1, 48),
      hexField("rtmr2", m.rtmr2, 48),
      hexField("rtmr3", m.rtmr3, 48),
    ]),
  decode: (v) => ({
    tee: "tdx",
    mrtd: at(v, 0, 48),
    rtmr0: at(v, 48, 96),
    rtmr1: at(v, 96, 144),
    rtmr2: at(v, 144, 192),
    rtmr3: at(v, 192, 240),
  }),
  matches: (c, v) =>
    sliceToHex(v, 0, 48) === c.mrtd &&
    sliceToHex(v, 48, 96) === c.rtmr0 &&
    sliceToHex(v, 96, 144) === c.rtmr1 &&
    sliceToHex(v, 144, 192) === c.rtmr2 &&
    sliceToHex(v, 192, 240) === c.rtmr3,
  fromVerified: ({ claims: c }) => ({ tee: "tdx", mrtd: c.mrtd, rtmr0: c.rtmr0, rtmr1: c.rtmr1, rtmr2: c.rtmr2, rtmr3: c.rtmr3 }),
};
