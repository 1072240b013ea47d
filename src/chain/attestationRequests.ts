/**
 * On-chain attestation requests (contracts/AttestationRequests.sol): deploying the contract, posting a
 * request, and decoding the AttestationRequested events validator nodes pick requests up from.
 */
import { getAddress, parseEventLogs, type Address, type Hex, type Log } from "viem";
import { UsageError } from "@keepledger/sdk/internal/errors/index";
import { CHAIN_CODES } from "@keepledger/sdk/internal/chain/codes";
import { attestationRequestsAbi, attestationRequestsBytecode } from "@keepledger/sdk/internal/chain/generated/index";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export interface AttestationRequestInput {
  workloadId: Hex;
  /** The raw evidence bytes. */
  evidence: Uint8Array | Hex;
  /** The bound key: 64 bytes X‖Y or 65 bytes 0x04‖X‖Y; omit for unbound evidence. */
  publicKey?: Hex;
  /** The bound block; omit (0) for unbound evidence. */
  freshnessBlock?: bigint;
}

/** A decoded AttestationRequested event. */
export interface AttestationRequest {
  requestId: bigint;
  workloadId: Hex;
  requester: Address;
  evidence: Hex;
  /** "0x" for unbound evidence. */
  publicKey: Hex;
  freshnessBlock: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** Deploys an AttestationRequests contract and returns its address. */
export async function deployAttestationRequests(clients: ChainClients): Promise<Address> {
  let hash: Hex;
  try {
    hash = await clients.walletClient.deployContract({ abi: attestationRequestsAbi, bytecode: attestationRequestsBytecode, args: [] });
  } catch (error) {
    throw chainError(error, "deploying AttestationRequests");
  }
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new UsageError(CHAIN_CODES.CHAIN_DEPLOYMENT_MISMATCH, "deploying AttestationRequests failed", { details: { hash } });
  }
  return getAddress(receipt.contractAddress);
}

/** Posts a request; the contract checks its shape and emits AttestationRequested. */
export async function requestAttestation(
  clients: ChainClients,
  address: Address,
  input: AttestationRequestInput,
): Promise<{ requestId: bigint; hash: Hex; gasUsed: bigint }> {
  const evidence: Hex = typeof input.evidence === "string" ? input.evidence : `0x${Buffer.from(input.evidence).toString("hex")}`;
  const sent = await sendContractCall<bigint>(clients, {
    address,
    abi: attestationRequestsAbi,
    functionName: "requestAttestation",
    args: [input.workloadId, evidence, input.publicKey ?? "0x", input.freshnessBlock ?? 0n],
  });
  return { requestId: sent.result, hash: sent.hash, gasUsed: sent.receipt.gasUsed };
}

/** The AttestationRequested events among `logs` (others are skipped), in log order. */
export function decodeAttestationRequests(logs: readonly Log[]): AttestationRequest[] {
  return parseEventLogs({ abi: attestationRequestsAbi, eventName: "AttestationRequested", logs: [...logs] }).map((log) => ({
    requestId: log.args.requestId,
    workloadId: log.args.workloadId,
    requester: getAddress(log.args.requester),
    evidence: log.args.evidence,
    publicKey: log.args.publicKey,
    freshnessBlock: log.args.freshnessBlock,
    blockNumber: log.blockNumber ?? 0n,
    transactionHash: log.transactionHash ?? "0x",
  }));
}
