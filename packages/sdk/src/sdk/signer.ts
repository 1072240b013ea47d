/**
 * Who signs and sends for the SDK (materializeVerdict, createKey, releaseKey), recognized by shape — the
 * SDK imports neither ethers nor viem:
 * - an ethers v6 Signer (Wallet, JsonRpcSigner) connected to a provider;
 * - a viem wallet client with an account (it signs locally or asks its transport's wallet);
 * - a viem local account (privateKeyToAccount: signs typed data, sends nothing);
 * - an EIP-1193 provider whose wallet holds the account (window.ethereum, a dev node's unlocked
 *   accounts): eth_sendTransaction and eth_signTypedData_v4; `account` names the address, else the
 *   provider's first eth_accounts entry.
 */
import { Rpc, isEip1193, type Eip1193Like } from "../chain/rpc.ts";
import { UsageError } from "../errors/KeepledgerError.ts";
import type { Address, Hex } from "../util/hex.ts";
import { SDK_CODES } from "./codes.ts";
import { providerOfEthersSigner } from "./connect.ts";
import { ethersToEip1193, isEthersProvider, isEthersSigner, type EthersSignerLike } from "./ethersProvider.ts";

/** The part of a viem wallet client the SDK uses (its methods take one object argument). */
export interface ViemWalletLike extends Eip1193Like {
  readonly account: { readonly address: Address };
  readonly chain?: unknown;
  sendTransaction(args: never): Promise<unknown>;
  signTypedData(args: never): Promise<unknown>;
}

/** The part of a viem local account (privateKeyToAccount, toAccount) the SDK uses: it signs, it does not send. */
export interface ViemAccountLike {
  readonly address: Address;
  readonly type: "local";
  signTypedData(args: never): Promise<unknown>;
}

/** An EIP-1193 provider whose wallet holds the account, optionally naming it. */
export type Eip1193SignerLike = Eip1193Like & { readonly account?: Address | { readonly address: Address } };

/** Whatever may sign (and, but for a local account, send) for the SDK. */
export type SignerLike = EthersSignerLike | ViemWalletLike | ViemAccountLike | Eip1193SignerLike;

/** EIP-712 typed data in viem's shape (what src/ids' *TypedData functions return); `types` without EIP712Domain. */
export interface TypedDataInput {
  domain: { name?: string; version?: string; chainId?: number | bigint; verifyingContract?: Address; salt?: Hex };
  types: Readonly<Record<string, readonly { readonly name: string; readonly type: string }[]>>;
  primaryType: string;
  message: Readonly<Record<string, unknown>>;
}

/** A signer, normalized. */
export interface Signer {
  address(): Promise<Address>;
  signTypedData(data: TypedDataInput): Promise<Hex>;
  /** Sends a transaction and returns its hash (SDK_PROVIDER_INVALID for a signer that cannot send). */
  sendTransaction(tx: { to: Address; data: Hex }): Promise<Hex>;
  /** Where the signer sends: its chain, for receipts and simulations (SDK_PROVIDER_INVALID when it cannot send). */
  rpc(): Rpc;
}

const isObject = (s: unknown): s is Record<string, unknown> => (typeof s === "object" || typeof s === "function") && s !== null;

function isViemWallet(s: unknown): s is ViemWalletLike {
  return (
    isEip1193(s) &&
    isObject(s) &&
    isObject(s.account) &&
    typeof s.account.address === "string" &&
    typeof s.sendTransaction === "function" &&
    typeof s.signTypedData === "function"
  );
}

function isViemAccount(s: unknown): s is ViemAccountLike {
  return isObject(s) && s.type === "local" && typeof s.address === "string" && typeof s.signTypedData === "function";
}

const EIP712_DOMAIN_FIELDS = [
  ["name", "string"],
  ["version", "string"],
  ["chainId", "uint256"],
  ["verifyingContract", "address"],
  ["salt", "bytes32"],
] as const;

/** eth_signTypedData_v4's JSON: EIP712Domain spelled out, integers as decimal strings. */
export function typedDataJson(data: TypedDataInput): string {
  const domainType = EIP712_DOMAIN_FIELDS.filter(([name]) => data.domain[name] !== undefined).map(([name, type]) => ({ name, type }));
  return JSON.stringify({ ...data, types: { EIP712Domain: domainType, ...data.types } }, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

const asHex = (value: unknown, what: string): Hex => {
  if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) return value as Hex;
  throw new UsageError(SDK_CODES.SDK_PROVIDER_INVALID, `the signer answered ${what} without a 0x-hex value`, {
    details: { value: String(value).slice(0, 80) },
  });
};

function fromEthers(signer: EthersSignerLike): Signer {
  // A Wallet without a provider still signs typed data; only sending needs the provider.
  const provider = signer.provider !== null && isEthersProvider(signer.provider) ? signer.provider : undefined;
  const sign = signer.signTypedData as unknown as (domain: unknown, types: unknown, value: unknown) => Promise<string>;
  return {
    address: async () => (await signer.getAddress()) as Address,
    // ethers derives the primary type and the domain's type itself.
    signTypedData: async (d) => asHex(await sign.call(signer, d.domain, d.types, d.message), "signTypedData"),
    sendTransaction: async (tx) => {
      providerOfEthersSigner(signer);
      return asHex((await signer.sendTransaction(tx)).hash, "sendTransaction");
    },
    rpc: () => new Rpc(ethersToEip1193(provider ?? providerOfEthersSigner(signer))),
  };
}

function fromViemWallet(wallet: ViemWalletLike): Signer {
  const send = wallet.sendTransaction as unknown as (args: Record<string, unknown>) => Promise<unknown>;
  const sign = wallet.signTypedData as unknown as (args: Record<string, unknown>) => Promise<unknown>;
  return {
    address: async () => wallet.account.address,
    signTypedData: async (d) => asHex(await sign.call(wallet, { account: wallet.account, ...d }), "signTypedData"),
    sendTransaction: async (tx) =>
      asHex(await send.call(wallet, { ...tx, account: wallet.account, chain: wallet.chain ?? null }), "sendTransaction"),
    rpc: () => new Rpc(wallet),
  };
}

function fromViemAccount(account: ViemAccountLike): Signer {
  const sign = account.signTypedData as unknown as (args: TypedDataInput) => Promise<unknown>;
  const cannotSend = () =>
    new UsageError(
      SDK_CODES.SDK_PROVIDER_INVALID,
      "a viem local account signs but does not send transactions; pass a wallet client (createWalletClient({ account, transport }))",
    );
  return {
    address: async () => account.address,
    signTypedData: async (d) => asHex(await sign.call(account, d), "signTypedData"),
    sendTransaction: () => Promise.reject(cannotSend()),
    rpc: () => {
      throw cannotSend();
    },
  };
}

function fromEip1193(provider: Eip1193SignerLike): Signer {
  const rpc = new Rpc(provider);
  let address: Promise<Address> | undefined;
  const named = provider.account;
  const addressOf = () =>
    (address ??=
      named !== undefined
        ? Promise.resolve(typeof named === "string" ? named : named.address)
        : rpc.request("eth_accounts").then((accounts) => {
            const first = Array.isArray(accounts) ? (accounts[0] as unknown) : undefined;
            if (typeof first !== "string") {
              throw new UsageError(
                SDK_CODES.SDK_PROVIDER_INVALID,
                "the EIP-1193 provider has no account to sign with (eth_accounts is empty)",
              );
            }
            return first as Address;
          }));
  return {
    address: addressOf,
    signTypedData: async (d) =>
      asHex(await rpc.request("eth_signTypedData_v4", [await addressOf(), typedDataJson(d)]), "eth_signTypedData_v4"),
    sendTransaction: async (tx) =>
      asHex(await rpc.request("eth_sendTransaction", [{ from: await addressOf(), ...tx }]), "eth_sendTransaction"),
    rpc: () => rpc,
  };
}

/** Normalizes any accepted signer; SDK_PROVIDER_INVALID names what is accepted. */
export function toSigner(signer: SignerLike): Signer {
  if (isEthersSigner(signer)) return fromEthers(signer);
  if (isViemWallet(signer)) return fromViemWallet(signer);
  if (isViemAccount(signer)) return fromViemAccount(signer);
  if (isEip1193(signer)) return fromEip1193(signer);
  throw new UsageError(
    SDK_CODES.SDK_PROVIDER_INVALID,
    "the signer must be an ethers v6 Signer with a provider, a viem wallet client with an account, a viem local account or an EIP-1193 provider with an account",
  );
}
