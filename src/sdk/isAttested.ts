import { getAddress, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "../chain/generated/index.ts";
import { chainError } from "../chain/transactions.ts";
import { UsageError } from "../errors/KeepledgerError.ts";
import { SDK_CODES } from "./codes.ts";
import { toPublicClient, type ProviderLike } from "./connect.ts";
import { knownRegistry } from "./knownDeployments.ts";

export interface IsAttestedOptions {
  /** The AttestationRegistry address (from the deployment JSON). Default: the known deployment for the chain, if any. */
  registry?: Address;
  /** Read as of this block (default: latest). */
  blockNumber?: bigint;
}

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
export async function isAttested(provider: ProviderLike, subject: Address, workloadId: Hex, options: IsAttestedOptions = {}): Promise<IsAttestedResult> {
  const client = toPublicClient(provider);
  let registry = options.registry;
  if (registry === undefined) {
    const chainId = await client.getChainId().catch((e: unknown) => {
      throw chainError(e, "reading the chain id");
    });
    registry = knownRegistry(chainId);
    if (registry === undefined) {
      throw new UsageError(SDK_CODES.SDK_REGISTRY_UNKNOWN, `no keepledger deployment is known for chain ${chainId}; pass { registry }`, {
        details: { chainId },
      });
    }
  }
  try {
    const [ok, verdictId, expiresAt] = await client.readContract({
      address: getAddress(registry),
      abi: attestationRegistryAbi,
      functionName: "isAttested",
      args: [getAddress(subject), workloadId],
      ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
    });
    return { ok, verdictId, expiresAt: new Date(Number(expiresAt) * 1000) };
  } catch (e) {
    throw chainError(e, "calling isAttested");
  }
}
