/**
 * Runs one input through the full verifyEvidence path and classifies the
 * outcome. Allowed: a typed KeepledgerError (counted by code), or ok for an
 * input equivalent to the valid one whose result is the valid input's result.
 * Anything else is a crash: an untyped throw; INTERNAL_VERIFIER_ERROR (the
 * safety net in verifyEvidence that turns an untyped throw inside a parser
 * or verifier into a typed rejection — the fuzzer reports what it caught);
 * ok for a different input; or ok with a different result.
 */
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { decodeEvidenceInput } from "../../src/evidence/decodeEvidenceInput.ts";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { DEFAULT_ADAPTERS } from "../../src/tee/table.ts";
import { verifyOptionsOf, type FuzzTarget } from "./targets.ts";

export type Outcome = { type: "rejected"; code: string } | { type: "ok" } | { type: "crash"; reason: string };

/** What an accepted input must yield: the valid input's result, except for the hash of the bytes given. */
export function resultSummary(r: VerifiedEvidence): string {
  const { evidenceHash: _evidenceHash, ...rest } = r;
  return JSON.stringify(rest);
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  return String(e);
}

export async function classify(target: FuzzTarget, reference: string, bytes: Uint8Array): Promise<Outcome> {
  let r: VerifiedEvidence;
  try {
    r = await verifyEvidence(bytes, verifyOptionsOf(target));
  } catch (e) {
    if (!isKeepledgerError(e)) return { type: "crash", reason: `untyped throw: ${describe(e)}` };
    if (e.code === "INTERNAL_VERIFIER_ERROR")
      return { type: "crash", reason: `INTERNAL_VERIFIER_ERROR (${e.message}); cause: ${describe(e.cause)}` };
    return { type: "rejected", code: e.code };
  }
  // Decoded as verifyEvidence decodes it: text a kind's detect claims (Azure CVM JSON) is the evidence itself.
  const adapters = target.adapters ?? DEFAULT_ADAPTERS;
  const decoded = decodeEvidenceInput(bytes, { isEvidence: (b) => adapters.some((a) => a.detect(b)) }).bytes;
  if (!target.equivalent(decoded))
    return { type: "crash", reason: `ok (${r.tee}) for an input that is not equivalent to the valid ${target.kind} input` };
  if (r.evidenceHash !== keccak256Hex(decoded))
    return { type: "crash", reason: `ok with evidenceHash ${r.evidenceHash}, not the keccak256 of the bytes given` };
  if (resultSummary(r) !== reference)
    return { type: "crash", reason: "ok for an equivalent input, but with a different result than the valid input's" };
  return { type: "ok" };
}
