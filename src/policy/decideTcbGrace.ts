/**
 * The TCB grace-period decision of a TCB recovery: Intel published newer TCB Info (a higher
 * tcbEvaluationDataNumber) under which a platform falls below the workload's policy, and evidence from that
 * platform is still appraised under the older TCB Info it carries. Until the policy's tcbGracePeriod has
 * passed since the newer TCB Info's issueDate (a date every validator, and an auditor, reads the same) it
 * is accepted with a downgrade notice; after it, it is refused (NODE_TCB_DOWNGRADED).
 *
 * Pure: the node's TCB recovery (src/node/tcb/tcbRecovery.ts) calls it with the newest TCB Info it
 * verified, and `keepledger audit` (src/audit/replayTcbGrace.ts) with the TCB Info given to it, as of the
 * verdict's issuedAt — so both reach the same decision from the same documents.
 */
import { PolicyError } from "@keepledger/sdk/internal/errors/index";
import { POLICY_CODES } from "./codes.ts";
import type { WorkloadPolicy } from "./types.ts";

export interface DecideTcbGraceInput {
  /** The tcbEvaluationDataNumber of the TCB Info the evidence was appraised under. */
  evaluationDataNumber: number;
  /** The TCB status the evidence got under that TCB Info. */
  status: string;
  /** The newest verified TCB Info for the platform: its number, its issueDate (unix seconds), and the status the evidence gets under it (or the code of the failure it meets). */
  newest: { evaluationDataNumber: number; issueDate: number; status: string };
  policy: Pick<WorkloadPolicy, "acceptedTcbStatuses" | "tcbGracePeriod">;
  /** The time of the decision, unix seconds (the node's chain time; the verdict's issuedAt in an audit). */
  now: number;
  /** Named in the refusal's details. */
  fmspc?: string;
}

/** What a validator shows beside a verdict it countersigns inside the grace period. */
export interface TcbDowngradeNotice {
  newStatus: string;
  graceEndsAt: number;
  evaluationDataNumber: number;
}

export type DecideTcbGraceResult =
  /** The newest TCB Info is not newer than the evidence's, or the policy accepts the status it gives. */
  | { decision: "unaffected" }
  /** Inside the grace period: accepted, with a downgrade notice. */
  | { decision: "grace"; notice: TcbDowngradeNotice }
  /** After the grace period: refused with NODE_TCB_DOWNGRADED. */
  | { decision: "refused"; error: PolicyError };

export function decideTcbGrace(input: DecideTcbGraceInput): DecideTcbGraceResult {
  const { newest, policy } = input;
  if (newest.evaluationDataNumber <= input.evaluationDataNumber) return { decision: "unaffected" };
  if ((policy.acceptedTcbStatuses as readonly string[]).includes(newest.status)) return { decision: "unaffected" };
  const graceEndsAt = newest.issueDate + policy.tcbGracePeriod;
  if (input.now >= graceEndsAt) {
    return {
      decision: "refused",
      error: new PolicyError(
        POLICY_CODES.NODE_TCB_DOWNGRADED,
        `TCB Info ${newest.evaluationDataNumber} puts this platform at ${newest.status}, and the grace period ended`,
        {
          details: {
            ...(input.fmspc !== undefined ? { fmspc: input.fmspc } : {}),
            status: input.status,
            newStatus: newest.status,
            tcbEvaluationDataNumber: input.evaluationDataNumber,
            newTcbEvaluationDataNumber: newest.evaluationDataNumber,
            graceEndsAt,
          },
        },
      ),
    };
  }
  return { decision: "grace", notice: { newStatus: newest.status, graceEndsAt, evaluationDataNumber: newest.evaluationDataNumber } };
}
