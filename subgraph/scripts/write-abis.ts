// Writes subgraph/abis/*.json from the committed chain bindings (packages/sdk/src/chain/generated), so the subgraph
// reads exactly the ABIs the indexer decodes with. test/indexer/subgraph.test.ts fails when they differ.
import { writeFileSync } from "node:fs";
import {
  attestationRegistryAbi,
  cpakAllowListAbi,
  keyRegistryAbi,
  validatorSetAbi,
  workloadRegistryAbi,
} from "@keepledger/sdk/internal/chain/generated/index";

export const SUBGRAPH_ABIS = {
  WorkloadRegistry: workloadRegistryAbi,
  ValidatorSet: validatorSetAbi,
  AttestationRegistry: attestationRegistryAbi,
  KeyRegistry: keyRegistryAbi,
  CpakAllowList: cpakAllowListAbi,
} as const;

export function abiJson(abi: readonly unknown[]): string {
  return `${JSON.stringify(abi, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, abi] of Object.entries(SUBGRAPH_ABIS)) {
    writeFileSync(new URL(`../abis/${name}.json`, import.meta.url), abiJson(abi));
    console.log(`wrote subgraph/abis/${name}.json`);
  }
}
