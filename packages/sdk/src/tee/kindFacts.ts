/**
 * The facts table: one line per TEE kind, in TEE_KINDS order (src/tee/table.ts is the adapter table).
 * The measurement and report-data functions every room uses are thin functions over it.
 */
import { UsageError } from "../errors/index.ts";
import { IDS_CODES } from "../ids/codes.ts";
import { teeKindCode } from "../ids/enums.ts";
import { anyHex, hexField } from "../ids/fields.ts";
import { measurementHashOfValue } from "../ids/measurement.ts";
import type { TeeKind } from "../kinds/index.ts";
import type { Hex } from "../util/bytes.ts";
import { armCcaFacts } from "./arm-cca/facts.ts";
import { cpuGpuFacts } from "./cpu-gpu/facts.ts";
import { debugFacts } from "./debug/facts.ts";
import type { KindFacts, Measurement, MeasurementByKind } from "./kind.ts";
import { nitroFacts } from "./nitro/facts.ts";
import { nvidiaGpuFacts } from "./nvidia-gpu/facts.ts";
import { snpFacts } from "./sev-snp/facts.ts";
import { sgxFacts } from "./sgx/facts.ts";
import { tdxFacts } from "./tdx/facts.ts";
import { azureCvmFacts } from "./azure-cvm/facts.ts";

export type { KindFacts, Measurement, MeasurementByKind, MeasurementLayout, TeeVendor } from "./kind.ts";
export type { SgxMeasurement } from "./sgx/measurement.ts";
export type { TdxMeasurement } from "./tdx/measurement.ts";
export type { SevSnpMeasurement } from "./sev-snp/measurement.ts";
export type { NitroMeasurement } from "./nitro/measurement.ts";
export type { DebugMeasurement } from "./debug/measurement.ts";
export type { AzureCvmMeasurement } from "./azure-cvm/measurement.ts";
export type { ArmCcaMeasurement } from "./arm-cca/measurement.ts";
export type { NvidiaGpuMeasurement } from "./nvidia-gpu/measurement.ts";
export type { CpuGpuMeasurement } from "./cpu-gpu/measurement.ts";

/** Every kind's facts, keyed by kind; adding a kind is one line here (and one in table.ts). */
export const KIND_FACTS: { readonly [K in TeeKind]: KindFacts<K> } = {
  sgx: sgxFacts,
  tdx: tdxFacts,
  "sev-snp": snpFacts,
  nitro: nitroFacts,
  debug: debugFacts,
  "nvidia-gpu": nvidiaGpuFacts,
  "azure-cvm": azureCvmFacts,
  "arm-cca": armCcaFacts,
  "cpu-gpu": cpuGpuFacts,
};

/** The facts of a kind; a typed error for a name that is not one. */
export function factsOf<K extends TeeKind>(kind: K): KindFacts<K> {
  const facts = Object.hasOwn(KIND_FACTS, kind) ? (KIND_FACTS as Record<string, KindFacts | undefined>)[kind] : undefined;
  if (facts === undefined) throw unknownKind(kind);
  return facts as unknown as KindFacts<K>;
}

/** The packed value length of each kind. */
export const MEASUREMENT_VALUE_LENGTHS = Object.fromEntries(Object.values(KIND_FACTS).map((f) => [f.kind, f.measurement.length])) as {
  readonly [K in TeeKind]: number;
};

/** The packed value of a measurement, with every length and mode checked as the contract checks it. */
export function encodeMeasurementValue(m: Measurement): Hex {
  const facts = factsOf((m as { tee: TeeKind }).tee) as unknown as KindFacts<TeeKind, Measurement>;
  return facts.measurement.encode(m);
}

/** Parses a packed value (as found in a MeasurementAdded event) back into its fields. */
export function decodeMeasurementValue<K extends TeeKind>(tee: K, value: Hex): MeasurementByKind[K] {
  const hex = anyHex("value", value);
  const layout = factsOf(tee).measurement;
  const got = (hex.length - 2) / 2;
  if (got !== layout.length) {
    throw new UsageError(IDS_CODES.IDS_MEASUREMENT_VALUE_LENGTH, `a ${tee} measurement value is ${layout.length} bytes, got ${got}`, {
      at: { field: "value" },
      details: { got, want: layout.length },
    });
  }
  const m = layout.decode(hex);
  // Re-encoding applies the mode checks (SGX) exactly as encoding does.
  layout.encode(m);
  return m;
}

/** The measurement hash of a measurement. */
export function measurementHash(m: Measurement): Hex {
  return measurementHashOfValue(m.tee, encodeMeasurementValue(m));
}

/**
 * Where the binding goes in the evidence of each kind: the 64-byte REPORTDATA of SGX, TDX, SEV-SNP and
 * debug evidence is bindingHash ‖ 32 zero bytes; Nitro's user_data is the 32-byte bindingHash.
 */
export function reportDataFor(tee: TeeKind, binding: Hex): Hex {
  const hash = hexField("bindingHash", binding, 32);
  teeKindCode(tee);
  return factsOf(tee).reportData.bind(hash);
}

/** Whether evidence report data of kind `tee` carries exactly this binding. */
export function reportDataBinds(tee: TeeKind, reportData: Hex, binding: Hex): boolean {
  const want = reportDataFor(tee, binding);
  if (typeof reportData !== "string") {
    throw new UsageError(IDS_CODES.IDS_NOT_HEX, "reportData is not hex", { at: { field: "reportData" } });
  }
  return reportData.toLowerCase() === want;
}

function unknownKind(kind: string): UsageError {
  return new UsageError(IDS_CODES.IDS_UNKNOWN_TEE_KIND, `unknown TEE kind "${kind}"`, { details: { got: kind } });
}
