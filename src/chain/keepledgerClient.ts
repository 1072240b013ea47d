/**
 * A typed client over one keepledger deployment: submitting verdicts (single, batch, materialize) and
 * reading isAttested — what the validator node and the CLI build on.
 */
import { getAddress, parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";
import {
  keepledgerDomain,
  normalizeVerdict,
  type KeepledgerDomain,
  type Verdict,
  type VerdictGroup,
} from "@keepledger/sdk/internal/ids/index";
import type { Deployment } from "./deployment.ts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { chainError, sendContractCall, type ChainClients } from "./transactions.ts";

export interface Submitted {
  hash: Hex;
  receipt: TransactionReceipt;
  gasUsed: bigint;
}

export interface AttestedResult {
  ok: boolean;
  verdictId: Hex;
  expiresAt: bigint;
}

export interface KeepledgerClient {
  deployment: Deployment;
  /** The EIP-712 domain validators sign under for this deployment. */
  domain: KeepledgerDomain;
  finalizeVerdict(v: Verdict, signatures: Hex): Promise<Submitted & { verdictId: Hex }>;
  finalizeBatch(groups: readonly VerdictGroup[], signatures: Hex): Promise<Submitted & { batchId: Hex }>;
  materializeVerdict(v: Verdict, batchId: Hex, proof: readonly Hex[]): Promise<Submitted & { verdictId: Hex }>;
  isAttested(subject: Address, workloadId: Hex): Promise<AttestedResult>;
  isVerdictLive(verdictId: Hex): Promise<boolean>;
}

export function keepledgerClient(clients: ChainClients, deployment: Deployment): KeepledgerClient {
  const address = deployment.contracts.attestationRegistry;
  const domain = keepledgerDomain(deployment.chainId, address);
  const chainId = BigInt(deployment.chainId);
  const send = async (functionName: string, args: readonly unknown[]) => {
    const sent = await sendContractCall<Hex>(clients, { address, abi: attestationRegistryAbi, functionName, args });
    return { hash: sent.hash, receipt: sent.receipt, gasUsed: sent.receipt.gasUsed, result: sent.result };
  };
  return {
    deployment,
    domain,
    async finalizeVerdict(v, signatures) {
      const { result, ...rest } = await send("finalizeVerdict", [normalizeVerdict(v), chainId, address, signatures]);
      return { ...rest, verdictId: result };
    },
    async finalizeBatch(groups, signatures) {
      const { result, ...rest } = await send("finalizeBatch", [groups, chainId, address, signatures]);
      return { ...rest, batchId: result };
    },
    async materializeVerdict(v, batchId, proof) {
      const { result, ...rest } = await send("materializeVerdict", [normalizeVerdict(v), batchId, proof]);
      return { ...rest, verdictId: result };
    },
    async isAttested(subject, workloadId) {
      try {
        const [ok, verdictId, expiresAt] = await clients.publicClient.readContract({
          address,
          abi: attestationRegistryAbi,
          functionName: "isAttested",
          args: [subject, workloadId],
        });
        return { ok, verdictId, expiresAt };
      } catch (error) {
        throw chainError(error, "isAttested");
      }
    },
    async isVerdictLive(verdictId) {
      try {
        return await clients.publicClient.readContract({
          address,
          abi: attestationRegistryAbi,
          functionName: "isVerdictLive",
          args: [verdictId],
        });
      } catch (error) {
        throw chainError(error, "isVerdictLive");
      }
    },
  };
}

/** The AttestationRegistry events of a receipt, decoded; logs of other contracts are skipped. */
export function attestationEvents(receipt: TransactionReceipt, deployment: Deployment) {
  const address = getAddress(deployment.contracts.attestationRegistry);
  return parseEventLogs({ abi: attestationRegistryAbi, logs: receipt.logs.filter((l) => getAddress(l.address) === address) });
}
