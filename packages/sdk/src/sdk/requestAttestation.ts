/**
 * Posting evidence to a validator node and waiting for the verdict (requestAttestation); the block to
 * bind comes from requestNonce. `keepledger submit` is built on the same two calls (submitEvidence,
 * waitForVerdict).
 */
import type { Address } from "../util/hex.ts";
import type { VerdictView } from "../chain/verdictView.ts";
import { InfrastructureError, type KeepledgerError } from "../errors/KeepledgerError.ts";
import { tcbStatusFromCode, teeKindFromCode } from "../ids/enums.ts";
import type { TcbStatus, TeeKind } from "../kinds/index.ts";
import { toBase64, toHex, type Hex } from "../util/bytes.ts";
import { AttestationRefusedError, type NodeErrorJson } from "./AttestationRefusedError.ts";
import { SDK_CODES } from "./codes.ts";
import { baseUrl, call, invalid, nodeFailure, type NodeAnswer, type NodeCallOptions } from "./nodeHttp.ts";

export type { VerdictView, NodeCallOptions };

export interface RequestAttestationOptions extends NodeCallOptions {
  /** The Keep's secp256k1 public key the evidence binds (65 bytes 0x04‖X‖Y or 64 bytes X‖Y). */
  publicKey?: Hex | Uint8Array;
  /** The block whose hash the evidence binds (from requestNonce). Required with publicKey. */
  freshnessBlock?: number | bigint;
  /** The evidence binds no key: accepted only by dev policies with allowUnboundEvidence. */
  unbound?: boolean;
  /** Collateral files to post with the evidence (recognized by content). */
  collateral?: ReadonlyArray<{ name: string; bytes: Uint8Array }>;
  /** "keep" (default) or "validator" (a validator's self-attestation). */
  context?: "keep" | "validator";
  /** "finalized" (default): wait for the validators' quorum on-chain; "accepted": return once the node accepted the evidence. */
  waitFor?: "finalized" | "accepted";
  /** How long to wait in all, in milliseconds (default 300 000). */
  timeoutMs?: number;
  /** Called once the node has accepted the evidence (before the quorum). */
  onAccepted?: (accepted: { requestId: Hex; verdictId: Hex }) => void;
}

/** A verdict's signed fields, typed. */
export interface AttestationVerdict {
  workloadId: Hex;
  measurementHash: Hex;
  tee: TeeKind;
  tcbStatus: TcbStatus;
  /** The attested key's address: what isAttested(subject, workloadId) asks about. */
  subject: Address;
  evidenceHash: Hex;
  collateralHash: Hex;
  issuedAt: Date;
  expiresAt: Date;
  freshnessBlock: bigint;
}

export interface AttestationResult {
  requestId: Hex;
  verdictId: Hex;
  /** "finalized" once on-chain; "pending" when waitFor is "accepted". */
  status: "pending" | "finalized";
  /** The node had accepted this very request before (same evidence, workload, key, block, context). */
  duplicate: boolean;
  /** The verdict's fields (present once the node has them: always when finalized). */
  verdict?: AttestationVerdict;
  mode?: "single" | "batch";
  /** The finalizing transaction (single mode). */
  txHash?: Hex;
  /** Batched verdicts: the batch and the Merkle proof for materializeVerdict (needed before isAttested counts it). */
  batchId?: Hex;
  proof?: Hex[];
}

export interface SubmittedEvidence {
  requestId: Hex;
  verdictId: Hex;
  status: VerdictView["status"];
  duplicate: boolean;
}

const DEFAULT_TIMEOUT_MS = 300_000;
/** The node holds a long poll at most 30 s; ask for a little less. */
const MAX_WAIT_MS = 20_000;

function publicKeyHex(key: Hex | Uint8Array): Hex {
  const hex = typeof key === "string" ? key : toHex(key);
  if (!/^0x([0-9a-fA-F]{128}|04[0-9a-fA-F]{128})$/.test(hex))
    throw invalid("publicKey must be the Keep's secp256k1 public key: 65 bytes (0x04‖X‖Y) or 64 bytes (X‖Y)", "publicKey");
  return hex;
}

/** The POST /v1/evidence body (docs/node.md). */
export function evidenceRequestBody(evidence: Uint8Array, workloadId: Hex, o: RequestAttestationOptions): Record<string, unknown> {
  if (!(evidence instanceof Uint8Array) || evidence.length === 0) throw invalid("evidence must be non-empty bytes", "evidence");
  if (typeof workloadId !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(workloadId))
    throw invalid(`workloadId must be 0x + 64 hex digits, got "${String(workloadId)}"`, "workloadId");
  const body: Record<string, unknown> = { workloadId, evidence: toBase64(evidence) };
  if (o.unbound) {
    if (o.publicKey !== undefined || o.freshnessBlock !== undefined)
      throw invalid("unbound evidence names no publicKey and no freshnessBlock", "unbound");
    body.unbound = true;
  } else {
    if (o.publicKey === undefined)
      throw invalid("publicKey is required (or unbound: true, for dev policies that accept unbound evidence)", "publicKey");
    const block = o.freshnessBlock;
    if (block === undefined || (typeof block === "number" && !Number.isSafeInteger(block)) || BigInt(block) < 0n) {
      throw invalid(
        "freshnessBlock is required with publicKey: the number of the block the evidence binds (requestNonce)",
        "freshnessBlock",
      );
    }
    body.publicKey = publicKeyHex(o.publicKey);
    body.freshnessBlock = Number(block);
  }
  if (o.collateral) body.collateral = o.collateral.map((f) => ({ name: f.name, data: toBase64(f.bytes) }));
  if (o.context !== undefined) {
    if (o.context !== "keep" && o.context !== "validator")
      throw invalid(`context must be "keep" or "validator", got "${String(o.context)}"`, "context");
    body.context = o.context;
  }
  return body;
}

/** POST /v1/evidence: resolves when the node has accepted the evidence; a refusal rejects with AttestationRefusedError. */
export async function submitEvidence(
  nodeUrl: string,
  evidence: Uint8Array,
  workloadId: Hex,
  options: RequestAttestationOptions & { deadline?: number } = {},
): Promise<SubmittedEvidence> {
  const base = baseUrl(nodeUrl);
  const body = evidenceRequestBody(evidence, workloadId, options);
  const answer = await call(
    base,
    "/v1/evidence",
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    options,
  );
  if (answer.status === 422) {
    const error = answer.json.error as NodeErrorJson | undefined;
    if (!error || typeof error.code !== "string") throw nodeFailure(base, answer);
    throw new AttestationRefusedError(error, answer.json.requestId as Hex | undefined);
  }
  if (answer.status !== 200 && answer.status !== 202) throw nodeFailure(base, answer);
  const { requestId, verdictId, status } = answer.json as { requestId: Hex; verdictId: Hex; status: VerdictView["status"] };
  if (typeof verdictId !== "string")
    throw new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} accepted the evidence without a verdict id`, {
      details: { body: answer.json },
    });
  return { requestId, verdictId, status, duplicate: answer.status === 200 };
}

/**
 * GET /v1/verdicts/{id} with long polls until the verdict (or request) is finalized or rejected; answers
 * of an unavailable node are retried until the deadline, then SDK_ATTESTATION_TIMEOUT (details: the ids).
 */
export async function waitForVerdict(
  nodeUrl: string,
  id: Hex,
  options: NodeCallOptions & { timeoutMs?: number; deadline?: number } = {},
): Promise<VerdictView> {
  const base = baseUrl(nodeUrl);
  const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let last: VerdictView | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let answer: NodeAnswer;
    try {
      answer = await call(
        base,
        `/v1/verdicts/${id}?waitMs=${Math.min(MAX_WAIT_MS, remaining)}`,
        { method: "GET" },
        { ...options, deadline: deadline + 1_000 },
      );
    } catch (error) {
      if ((error as KeepledgerError).code === SDK_CODES.SDK_ATTESTATION_TIMEOUT) break;
      throw error;
    }
    if (answer.status === 200) {
      last = answer.json as unknown as VerdictView;
      if (last.status !== "pending") return last;
      continue;
    }
    // 404 (not stored yet on this node), 429 and 503 pass; anything else is final.
    if (![404, 429, 503].includes(answer.status)) throw nodeFailure(base, answer);
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, deadline - Date.now()))));
  }
  throw new InfrastructureError(SDK_CODES.SDK_ATTESTATION_TIMEOUT, `the verdict ${id} was not settled within the timeout`, {
    details: { id, requestId: last?.requestId, verdictId: last?.verdictId ?? id, lastStatus: last?.status ?? "unknown" },
  });
}

function verdictOf(view: VerdictView): AttestationVerdict | undefined {
  const v = view.verdict;
  if (!v) return undefined;
  return {
    workloadId: v.workloadId,
    measurementHash: v.measurementHash,
    tee: teeKindFromCode(v.tee),
    tcbStatus: tcbStatusFromCode(v.tcbStatus),
    subject: v.subject,
    evidenceHash: v.evidenceHash,
    collateralHash: v.collateralHash,
    issuedAt: new Date(Number(v.issuedAt) * 1000),
    expiresAt: new Date(Number(v.expiresAt) * 1000),
    freshnessBlock: BigInt(v.freshnessBlock),
  };
}

function resultOf(view: VerdictView, submitted: SubmittedEvidence): AttestationResult {
  const verdict = verdictOf(view);
  return {
    requestId: view.requestId ?? submitted.requestId,
    verdictId: view.verdictId ?? submitted.verdictId,
    status: view.status === "finalized" ? "finalized" : "pending",
    duplicate: submitted.duplicate,
    ...(verdict ? { verdict } : {}),
    ...(view.mode ? { mode: view.mode } : {}),
    ...(view.txHash ? { txHash: view.txHash } : {}),
    ...(view.batchId ? { batchId: view.batchId } : {}),
    ...(view.proof ? { proof: view.proof } : {}),
  };
}

/**
 * Sends evidence to a validator node and waits for its verdict: resolves with the finalized verdict
 * (or, with waitFor "accepted", as soon as the node accepted the evidence). A refusal — at once or when
 * the quorum rejects it — rejects with AttestationRefusedError carrying the node's code; an unreachable
 * node or a timeout with an InfrastructureError (retryable); bad arguments with a UsageError.
 */
export async function requestAttestation(
  nodeUrl: string,
  evidence: Uint8Array,
  workloadId: Hex,
  options: RequestAttestationOptions = {},
): Promise<AttestationResult> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const submitted = await submitEvidence(nodeUrl, evidence, workloadId, { ...options, deadline });
  options.onAccepted?.({ requestId: submitted.requestId, verdictId: submitted.verdictId });
  if ((options.waitFor ?? "finalized") === "accepted" && submitted.status === "pending") {
    return { requestId: submitted.requestId, verdictId: submitted.verdictId, status: "pending", duplicate: submitted.duplicate };
  }
  const view = await waitForVerdict(nodeUrl, submitted.verdictId, { ...options, deadline });
  if (view.status === "rejected") {
    throw new AttestationRefusedError(
      view.error ?? { code: SDK_CODES.SDK_VERDICT_REJECTED, message: "the verdict was rejected", stage: "policy" },
      view.requestId,
    );
  }
  return resultOf(view, submitted);
}
