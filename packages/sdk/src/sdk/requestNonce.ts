/** GET /v1/nonce: which block a Keep binds into its evidence. */
import type { Address } from "../util/hex.ts";
import { InfrastructureError } from "../errors/KeepledgerError.ts";
import type { Hex } from "../util/bytes.ts";
import { SDK_CODES } from "./codes.ts";
import { baseUrl, call, invalid, nodeFailure, type NodeCallOptions } from "./nodeHttp.ts";

export interface RequestNonceOptions extends NodeCallOptions {
  /** Also return this workload's policy's maxEvidenceAge. */
  workloadId?: Hex;
}

export interface RequestNonceResult {
  chainId: number;
  /** The AttestationRegistry the binding names. */
  registry: Address;
  /** The block to bind: `confirmations` deep on the node's chain. */
  blockNumber: bigint;
  blockHash: Hex;
  blockTimestamp: Date;
  confirmations: number;
  /** With `workloadId`: how old (seconds) the bound block may be when the evidence arrives. */
  maxAge?: number;
}

/** GET /v1/nonce: the block a Keep binds into its evidence (with keepReportData). */
export async function requestNonce(nodeUrl: string, options: RequestNonceOptions = {}): Promise<RequestNonceResult> {
  const base = baseUrl(nodeUrl);
  if (options.workloadId !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(options.workloadId))
    throw invalid(`workloadId must be 0x + 64 hex digits, got "${options.workloadId}"`, "workloadId");
  const answer = await call(base, `/v1/nonce${options.workloadId ? `?workload=${options.workloadId}` : ""}`, { method: "GET" }, options);
  if (answer.status !== 200) throw nodeFailure(base, answer);
  const j = answer.json as {
    chainId: number;
    registry: Address;
    blockNumber: number;
    blockHash: Hex;
    blockTimestamp: number;
    confirmations: number;
    maxAge?: number;
  };
  if (typeof j.blockNumber !== "number" || typeof j.blockHash !== "string") {
    throw new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} answered /v1/nonce without a block`, {
      details: { body: j },
    });
  }
  return {
    chainId: j.chainId,
    registry: j.registry,
    blockNumber: BigInt(j.blockNumber),
    blockHash: j.blockHash,
    blockTimestamp: new Date(j.blockTimestamp * 1000),
    confirmations: j.confirmations,
    ...(j.maxAge !== undefined ? { maxAge: j.maxAge } : {}),
  };
}
