/**
 * The light SDK's JSON-RPC client, without viem or ethers: one EIP-1193 `request` (an injected wallet, a
 * viem client — it has one —, an ethers provider through sdk/ethersProvider.ts, or fetch to an http(s)
 * URL) and the few calls the SDK makes on it: eth_call with the ABI codec, the chain id, blocks and
 * receipts. Failures are typed: a revert whose data decodes against the ABI (or any keepledger contract's
 * errors) is a UsageError CHAIN_REVERTED {errorName, args}; anything else an InfrastructureError CHAIN_RPC.
 */
import { InfrastructureError, UsageError, isKeepledgerError, type KeepledgerError } from "../errors/index.ts";
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Abi } from "../util/abi.ts";
import type { Address, Hex } from "../util/hex.ts";
import { CHAIN_CODES } from "./codes.ts";
import { keepledgerErrorAbi } from "./errorsAbi.ts";

/** An EIP-1193 provider: window.ethereum, a Hardhat/EDR provider, a viem client, etc. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

export function isEip1193(p: unknown): p is Eip1193Like {
  return (typeof p === "object" || typeof p === "function") && p !== null && typeof (p as Eip1193Like).request === "function";
}

/** A JSON-RPC error as a node answers it (EIP-1474): what a revert's data travels in. */
class JsonRpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export interface HttpProviderOptions {
  /** Give up on a request after this long, headers and body together (default 30 s, as a stuck endpoint must not hang a dApp). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** EIP-1193 over fetch to an http(s) JSON-RPC endpoint; transport failures and timeouts are CHAIN_RPC, node errors keep code and data. */
export function httpProvider(url: string, options: HttpProviderOptions = {}): Eip1193Like {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let id = 0;
  return {
    async request({ method, params }) {
      const signal = AbortSignal.timeout(timeoutMs);
      const unreachable = (cause: unknown): InfrastructureError =>
        new InfrastructureError(
          CHAIN_CODES.CHAIN_RPC,
          signal.aborted
            ? `the JSON-RPC endpoint did not answer ${method} within ${timeoutMs} ms`
            : `cannot reach the JSON-RPC endpoint for ${method}`,
          { cause, details: { method, url: redact(url), ...(signal.aborted ? { timeoutMs } : {}) } },
        );
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
          signal,
        });
        text = await response.text();
      } catch (cause) {
        throw unreachable(cause);
      }
      let body: { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } } | undefined;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = undefined;
      }
      if (typeof body !== "object" || body === null || (!("result" in body) && typeof body.error !== "object")) {
        throw new InfrastructureError(
          CHAIN_CODES.CHAIN_RPC,
          `the JSON-RPC endpoint answered ${method} with HTTP ${response.status} and no JSON-RPC body`,
          {
            details: { method, status: response.status, body: text.slice(0, 200) },
          },
        );
      }
      if (body.error) {
        const e = body.error;
        throw new JsonRpcError(
          typeof e.code === "number" ? e.code : 0,
          typeof e.message === "string" ? e.message : "JSON-RPC error",
          e.data,
        );
      }
      return body.result;
    },
  };
}

/** An URL without its credentials or path secrets (API keys often sit in the path). */
function redact(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : "(invalid URL)";
}

const hexOf = (n: bigint | number): Hex => `0x${n.toString(16)}`;
const isHexString = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v);

function quantity(value: unknown, what: string): bigint {
  if (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `the JSON-RPC endpoint answered ${what} with a malformed quantity`, {
    details: { value: String(value).slice(0, 80) },
  });
}

export type BlockTag = bigint | "latest" | "pending";
const blockParam = (block: BlockTag | undefined): string =>
  block === undefined ? "latest" : typeof block === "bigint" ? hexOf(block) : block;

/** A revert's data, wherever the provider put it: the error itself, its cause chain, ethers' info.error, a nested data.data. */
export function revertDataOf(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 32) {
    const e = queue.shift();
    if (typeof e !== "object" || e === null || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    // Revert data is the error's selector and arguments: at least 4 bytes.
    if (isHexString(o.data) && o.data.length >= 10) return o.data;
    queue.push(o.data, o.cause, o.error, (o.info as Record<string, unknown> | undefined)?.error);
  }
  return undefined;
}

/** Wraps any failure of a chain call into the keepledger error it stands for, decoding a revert against `abi` and keepledger's errors. */
export function rpcError(error: unknown, what: string, abi: Abi = []): KeepledgerError {
  if (isKeepledgerError(error)) return error;
  const data = revertDataOf(error);
  if (data !== undefined) {
    let decoded: ReturnType<typeof decodeErrorResult>;
    try {
      decoded = decodeErrorResult({ abi: [...abi, ...keepledgerErrorAbi], data });
    } catch {
      decoded = undefined;
    }
    if (decoded) {
      return new UsageError(CHAIN_CODES.CHAIN_REVERTED, `${what} reverted with ${decoded.errorName}`, {
        details: { errorName: decoded.errorName, args: decoded.args },
        cause: error,
      });
    }
  }
  const message = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  return new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `${what} failed: ${message}`, { cause: error });
}

export interface ContractRead {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  /** Default: latest. */
  blockNumber?: bigint;
  /** The caller, for reads that depend on msg.sender and for simulating a transaction. */
  from?: Address;
}

export interface Block {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
}

export interface Receipt {
  transactionHash: Hex;
  status: "success" | "reverted";
  blockNumber: bigint;
  gasUsed: bigint;
  contractAddress: Address | null;
  logs: { address: Address; topics: Hex[]; data: Hex }[];
}

/** The JSON-RPC calls the SDK makes, over any EIP-1193 provider. */
export class Rpc {
  readonly provider: Eip1193Like;
  constructor(provider: Eip1193Like) {
    this.provider = provider;
  }

  async request(method: string, params: readonly unknown[] = []): Promise<unknown> {
    try {
      return await this.provider.request({ method, params });
    } catch (error) {
      throw rpcError(error, method);
    }
  }

  async chainId(): Promise<number> {
    return Number(quantity(await this.request("eth_chainId"), "eth_chainId"));
  }

  async blockNumber(): Promise<bigint> {
    return quantity(await this.request("eth_blockNumber"), "eth_blockNumber");
  }

  async getBlock(block: BlockTag = "latest"): Promise<Block> {
    const b = (await this.request("eth_getBlockByNumber", [blockParam(block), false])) as Record<string, unknown> | null;
    if (typeof b !== "object" || b === null || !isHexString(b.hash) || b.hash.length !== 66) {
      throw new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `the JSON-RPC endpoint has no block ${blockParam(block)}`, {
        details: { block: blockParam(block) },
      });
    }
    return { number: quantity(b.number, "eth_getBlockByNumber"), hash: b.hash, timestamp: quantity(b.timestamp, "eth_getBlockByNumber") };
  }

  /** eth_call; a revert is decoded against `abi` and keepledger's errors (CHAIN_REVERTED). */
  async call(tx: { to: Address; data: Hex; from?: Address }, block?: BlockTag, abi: Abi = [], what = "eth_call"): Promise<Hex> {
    let result: unknown;
    try {
      result = await this.provider.request({ method: "eth_call", params: [{ ...tx }, blockParam(block)] });
    } catch (error) {
      throw rpcError(error, what, abi);
    }
    if (!isHexString(result)) {
      throw new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `${what}: the JSON-RPC endpoint answered eth_call without hex data`, {
        details: { result: String(result).slice(0, 80) },
      });
    }
    return result;
  }

  /** A view call decoded with the ABI: one output is the value, several an array (like viem's readContract). */
  async readContract<T = unknown>(read: ContractRead): Promise<T> {
    const data = encodeFunctionData({ abi: read.abi, functionName: read.functionName, args: read.args ?? [] });
    const tx = { to: read.address, data, ...(read.from ? { from: read.from } : {}) };
    const result = await this.call(tx, read.blockNumber, read.abi, read.functionName);
    if (result === "0x") {
      // No code at the address (or a function that returns nothing where the ABI says it returns).
      throw new InfrastructureError(
        CHAIN_CODES.CHAIN_RPC,
        `${read.functionName}: no answer from ${read.address} (no contract there on this chain?)`,
        {
          details: { address: read.address, functionName: read.functionName },
        },
      );
    }
    try {
      return decodeFunctionResult({ abi: read.abi, functionName: read.functionName, data: result }) as T;
    } catch (error) {
      throw rpcError(error, `decoding ${read.functionName}'s answer`);
    }
  }

  async getReceipt(hash: Hex): Promise<Receipt | undefined> {
    const r = (await this.request("eth_getTransactionReceipt", [hash])) as Record<string, unknown> | null;
    if (r === null || r === undefined) return undefined;
    const logs = Array.isArray(r.logs) ? (r.logs as { address: Address; topics: Hex[]; data: Hex }[]) : [];
    return {
      transactionHash: hash,
      status: quantity(r.status, "eth_getTransactionReceipt") === 1n ? "success" : "reverted",
      blockNumber: quantity(r.blockNumber, "eth_getTransactionReceipt"),
      gasUsed: quantity(r.gasUsed, "eth_getTransactionReceipt"),
      contractAddress: isHexString(r.contractAddress) ? r.contractAddress : null,
      logs: logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
    };
  }

  /** Polls for the receipt (every `intervalMs`, up to `timeoutMs`); CHAIN_RPC when it does not come. */
  async waitForReceipt(hash: Hex, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Receipt> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const receipt = await this.getReceipt(hash);
      if (receipt) return receipt;
      if (Date.now() >= deadline) {
        throw new InfrastructureError(CHAIN_CODES.CHAIN_RPC, `no receipt for transaction ${hash} within the timeout`, {
          details: { hash },
        });
      }
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 250, Math.max(0, deadline - Date.now()))));
    }
  }
}
