/**
 * What the SDK accepts as a connection to the chain, normalized to one EIP-1193 `request` (chain/rpc.ts)
 * by shape: neither viem nor ethers is imported, so a dApp installs only the one it uses (or neither).
 */
import { httpProvider, isEip1193, Rpc, type Eip1193Like } from "../chain/rpc.ts";
import { UsageError } from "../errors/KeepledgerError.ts";
import { SDK_CODES } from "./codes.ts";
import { ethersToEip1193, isEthersProvider, isEthersSigner, type EthersProviderLike, type EthersSignerLike } from "./ethersProvider.ts";

export type { Eip1193Like };

/**
 * A connection to the chain: an http(s) JSON-RPC URL, an EIP-1193 provider (window.ethereum, a viem
 * public or wallet client: both have `request`), an ethers v6 Provider (JsonRpcProvider, BrowserProvider,
 * FallbackProvider, …) or an ethers v6 Signer with a provider (its provider is used for reads).
 */
export type ProviderLike = Eip1193Like | EthersProviderLike | EthersSignerLike | string;

/** An ethers Signer's provider, or SDK_PROVIDER_INVALID naming what to do. */
export function providerOfEthersSigner(signer: EthersSignerLike): EthersProviderLike {
  if (signer.provider === null || !isEthersProvider(signer.provider)) {
    throw new UsageError(
      SDK_CODES.SDK_PROVIDER_INVALID,
      "the ethers Signer is not connected to a provider; connect it (signer.connect(provider))",
    );
  }
  return signer.provider;
}

/** Normalizes any accepted connection to an EIP-1193 provider. */
export function toEip1193(provider: ProviderLike): Eip1193Like {
  if (typeof provider === "string") {
    if (!/^https?:\/\//.test(provider)) {
      throw new UsageError(SDK_CODES.SDK_PROVIDER_INVALID, `not an http(s) JSON-RPC URL: ${provider}`);
    }
    return httpProvider(provider);
  }
  // ethers before EIP-1193: an ethers provider has no request(), but a wrapper might have both.
  if (isEthersSigner(provider)) return ethersToEip1193(providerOfEthersSigner(provider));
  if (isEthersProvider(provider)) return ethersToEip1193(provider);
  if (isEip1193(provider)) return provider;
  throw new UsageError(
    SDK_CODES.SDK_PROVIDER_INVALID,
    "the provider must be an EIP-1193 provider (or a viem client), an ethers v6 Provider or connected Signer, or a JSON-RPC URL",
  );
}

/** Normalizes any accepted connection to the SDK's JSON-RPC client. */
export function toRpc(provider: ProviderLike): Rpc {
  return new Rpc(toEip1193(provider));
}
