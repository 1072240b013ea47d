import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TEE_KINDS } from "@keepledger/sdk/internal/kinds/index";
import {
  decodeMeasurementValue,
  measurementHash,
  MEASUREMENT_VALUE_LENGTHS,
  type Measurement,
} from "@keepledger/sdk/internal/tee/kindFacts";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { nativeMeasurementHash } from "./nativeMeasurementHash.ts";

const hex = (n: number): Hex => `0x${randomBytes(n).toString("hex")}`;

/** Layouts that random bytes rarely satisfy (a type code, a mask, versions), written out. */
const WRITTEN: Partial<Record<(typeof TEE_KINDS)[number], () => Measurement>> = {
  "azure-cvm": () => ({ tee: "azure-cvm", hardware: "snp", hardwareMeasurement: hex(48), pcrMask: 0x890, pcrDigest: hex(32) }),
  "cpu-gpu": () => ({
    tee: "cpu-gpu",
    cpuTee: "tdx",
    cpuMeasurementHash: hex(32),
    minGpus: 8,
    gpuRimSetDigest: hex(32),
    gpuModels: [{ chip: "GH100", project: "1010", projectSku: "0200", chipSku: "882" }, { chip: "GB100" }],
    minDriverVersion: "550.90.07",
    minVbiosVersion: "96.00.9F.00.01",
  }),
};

/** Valid measurements of a kind: random values its layout accepts (some layouts refuse some byte patterns). */
function samples(tee: (typeof TEE_KINDS)[number], wanted: number): Measurement[] {
  const written = WRITTEN[tee];
  if (written) return Array.from({ length: wanted }, written);
  const out: Measurement[] = [];
  for (let tries = 0; out.length < wanted && tries < 5000; tries++) {
    const bytes = randomBytes(MEASUREMENT_VALUE_LENGTHS[tee]);
    // Half the tries with mostly zero bytes: modes keyed on zero fields (SGX signer mode) need them.
    if (tries % 2 === 1) bytes.fill(0, 0, bytes.length >> 1);
    try {
      out.push(decodeMeasurementValue(tee, `0x${bytes.toString("hex")}` as Hex));
    } catch {
      // not a value of this layout
    }
  }
  return out;
}

describe("nativeMeasurementHash", () => {
  it.each(TEE_KINDS.map((tee) => [tee]))("is the SDK's measurementHash for %s measurements", (tee) => {
    const ms = samples(tee, 20);
    expect(ms.length).toBeGreaterThan(0);
    for (const m of ms) expect(nativeMeasurementHash(m)).toBe(measurementHash(m));
  });
});
