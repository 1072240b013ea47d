import { createPublicClient, custom, http, type PublicClient } from "viem";
import { UsageError } from "../errors/KeepledgerError.ts";
import { SDK_CODES } from "./codes.ts";
import { ethersToEip1193, isEthersProvider, isEthersSigner, type EthersProviderLike, type EthersSignerLike } from "./ethersProvider.ts";

/** An EIP-1193 provider: window.ethereum, a Hardhat/EDR provider, etc. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/**
 * What the SDK accepts as a connection to the chain: an http(s) JSON-RPC URL, a viem public client, an
 * EIP-1193 provider, an ethers v6 Provider (JsonRpcProvider, BrowserProvider, …) or an ethers v6 Signer
 * with a provider (its provider is used for reads).
 */
export type ProviderLike = Eip1193Like | PublicClient | EthersProviderLike | EthersSignerLike | string;

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
  // ethers before EIP-1193: an ethers provider has no request(), but a wrapper might have both.
  if (isEthersSigner(provider)) {
    if (provider.provider === null || !isEthersProvider(provider.provider)) {
      throw new UsageError(
        SDK_CODES.SDK_PROVIDER_INVALID,
        "the ethers Signer is not connected to a provider; connect it (signer.connect(provider))",
      );
    }
    return createPublicClient({ transport: custom(ethersToEip1193(provider.provider)) });
  }
  if (isEthersProvider(provider)) return createPublicClient({ transport: custom(ethersToEip1193(provider)) });
  if (typeof provider === "object" && provider !== null && typeof (provider as Eip1193Like).request === "function") {
    return createPublicClient({ transport: custom(provider as Eip1193Like) });
  }
  throw new UsageError(
    SDK_CODES.SDK_PROVIDER_INVALID,
    "the provider must be an EIP-1193 provider, a viem public client, an ethers v6 Provider or Signer, or a JSON-RPC URL",
  );
}
