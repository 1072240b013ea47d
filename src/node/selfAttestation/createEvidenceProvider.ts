/** The self-attestation provider a configuration names. */
import type { Hex } from "viem";
import type { SelfAttestationConfig } from "../config/nodeConfigSchema.ts";
import { configfsTsmProvider } from "./configfsTsmProvider.ts";
import type { EvidenceProvider } from "./EvidenceProvider.ts";
import { gramineProvider } from "./gramineProvider.ts";
import { noneProvider } from "./noneProvider.ts";

export function createEvidenceProvider(config: SelfAttestationConfig, privateKey: Hex): EvidenceProvider {
  switch (config.provider) {
    case "configfs-tsm":
      return configfsTsmProvider({
        ...(config.root ? { root: config.root } : {}),
        ...(config.privlevel !== undefined ? { privlevel: config.privlevel } : {}),
      });
    case "gramine":
      return gramineProvider(config.root ? { root: config.root } : {});
    case "none":
      return noneProvider(privateKey, config.measurement as Hex | undefined);
  }
}
