import { iKeepAttestationAbi } from "../chain/generated/IKeepAttestation.ts";
import type { Rpc } from "../chain/rpc.ts";
import { UsageError } from "../errors/KeepledgerError.ts";
import { getAddress } from "../util/address.ts";
import type { Address, Hex } from "../util/hex.ts";
import { SDK_CODES } from "./codes.ts";
import { toRpc, type ProviderLike } from "./connect.ts";
import type { Deployment } from "../chain/deploymentTypes.ts";

/**
 * Which keepledger deployment to ask, always explicit (the SDK keeps no registry of deployments):
 * the AttestationRegistry address, or the deployment JSON (`keepledger deploy` / `keepledger dev`
 * wrote it), whose chain id is then checked against the provider's.
 */
export type IsAttestedOptions = (
  | { registry: Address; deployment?: never }
  | { deployment: Pick<Deployment, "chainId" | "contracts">; registry?: never }
) & {
  /** Read as of this block (default: latest). */
  blockNumber?: bigint;
};

export interface IsAttestedResult {
  /** A live verdict says `subject` is an attested Keep of the workload: not expired, not revoked, measurement not revoked. */
  ok: boolean;
  /** The verdict the answer rests on (zero when there is none). */
  verdictId: Hex;
  /** When that verdict stops holding (epoch when there is none). */
  expiresAt: Date;
}

/**
 * "Is this key an attested Keep of workload W, still valid?" — one view call
 * to the chain (`IKeepAttestation.isAttested`), the same answer a contract gets.
 */
export async function isAttested(
  provider: ProviderLike,
  subject: Address,
  workloadId: Hex,
  options: IsAttestedOptions,
): Promise<IsAttestedResult> {
  const rpc = toRpc(provider);
  const registry = await registryOf(rpc, options as Partial<IsAttestedOptions> | undefined);
  const [ok, verdictId, expiresAt] = await rpc.readContract<[boolean, Hex, bigint]>({
    address: getAddress(registry),
    abi: iKeepAttestationAbi,
    functionName: "isAttested",
    args: [getAddress(subject), workloadId],
    ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
  });
  return { ok, verdictId, expiresAt: new Date(Number(expiresAt) * 1000) };
}

/** The registry address the options name; a deployment must be for the provider's chain. */
async function registryOf(rpc: Rpc, options: Partial<IsAttestedOptions> | undefined): Promise<Address> {
  if (options?.registry !== undefined) return options.registry;
  const deployment = options?.deployment;
  if (deployment === undefined) {
    throw new UsageError(
      SDK_CODES.SDK_REGISTRY_UNKNOWN,
      "no keepledger deployment given; pass { registry } or { deployment } (from the deployment JSON)",
    );
  }
  const chainId = await rpc.chainId();
  if (Number(deployment.chainId) !== chainId) {
    throw new UsageError(
      SDK_CODES.SDK_REGISTRY_UNKNOWN,
      `the deployment is for chain ${deployment.chainId}, the provider is on chain ${chainId}; pass the deployment of chain ${chainId}`,
      {
        details: { chainId, deploymentChainId: Number(deployment.chainId) },
      },
    );
  }
  return deployment.contracts.attestationRegistry;
}
