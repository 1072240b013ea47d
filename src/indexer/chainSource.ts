/**
 * What the indexer asks of a JSON-RPC endpoint: the head, logs over a block range and block headers.
 * Raw JSON-RPC (no viem formatting) keeps 100,000 logs cheap; any EIP-1193 provider or viem client fits.
 */
import { createPublicClient, http, type Hex } from "viem";
import { InfrastructureError, isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { INDEXER_CODES } from "./codes.ts";
import type { RawLog } from "./decodeLogs.ts";

/** An EIP-1193 `request` (a viem client or transport, Hardhat's provider, …). */
export interface ChainSource {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

export interface BlockHeader {
  number: number;
  hash: Hex;
  parentHash: Hex;
  timestamp: number;
}

/**
 * A JSON-RPC endpoint over HTTP for the indexer: small requests (headers) are batched into one HTTP
 * request; eth_getLogs goes alone, so that a large page of logs never fails the headers batched with it
 * (viem caps a response body; a page over the cap is halved by the indexer).
 */
export function httpChainSource(url: string, options: { maxResponseBytes?: number } = {}): ChainSource {
  const maxResponseBodySize = options.maxResponseBytes ?? 128 * 1024 * 1024;
  // No retries for logs: a page too large for one response is halved by the indexer, not asked again.
  const single = createPublicClient({ transport: http(url, { retryCount: 0, maxResponseBodySize }) });
  const batched = createPublicClient({ transport: http(url, { retryCount: 3, batch: { batchSize: 100 }, maxResponseBodySize }) });
  return { request: (args) => (args.method === "eth_getLogs" ? single : batched).request(args as never) };
}

/** eth_getLogs refused the range as too large (providers word this differently). */
export class RangeTooLargeError extends Error {}

const RANGE_ERROR = /range|too many|limit|exceed|response size|10000 results|query returned more/i;

function rpcFailure(what: string, error: unknown): Error {
  if (isKeepledgerError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InfrastructureError(INDEXER_CODES.INDEXER_RPC, `${what} failed: ${message.split("\n")[0]}`, { cause: error });
}

const toHex = (n: number): Hex => `0x${n.toString(16)}`;

export async function headBlockNumber(chain: ChainSource): Promise<number> {
  try {
    return Number(BigInt((await chain.request({ method: "eth_blockNumber" })) as string));
  } catch (error) {
    throw rpcFailure("eth_blockNumber", error);
  }
}

export async function getLogs(
  chain: ChainSource,
  addresses: readonly Hex[],
  from: number,
  to: number,
  topics?: readonly (Hex | null)[],
): Promise<RawLog[]> {
  try {
    return (await chain.request({
      method: "eth_getLogs",
      params: [{ address: addresses, fromBlock: toHex(from), toBlock: toHex(to), ...(topics ? { topics } : {}) }],
    })) as RawLog[];
  } catch (error) {
    const message = error instanceof Error ? `${error.message} ${(error as { details?: string }).details ?? ""}` : String(error);
    if (to > from && RANGE_ERROR.test(message)) throw new RangeTooLargeError(message);
    throw rpcFailure(`eth_getLogs ${from}..${to}`, error);
  }
}

/** The header of block `n`, or null when the chain does not have it (it is shorter than that). */
export async function getHeader(chain: ChainSource, n: number): Promise<BlockHeader | null> {
  let block: { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex } | null;
  try {
    block = (await chain.request({ method: "eth_getBlockByNumber", params: [toHex(n), false] })) as typeof block;
  } catch (error) {
    throw rpcFailure(`eth_getBlockByNumber ${n}`, error);
  }
  if (!block) return null;
  return {
    number: Number(BigInt(block.number)),
    hash: block.hash.toLowerCase() as Hex,
    parentHash: block.parentHash.toLowerCase() as Hex,
    timestamp: Number(BigInt(block.timestamp)),
  };
}

/** Headers of many blocks, `concurrency` requests at a time (HTTP transports may batch them). */
export async function getHeaders(
  chain: ChainSource,
  numbers: readonly number[],
  concurrency = 16,
): Promise<Map<number, BlockHeader | null>> {
  const out = new Map<number, BlockHeader | null>();
  let next = 0;
  const worker = async () => {
    while (next < numbers.length) {
      const n = numbers[next++]!;
      out.set(n, await getHeader(chain, n));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, numbers.length) }, worker));
  return out;
}
