/**
 * What a validator keeps of an appraisal it signed, whichever path signed it (intake, countersigning,
 * a collateral heal): the evidence-store link and the TCB-recovery record.
 */
import type { VerdictEvidenceLink } from "../../evidenceStore/EvidenceStore.ts";
import type { SignedRecord } from "../tcb/TcbRecoveryStore.ts";
import type { Appraisal } from "./appraiseSubmission.ts";

/** The evidence-store row that ties the verdict to its evidence, key, binding context and block. */
export function evidenceLinkOf(a: Appraisal): VerdictEvidenceLink {
  return {
    verdictId: a.verdictId,
    evidenceHash: a.evidenceHash,
    workloadId: a.verdict.workloadId,
    subjectPublicKey: a.subjectPublicKey,
    bindingContext: a.bindingContext,
    freshnessBlock: Number(a.verdict.freshnessBlock),
  };
}

/** What TCB recovery needs to re-appraise a verdict this node signed when newer TCB Info appears. */
export function signedRecordOf(a: Appraisal): SignedRecord {
  const fmspc = a.verified.platform.fmspc;
  const evaluation = a.verified.platform.tcbEvaluationDataNumber;
  return {
    verdictId: a.verdictId,
    evidenceHash: a.evidenceHash,
    workloadId: a.verdict.workloadId,
    tee: a.verified.tee,
    tcbStatus: a.verified.tcb.status,
    fmspc: typeof fmspc === "string" ? fmspc.toLowerCase() : null,
    tcbEvaluationDataNumber: typeof evaluation === "number" ? evaluation : null,
    expiresAt: Number(a.verdict.expiresAt),
  };
}
