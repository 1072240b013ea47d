/** The HTTP calls to a validator node every SDK function shares: errors typed, aborts and deadlines honoured. */
import { InfrastructureError, UsageError, type KeepledgerError } from "../errors/KeepledgerError.ts";
import type { NodeErrorJson } from "./AttestationRefusedError.ts";
import { SDK_CODES } from "./codes.ts";

/** What every call to a node accepts. */
export interface NodeCallOptions {
  /** Cancels the call; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Replaces the global fetch (tests, custom agents). */
  fetch?: typeof fetch;
}

export function invalid(message: string, field: string): UsageError {
  return new UsageError(SDK_CODES.SDK_REQUEST_INVALID, message, { at: { field } });
}

export function baseUrl(nodeUrl: string): string {
  if (typeof nodeUrl !== "string" || !URL.canParse(nodeUrl) || !/^https?:$/.test(new URL(nodeUrl).protocol)) {
    throw invalid(`the node URL must be an http(s) URL, got "${String(nodeUrl)}"`, "nodeUrl");
  }
  return nodeUrl.replace(/\/+$/, "");
}

export interface NodeAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** One HTTP call: network failures are InfrastructureErrors, aborts reject with the signal's reason. */
export async function call(base: string, path: string, init: RequestInit, o: NodeCallOptions & { deadline?: number }): Promise<NodeAnswer> {
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
    if (o.deadline !== undefined && Date.now() >= o.deadline)
      throw new InfrastructureError(SDK_CODES.SDK_ATTESTATION_TIMEOUT, `the node at ${base} did not answer in time`, { cause });
    throw new InfrastructureError(SDK_CODES.SDK_NODE_UNREACHABLE, `cannot reach the validator node at ${base}`, {
      cause,
      details: { url: `${base}${path}` },
    });
  }
  const text = await response.text().catch(() => "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InfrastructureError(
      SDK_CODES.SDK_NODE_ANSWER_INVALID,
      `the node at ${base} answered ${response.status} without a JSON object`,
      {
        details: { status: response.status, body: text.slice(0, 200) },
      },
    );
  }
  return { status: response.status, json: json as Record<string, unknown> };
}

/** An error answer other than a refusal: the node's code, typed by its stage. */
export function nodeFailure(base: string, answer: NodeAnswer): KeepledgerError {
  const error = answer.json.error as NodeErrorJson | undefined;
  if (!error || typeof error.code !== "string") {
    return new InfrastructureError(
      SDK_CODES.SDK_NODE_ANSWER_INVALID,
      `the node at ${base} answered ${answer.status} without an error body`,
      { details: { status: answer.status } },
    );
  }
  const options = { details: { status: answer.status, ...(error.details ?? {}) } };
  // 4xx other than rate limiting are the caller's mistakes; 429 and 5xx may pass.
  if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) return new UsageError(error.code, error.message, options);
  return new InfrastructureError(error.code, error.message, options);
}
