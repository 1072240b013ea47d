/** Errors as the node stores and serves them (JSON), and the errors the outbox settles verdicts with. */
import { PolicyError, isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/index";
import type { Verdict } from "@keepledger/sdk/internal/ids/index";
import { NODE_CODES } from "./codes.ts";
import type { CollectResult } from "./quorum/collectSignatures.ts";
import type { ErrorJson } from "./types.ts";

export function errorJson(error: KeepledgerError | unknown): ErrorJson {
  if (isKeepledgerError(error)) {
    const j = error.toJSON();
    return { code: j.code, message: j.message, stage: j.stage, ...(j.details ? { details: j.details } : {}) };
  }
  return { code: NODE_CODES.NODE_UNAVAILABLE, message: "unexpected failure", stage: "infrastructure" };
}

export function expiredErrorJson(): ErrorJson {
  return errorJson(new PolicyError(NODE_CODES.NODE_VERDICT_EXPIRED_UNFINALIZED, "the verdict expired before it could be finalized"));
}

export function expiredError(v: Verdict): ErrorJson {
  return errorJson(
    new PolicyError(NODE_CODES.NODE_VERDICT_EXPIRED_UNFINALIZED, "the verdict expired before it could be finalized", {
      details: { expiresAt: v.expiresAt },
    }),
  );
}

export function quorumRefusedError(result: CollectResult): ErrorJson {
  return errorJson(
    new PolicyError(NODE_CODES.NODE_QUORUM_REFUSED, "the validators refused this verdict", {
      details: { refusals: result.refusals.map((r) => ({ peer: r.peer, code: r.refusal.error.code, message: r.refusal.error.message })) },
    }),
  );
}
