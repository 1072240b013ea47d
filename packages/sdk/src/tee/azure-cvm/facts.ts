import type { Hex } from "../../util/bytes.ts";
import { toHex } from "../../util/bytes.ts";
import type { FlagParsers, FlagValues, KindFacts } from "../kind.ts";
import { requiredFlag } from "../layoutHelpers.ts";
import { AZURE_CVM_REPORT_DATA, PCR_COUNT, azureCvmMeasurement, pcrDigestOf, pcrMaskOf, type AzureCvmMeasurement } from "./measurement.ts";

/**
 * `--pcr-values 4=<hex>,7=<hex>,11=<hex>`: the SHA-256-bank values of the PCRs the measurement covers, each
 * named once. The approved value keeps only their mask and digest, as the evidence side computes them.
 */
function pcrValuesFlag(value: string, parse: FlagParsers): Record<number, Hex> {
  const out: Record<number, Hex> = {};
  const items = value.split(",").map((s) => s.trim());
  for (const item of items) {
    const m = /^(\d{1,2})=(.+)$/.exec(item);
    if (!m) throw parse.bad("--pcr-values", value, "a list of <index>=<32-byte hex>, e.g. 4=0x…,7=0x…");
    const index = Number(parse.whole("--pcr-values", m[1]!, PCR_COUNT - 1));
    if (out[index] !== undefined) throw parse.bad("--pcr-values", value, `each PCR once (PCR ${index} is named twice)`);
    out[index] = parse.hex("--pcr-values", m[2]!, 32);
  }
  return out;
}

function fromFlags(o: FlagValues, parse: FlagParsers): AzureCvmMeasurement {
  const hardware = requiredFlag(o, "hardware", "azure-cvm", parse);
  if (hardware !== "snp" && hardware !== "tdx") throw parse.bad("--hardware", hardware, "snp or tdx");
  const hardwareMeasurement = parse.hex("--hardware-measurement", requiredFlag(o, "hardwareMeasurement", "azure-cvm", parse), 48);
  const pcrs = pcrValuesFlag(requiredFlag(o, "pcrValues", "azure-cvm", parse), parse);
  const pcrMask = pcrMaskOf(Object.keys(pcrs).map(Number));
  return { tee: "azure-cvm", hardware, hardwareMeasurement, pcrMask, pcrDigest: toHex(pcrDigestOf(pcrs, pcrMask)!) };
}

/**
 * Azure confidential VMs: an SEV-SNP or TDX report of the paravisor (HCL) vouching for a vTPM's attestation
 * key. Its vendor is Microsoft (who roots the vTPM and the paravisor: audit groups by it); the platform under
 * it is AMD's or Intel's, so `hardwareVendors` lets AMD chip / product-line and Intel FMSPC revocations reach it.
 */
export const azureCvmFacts: KindFacts<"azure-cvm"> = {
  kind: "azure-cvm",
  label: "Azure confidential VM",
  instance: "Azure confidential VM (vTPM)",
  vendor: "microsoft",
  hardwareVendors: ["amd", "intel"],
  measurement: azureCvmMeasurement,
  reportData: AZURE_CVM_REPORT_DATA,
  flags: {
    measureOptions: ["pcrs"],
    names: ["hardware", "hardwareMeasurement", "pcrValues"],
    fromFlags,
  },
};
