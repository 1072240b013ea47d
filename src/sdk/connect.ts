import { createPublicClient, custom, http, type PublicClient } from "viem";
import { UsageError } from "../errors/KeepledgerError.ts";
import { SDK_CODES } from "./codes.ts";

/** An EIP-1193 provider: window.ethereum, a Hardhat/EDR provider, ethers' BrowserProvider source, etc. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/** What the SDK accepts as a connection to the chain. */
export type ProviderLike = Eip1193Like | PublicClient | string;

function isPublicClient(p: unknown): p is PublicClient {
  return typeof p === "object" && p !== null && "readContract" in p && "getChainId" in p;
}

/** Normalizes any accepted provider to a viem public client. */
export function toPublicClient(provider: ProviderLike): PublicClient {
  if (typeof provider === "string") {
    if (!/^https?:\/\//.test(provider)) {
      throw new UsageError(SDK_CODES.SDK_PROVIDER_INVALID, `not an http(s) JSON-RPC URL: ${provider}`);
    }
    return createPublicClient({ transport: http(provider) });
  }
  if (isPublicClient(provider)) return provider;
  if (typeof provider === "object" && provider !== null && typeof (provider as Eip1193Like).request === "function") {
    return createPublicClient({ transport: custom(provider as Eip1193Like) });
  }
  throw new UsageError(SDK_CODES.SDK_PROVIDER_INVALID, "the provider must be an EIP-1193 provider, a viem public client or a JSON-RPC URL");
}
