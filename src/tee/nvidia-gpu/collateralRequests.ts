/**
 * What NVIDIA GPU evidence asks collateral providers for: its two RIMs by their RIM-service ids and
 * OCSP for the device chain it carries (form 3; for the hex and binary forms the chain is itself
 * collateral). Pure: ids from the report's opaque data.
 */
import type { NvidiaGpuCollateralRequest } from "../../collateral/types.ts";
import type { NvidiaGpuEvidence } from "./parseNvidiaGpuEvidence.ts";
import { commonName } from "../../pki/x509/names.ts";

/** The chip name the RIMs are filed under: Blackwell's CHIP_INFO, else the first word of the device CA's name ("GH100 A01 GSP BROM"). */
export function gpuChip(evidence: NvidiaGpuEvidence): string | null {
  if (evidence.info.chipInfo !== null) return evidence.info.chipInfo.toUpperCase();
  const leaf = evidence.certChain?.[0];
  const word = leaf === undefined ? "" : (commonName(leaf.issuer).split(" ")[0] ?? "");
  return word === "" ? null : word.toUpperCase();
}

export function nvidiaGpuCollateralRequests(evidence: NvidiaGpuEvidence): NvidiaGpuCollateralRequest[] {
  const { info } = evidence;
  const chip = gpuChip(evidence);
  const vbios = `NV_GPU_VBIOS_${info.project}_${info.projectSku}_${info.chipSku}_${info.vbiosVersion.replaceAll(".", "")}`.toUpperCase();
  const rimIds = [...(chip === null ? [] : [`NV_GPU_DRIVER_${chip}_${info.driverVersion}`]), vbios];
  return [{ vendor: "nvidia", rimIds, deviceChain: (evidence.certChain ?? []).map((c) => c.der) }];
}
