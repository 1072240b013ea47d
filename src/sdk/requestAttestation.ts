/**
 * The validator node's HTTP API from a Keep's (or any client's) side: ask for a fresh block to bind
 * (requestNonce), post evidence and wait for the verdict (requestAttestation). `keepledger submit` is
 * built on the same calls (submitEvidence, waitForVerdict).
 */
import type { Address } from "viem";
import { InfrastructureError, UsageError, type KeepledgerError } from "../errors/KeepledgerError.ts";
import { tcbStatusFromCode, teeKindFromCode } from "../ids/enums.ts";
import type { VerdictView } from "../node/types.ts";
import type { Hex } from "../util/bytes.ts";
import type { TcbStatus, TeeKind } from "../verify/types.ts";
import { AttestationRefusedError, type NodeErrorJson } from "./AttestationRefusedError.ts";
import { SDK_CODES } from "./codes.ts";

export type { VerdictView };

/** What every call to a node accepts. */
export interface NodeCallOptions {
  /** Cancels the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Replaces the global fetch (tests, custom agents). */
  fetch?: typeof fetch;
}

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

function invalid(message: string, field: string): UsageError {
  return new UsageError(SDK_CODES.SDK_REQUEST_INVALID, message, { at: { field } });
}

function baseUrl(nodeUrl: string): string {
  if (typeof nodeUrl !== "string" || !URL.canParse(nodeUrl) || !/^https?:$/.test(new URL(nodeUrl).protocol)) {
    throw invalid(`the node URL must be an http(s) URL, got "${String(nodeUrl)}"`, "nodeUrl");
  }
  return nodeUrl.replace(/\/+$/, "");
}

interface NodeAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** One HTTP call: network failures are InfrastructureErrors, aborts reject with the signal's reason. */
async function call(base: string, path: string, init: RequestInit, o: NodeCallOptions & { deadline?: number }): Promise<NodeAnswer> {
  const signals: AbortSignal[] = [];
  if (o.signal) signals.push(o.signal);
  if (o.deadline !== undefined) signals.push(AbortSignal.timeout(Math.max(1, o.deadline - Date.now())));
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  let response: Response;
  try {
    o.signal?.throwIfAborted();
    response = await (o.fetch ?? fetch)(`${base}${path}`, { ...init, ...(signal ? { signal } : {}) });
  } catch (cause) {
    if (o.signal?.aborted) throw o.signal.reason;
    if (o.deadline !== undefined && Date.now() >= o.deadline) throw new InfrastructureError(SDK_CODES.SDK_ATTESTATION_TIMEOUT, `the node at ${base} did not answer in time`, { cause });
    throw new InfrastructureError(SDK_CODES.SDK_NODE_UNREACHABLE, `cannot reach the validator node at ${base}`, { cause, details: { url: `${base}${path}` } });
  }
  const text = await response.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} answered ${response.status} without a JSON object`, {
      details: { status: response.status, body: text.slice(0, 200) },
    });
  }
  return { status: response.status, json: json as Record<string, unknown> };
}

/** An error answer other than a refusal: the node's code, typed by its stage. */
function nodeFailure(base: string, answer: NodeAnswer): KeepledgerError {
  const error = answer.json.error as NodeErrorJson | undefined;
  if (!error || typeof error.code !== "string") {
    return new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} answered ${answer.status} without an error body`, { details: { status: answer.status } });
  }
  const options = { details: { status: answer.status, ...(error.details ?? {}) } };
  // 4xx other than rate limiting are the caller's mistakes; 429 and 5xx may pass.
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return new UsageError(error.code, error.message, options);
  return new InfrastructureError(error.code, error.message, options);
}

/** GET /v1/nonce: the block a Keep binds into its evidence (with keepReportData). */
export async function requestNonce(nodeUrl: string, options: RequestNonceOptions = {}): Promise<RequestNonceResult> {
  const base = baseUrl(nodeUrl);
  if (options.workloadId !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(options.workloadId)) throw invalid(`workloadId must be 0x + 64 hex digits, got "${options.workloadId}"`, "workloadId");
  const answer = await call(base, `/v1/nonce${options.workloadId ? `?workload=${options.workloadId}` : ""}`, { method: "GET" }, options);
  if (answer.status !== 200) throw nodeFailure(base, answer);
  const j = answer.json as { chainId: number; registry: Address; blockNumber: number; blockHash: Hex; blockTimestamp: number; confirmations: number; maxAge?: number };
  if (typeof j.blockNumber !== "number" || typeof j.blockHash !== "string") {
    throw new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} answered /v1/nonce without a block`, { details: { body: j } });
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

function publicKeyHex(key: Hex | Uint8Array): Hex {
  const hex = typeof key === "string" ? key : (`0x${Buffer.from(key).toString("hex")}` as Hex);
  if (!/^0x([0-9a-fA-F]{128}|04[0-9a-fA-F]{128})$/.test(hex)) throw invalid("publicKey must be the Keep's secp256k1 public key: 65 bytes (0x04‖X‖Y) or 64 bytes (X‖Y)", "publicKey");
  return hex;
}

/** The POST /v1/evidence body (docs/node.md). */
export function evidenceRequestBody(evidence: Uint8Array, workloadId: Hex, o: RequestAttestationOptions): Record<string, unknown> {
  if (!(evidence instanceof Uint8Array) || evidence.length === 0) throw invalid("evidence must be non-empty bytes", "evidence");
  if (typeof workloadId !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(workloadId)) throw invalid(`workloadId must be 0x + 64 hex digits, got "${String(workloadId)}"`, "workloadId");
  const body: Record<string, unknown> = { workloadId, evidence: Buffer.from(evidence).toString("base64") };
  if (o.unbound) {
    if (o.publicKey !== undefined || o.freshnessBlock !== undefined) throw invalid("unbound evidence names no publicKey and no freshnessBlock", "unbound");
    body.unbound = true;
  } else {
    if (o.publicKey === undefined) throw invalid("publicKey is required (or unbound: true, for dev policies that accept unbound evidence)", "publicKey");
    const block = o.freshnessBlock;
    if (block === undefined || (typeof block === "number" && !Number.isSafeInteger(block)) || BigInt(block) < 0n) {
      throw invalid("freshnessBlock is required with publicKey: the number of the block the evidence binds (requestNonce)", "freshnessBlock");
    }
    body.publicKey = publicKeyHex(o.publicKey);
    body.freshnessBlock = Number(block);
  }
  if (o.collateral) body.collateral = o.collateral.map((f) => ({ name: f.name, data: Buffer.from(f.bytes).toString("base64") }));
  if (o.context !== undefined) {
    if (o.context !== "keep" && o.context !== "validator") throw invalid(`context must be "keep" or "validator", got "${String(o.context)}"`, "context");
    body.context = o.context;
  }
  return body;
}

/** POST /v1/evidence: resolves when the node has accepted the evidence; a refusal rejects with AttestationRefusedError. */
export async function submitEvidence(nodeUrl: string, evidence: Uint8Array, workloadId: Hex, options: RequestAttestationOptions & { deadline?: number } = {}): Promise<SubmittedEvidence> {
  const base = baseUrl(nodeUrl);
  const body = evidenceRequestBody(evidence, workloadId, options);
  const answer = await call(base, "/v1/evidence", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, options);
  if (answer.status === 422) {
    const error = answer.json.error as NodeErrorJson | undefined;
    if (!error || typeof error.code !== "string") throw nodeFailure(base, answer);
    throw new AttestationRefusedError(error, answer.json.requestId as Hex | undefined);
  }
  if (answer.status !== 200 && answer.status !== 202) throw nodeFailure(base, answer);
  const { requestId, verdictId, status } = answer.json as { requestId: Hex; verdictId: Hex; status: VerdictView["status"] };
  if (typeof verdictId !== "string") throw new InfrastructureError(SDK_CODES.SDK_NODE_ANSWER_INVALID, `the node at ${base} accepted the evidence without a verdict id`, { details: { body: answer.json } });
  return { requestId, verdictId, status, duplicate: answer.status === 200 };
}

/**
 * GET /v1/verdicts/{id} with long polls until the verdict (or request) is finalized or rejected; answers
 * of an unavailable node are retried until the deadline, then SDK_ATTESTATION_TIMEOUT (details: the ids).
 */
export async function waitForVerdict(nodeUrl: string, id: Hex, options: NodeCallOptions & { timeoutMs?: number; deadline?: number } = {}): Promise<VerdictView> {
  const base = baseUrl(nodeUrl);
  const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let last: VerdictView | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let answer: NodeAnswer;
    try {
      answer = await call(base, `/v1/verdicts/${id}?waitMs=${Math.min(MAX_WAIT_MS, remaining)}`, { method: "GET" }, { ...options, deadline: deadline + 1_000 });
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
export async function requestAttestation(nodeUrl: string, evidence: Uint8Array, workloadId: Hex, options: RequestAttestationOptions = {}): Promise<AttestationResult> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const submitted = await submitEvidence(nodeUrl, evidence, workloadId, { ...options, deadline });
  options.onAccepted?.({ requestId: submitted.requestId, verdictId: submitted.verdictId });
  if ((options.waitFor ?? "finalized") === "accepted" && submitted.status === "pending") {
    return { requestId: submitted.requestId, verdictId: submitted.verdictId, status: "pending", duplicate: submitted.duplicate };
  }
  const view = await waitForVerdict(nodeUrl, submitted.verdictId, { ...options, deadline });
  if (view.status === "rejected") {
    throw new AttestationRefusedError(view.error ?? { code: SDK_CODES.SDK_VERDICT_REJECTED, message: "the verdict was rejected", stage: "policy" }, view.requestId);
  }
  return resultOf(view, submitted);
}
