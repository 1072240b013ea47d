import { getAddress, type Address } from "viem";
import type { Deployment } from "../chain/deployment.ts";

const registries = new Map<number, Address>();

/**
 * Tells the SDK which keepledger deployment serves a chain, so calls need not
 * pass `{ registry }` every time. Pass the deployment JSON `keepledger deploy`
 * (or `keepledger dev`) wrote.
 */
export function useDeployment(deployment: Pick<Deployment, "chainId" | "contracts">): void {
  registries.set(Number(deployment.chainId), getAddress(deployment.contracts.attestationRegistry));
}

export function knownRegistry(chainId: number): Address | undefined {
  return registries.get(chainId);
}
