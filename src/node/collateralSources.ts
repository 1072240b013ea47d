/**
 * The node's collateral sources from its configuration: an offline directory, Intel PCS/PCCS, AMD KDS
 * and NVIDIA's RIM service and OCSP responder, asked in that order. Vendor services are scoped to their own vendor, since the engine asks every
 * provider for every request and a provider refuses requests of another vendor. A service that is down
 * fails no evidence the directory covers (the engine reports the outage only when collateral is short).
 */
import { amdKdsCollateral } from "../collateral/amd/index.ts";
import { intelPcsCollateral } from "../collateral/intel/intelPcsCollateral.ts";
import { nvidiaCollateral } from "../collateral/nvidia/nvidiaCollateral.ts";
import { directoryCollateral } from "../collateral/staticCollateral.ts";
import { emptyCollateral, type CollateralProvider, type CollateralRequest } from "../collateral/types.ts";
import type { NodeConfig } from "./config/loadNodeConfig.ts";

export function scopedToVendor(provider: CollateralProvider, vendor: CollateralRequest["vendor"]): CollateralProvider {
  return {
    name: provider.name,
    fetch: async (request, at) => (request.vendor === vendor ? provider.fetch(request, at) : emptyCollateral()),
    ...(provider.refresh
      ? { refresh: (request: CollateralRequest) => (request.vendor === vendor ? provider.refresh?.(request) : undefined) }
      : {}),
  };
}

export async function collateralSources(config: NodeConfig["collateral"]): Promise<CollateralProvider[]> {
  const out: CollateralProvider[] = [];
  if (config.directory) out.push(await directoryCollateral(config.directory));
  if (config.intelPcsUrl) out.push(scopedToVendor(intelPcsCollateral({ baseUrl: config.intelPcsUrl, apiVersion: 4 }), "intel"));
  if (config.amdKdsUrl) out.push(scopedToVendor(amdKdsCollateral({ baseUrl: config.amdKdsUrl }), "amd"));
  if (config.nvidiaRimUrl || config.nvidiaOcspUrl) {
    const nvidia = nvidiaCollateral({
      ...(config.nvidiaRimUrl ? { rimBaseUrl: config.nvidiaRimUrl } : {}),
      ...(config.nvidiaOcspUrl ? { ocspUrl: config.nvidiaOcspUrl } : {}),
    });
    out.push(scopedToVendor(nvidia, "nvidia"));
  }
  return out;
}
