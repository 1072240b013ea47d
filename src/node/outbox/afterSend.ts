/**
 * What a finalizeVerdict / finalizeBatch answer means for the outbox, the same for both modes: finalized
 * (or already finalized by someone else), a signer that stopped counting (its signature is dropped and
 * the subject goes back to collecting), an outage to retry, or a refusal that rejects. The metrics and
 * the log line are written here; the state machine settles its verdict or batch from the result.
 */
import { getAddress, type Address, type Hex } from "viem";
import type { SendOutcome } from "../../chain/transactionSender.ts";
import { errorJson, expiredErrorJson } from "../errorJson.ts";
import type { ErrorJson } from "../types.ts";
import type { OutboxOptions } from "./outboxTypes.ts";

export interface AfterSendTarget {
  mode: "single" | "batch";
  /** The verdict id (single) or batch root (batch). */
  id: Hex;
  /** Moves the subject back to collecting signatures (pending verdict, signing batch). */
  backToSigning(): Promise<void>;
}

export type AfterSendResult =
  | { kind: "finalized"; txHash: Hex | undefined; how: "finalized" | "already_finalized" }
  | { kind: "retry" }
  | { kind: "refused"; error: ErrorJson };

export async function afterSend(o: OutboxOptions, outcome: SendOutcome, target: AfterSendTarget): Promise<AfterSendResult> {
  const { metrics, store, log } = o;
  const { mode, id } = target;
  if (outcome.ok) {
    metrics.submissions.inc({ mode, outcome: "finalized" });
    metrics.gasUsed.inc({ mode }, Number(outcome.gasUsed));
    return { kind: "finalized", txHash: outcome.hash, how: "finalized" };
  }
  const name = outcome.revert?.errorName;
  if (name === "AttestationRegistryVerdictAlreadyFinalized" || name === "AttestationRegistryBatchAlreadyFinalized") {
    metrics.submissions.inc({ mode, outcome: "already_finalized" });
    return { kind: "finalized", txHash: outcome.hash, how: "already_finalized" };
  }
  if (name === "AttestationRegistryUnknownSigner" || name === "AttestationRegistryInactiveValidator") {
    // A signer stopped counting between signing and sending: drop its signature and collect another.
    const signer = outcome.revert?.args[0] as Address;
    await store.dropSignature(id, getAddress(signer));
    o.chain.invalidateValidators();
    metrics.submissions.inc({ mode, outcome: "retried" });
    await target.backToSigning();
    return { kind: "retry" };
  }
  if (name === "AttestationRegistryTooFewSigners" || name === "AttestationRegistryThresholdNotSet") {
    o.chain.invalidateValidators();
    metrics.submissions.inc({ mode, outcome: "retried" });
    await target.backToSigning();
    return { kind: "retry" };
  }
  if (outcome.revert === undefined && outcome.error.retryable) {
    metrics.submissions.inc({ mode, outcome: "retried" });
    return { kind: "retry" };
  }
  metrics.submissions.inc({ mode, outcome: "reverted" });
  const error = name === "AttestationRegistryVerdictExpired" ? expiredErrorJson() : errorJson(outcome.error);
  log.warn("finalization refused by the chain", {
    verdictId: mode === "single" ? id : undefined,
    batchId: mode === "batch" ? id : undefined,
    errorName: name,
    code: error.code,
  });
  return { kind: "refused", error };
}
