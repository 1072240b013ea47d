import { KeepledgerError, type ErrorStage } from "../errors/KeepledgerError.ts";
import type { Hex } from "../util/bytes.ts";

/** The error body a validator node answers with (docs/node.md, "HTTP API"). */
export interface NodeErrorJson {
  code: string;
  message: string;
  stage: string;
  at?: { field?: string; offset?: number };
  details?: Record<string, unknown>;
}

const STAGES: readonly ErrorStage[] = ["format", "verification", "policy", "infrastructure", "usage"];

/**
 * A validator node refused the evidence (or its verdict was rejected after it was accepted): `code` is
 * the node's code (POLICY_BINDING_MISMATCH, POLICY_EVIDENCE_TOO_OLD, DEBUG_SIGNATURE_INVALID, …), `stage`
 * the node's stage, and `requestId` finds the recorded refusal again (GET /v1/verdicts/{requestId}).
 * Sending the same evidence again will be refused again; fix what the code names.
 */
export class AttestationRefusedError extends KeepledgerError {
  readonly stage: ErrorStage;
  readonly requestId: Hex | undefined;
  /** The node's error exactly as it answered. */
  readonly nodeError: NodeErrorJson;

  constructor(nodeError: NodeErrorJson, requestId: Hex | undefined) {
    // The node's message already names the field (`at`); passing it again would repeat it.
    super(nodeError.code, nodeError.message, { details: { ...(nodeError.details ?? {}), ...(requestId ? { requestId } : {}) } });
    this.stage = (STAGES as readonly string[]).includes(nodeError.stage) ? (nodeError.stage as ErrorStage) : "policy";
    this.requestId = requestId;
    this.nodeError = nodeError;
  }
}
