/**
 * EIP-1193 providers as a dApp without viem or ethers has them, for the SDK's "neither" path: plain
 * JSON-RPC over fetch (window.ethereum's shape; a dev chain's unlocked accounts sign and send), and a
 * wallet holding one key (as MetaMask does: eth_signTypedData_v4 answered locally, the rest forwarded).
 */
import { Wallet, type TypedDataField } from "ethers";

export interface Eip1193 {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
  account?: `0x${string}`;
}

/** JSON-RPC over fetch; a node error rejects with its code, message and data, as wallets do. */
export function fetchEip1193(url: string, account?: `0x${string}`): Eip1193 {
  let id = 0;
  return {
    ...(account ? { account } : {}),
    async request({ method, params }) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
      });
      const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
      return body.result;
    },
  };
}

/** A wallet over `url` that holds `privateKey`: it signs typed data itself (from eth_signTypedData_v4's JSON) and names its account. */
export function keyWalletEip1193(url: string, privateKey: `0x${string}`): Eip1193 & { account: `0x${string}` } {
  const wallet = new Wallet(privateKey);
  const chain = fetchEip1193(url);
  return {
    account: wallet.address as `0x${string}`,
    async request({ method, params }) {
      if (method === "eth_accounts") return [wallet.address];
      if (method !== "eth_signTypedData_v4") return chain.request({ method, params });
      const [from, json] = params as [string, string];
      if (from.toLowerCase() !== wallet.address.toLowerCase()) throw Object.assign(new Error(`unknown account ${from}`), { code: 4100 });
      const typed = JSON.parse(json) as {
        domain: Record<string, unknown>;
        types: Record<string, TypedDataField[]>;
        message: Record<string, unknown>;
      };
      const { EIP712Domain: _domain, ...types } = typed.types;
      return wallet.signTypedData(typed.domain, types, typed.message);
    },
  };
}
