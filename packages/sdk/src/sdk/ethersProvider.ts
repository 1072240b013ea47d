/**
 * ethers v6 at the SDK's edge, recognized by shape: the SDK never imports ethers, so a dApp without it
 * installs nothing more, and one with it passes its Provider or Signer as is. An ethers provider becomes
 * an EIP-1193 source for the SDK's JSON-RPC client (chain/rpc.ts): JSON-RPC providers (JsonRpcProvider, BrowserProvider, WebSocketProvider)
 * through their `send`; any other ethers provider (FallbackProvider, …) through its high-level calls,
 * for the few methods the SDK's reads use.
 */
import { UsageError } from "../errors/KeepledgerError.ts";
import { SDK_CODES } from "./codes.ts";

/** The part of an ethers v6 `Provider` the SDK uses. */
export interface EthersProviderLike {
  getNetwork(): Promise<{ chainId: bigint }>;
  getBlockNumber(): Promise<number>;
  call(tx: { to?: string | null; data?: string | null; from?: string | null; blockTag?: string | number | bigint }): Promise<string>;
  broadcastTransaction(signedTx: string): Promise<unknown>;
  /** JsonRpcApiProvider only: a raw JSON-RPC request. */
  send?(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown>;
  /** For a provider without send() (FallbackProvider …): receipts and blocks the SDK waits for and binds. */
  getTransactionReceipt?(hash: string): Promise<EthersReceiptLike | null>;
  getBlock?(block: string | number | bigint): Promise<{ number: number; hash: string | null; timestamp: number } | null>;
}

/** The part of an ethers v6 `TransactionReceipt` the SDK reads. */
export interface EthersReceiptLike {
  status: number | null;
  blockNumber: number;
  gasUsed: bigint;
  contractAddress: string | null;
  logs: readonly { address: string; topics: readonly string[]; data: string }[];
}

/** The part of an ethers v6 `Signer` the SDK uses. */
export interface EthersSignerLike {
  readonly provider: EthersProviderLike | null;
  getAddress(): Promise<string>;
  sendTransaction(tx: { to?: string | null; data?: string | null; value?: bigint }): Promise<{ hash: string }>;
  signTypedData(...args: never[]): Promise<string>;
}

const isObject = (p: unknown): p is Record<string, unknown> => (typeof p === "object" || typeof p === "function") && p !== null;

export function isEthersProvider(p: unknown): p is EthersProviderLike {
  return (
    isObject(p) &&
    typeof p.getNetwork === "function" &&
    typeof p.getBlockNumber === "function" &&
    typeof p.call === "function" &&
    typeof p.broadcastTransaction === "function"
  );
}

export function isEthersSigner(p: unknown): p is EthersSignerLike {
  return (
    isObject(p) &&
    "provider" in p &&
    typeof p.getAddress === "function" &&
    typeof p.sendTransaction === "function" &&
    typeof p.signTypedData === "function"
  );
}

type RpcRequest = { method: string; params?: unknown };

const quantity = (n: number | bigint): string => `0x${n.toString(16)}`;

/** An EIP-1193 `request` over an ethers provider. */
export function ethersToEip1193(provider: EthersProviderLike): { request(args: RpcRequest): Promise<unknown> } {
  const send = provider.send;
  if (typeof send === "function") {
    return { request: ({ method, params }) => send.call(provider, method, (params as unknown[] | undefined) ?? []) };
  }
  return {
    async request({ method, params }) {
      const p = (params as unknown[] | undefined) ?? [];
      switch (method) {
        case "eth_chainId":
          return `0x${(await provider.getNetwork()).chainId.toString(16)}`;
        case "eth_blockNumber":
          return `0x${(await provider.getBlockNumber()).toString(16)}`;
        case "eth_call": {
          const tx = (p[0] ?? {}) as { to?: string; data?: string; from?: string };
          const block = p[1] as string | undefined;
          return provider.call({ to: tx.to ?? null, data: tx.data ?? null, from: tx.from ?? null, ...(block ? { blockTag: block } : {}) });
        }
        case "eth_getTransactionReceipt": {
          if (typeof provider.getTransactionReceipt !== "function") break;
          const r = await provider.getTransactionReceipt(p[0] as string);
          if (r === null) return null;
          return {
            status: r.status === 1 ? "0x1" : "0x0",
            blockNumber: quantity(r.blockNumber),
            gasUsed: quantity(r.gasUsed),
            contractAddress: r.contractAddress,
            logs: r.logs.map((l) => ({ address: l.address, topics: [...l.topics], data: l.data })),
          };
        }
        case "eth_getBlockByNumber": {
          if (typeof provider.getBlock !== "function") break;
          const tag = p[0] as string;
          const b = await provider.getBlock(/^0x[0-9a-fA-F]+$/.test(tag) ? BigInt(tag) : tag);
          return b === null ? null : { number: quantity(b.number), hash: b.hash, timestamp: quantity(b.timestamp) };
        }
      }
      throw new UsageError(
        SDK_CODES.SDK_PROVIDER_INVALID,
        `this ethers provider has no send(); the SDK cannot forward ${method} through it (use a JsonRpcProvider or BrowserProvider)`,
      );
    },
  };
}
