/**
 * The shape of a keepledger deployment: what the SDK needs to find the contracts. Reading and writing
 * deployment files (JSON schema, files on disk) is the keepledger package's (src/chain/deployment.ts).
 */
import type { Address } from "../util/hex.ts";

export interface Deployment {
  chainId: number;
  contracts: {
    workloadRegistry: Address;
    validatorSet: Address;
    attestationRegistry: Address;
    /**
     * The per-workload allow-list of Arm CCA platform keys (issue 12), governed through the WorkloadRegistry.
     * Absent in deployments made before it: then no workload lists a CPAK and Arm CCA evidence is refused.
     */
    cpakAllowList?: Address;
    /** The KeyRegistry (docs/key-release.md); absent in deployment files written before it was deployed with the rest. */
    keyRegistry?: Address;
  };
  /** The block of the first deployment transaction: indexers start here. */
  deployBlock: bigint;
  deployer: Address;
  devPoliciesAllowed: boolean;
}
