import { InfrastructureError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { KDS_CODES } from "./codes.ts";

export interface KdsHttpOptions {
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  /** Retries after the first attempt, for 429, 5xx and network errors. */
  retries: number;
  /** Longest wait accepted, from Retry-After or backoff; a longer Retry-After fails at once. */
  maxRetryDelayMs: number;
  timeoutMs: number;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Largest body accepted. */
  maxBodyBytes: number;
}

/** Shared by every request of one provider: KDS rate limits per client, not per path. */
export interface KdsHttpState {
  /** Epoch ms before which no request is sent (set by a 429's Retry-After). */
  blockedUntil: number;
}

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Retry-After as delay-seconds or an HTTP-date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/**
 * GET `path` from KDS. 429 and 5xx are retried after Retry-After (or an
 * exponential backoff from 1 s), network errors and timeouts after the
 * backoff; other statuses fail at once. Every failure is an InfrastructureError.
 */
export async function kdsGet(path: string, o: KdsHttpOptions, state: KdsHttpState): Promise<Uint8Array> {
  const url = `${o.baseUrl.replace(/\/+$/, "")}${path}`;
  for (let attempt = 0; ; attempt++) {
    const waitMs = state.blockedUntil - o.now().getTime();
    if (waitMs > 0) {
      if (waitMs > o.maxRetryDelayMs) throw rateLimited(path, waitMs);
      await o.sleep(waitMs);
    }
    const backoff = Math.min(1000 * 2 ** attempt, o.maxRetryDelayMs);
    let response: Response;
    try {
      response = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), headers: { accept: "*/*" } });
    } catch (cause) {
      if (attempt < o.retries) {
        await o.sleep(backoff);
        continue;
      }
      throw new InfrastructureError(KDS_CODES.KDS_UNREACHABLE, "AMD KDS could not be reached", {
        details: { path, attempts: attempt + 1 },
        cause,
      });
    }
    if (response.ok) {
      try {
        return await readBody(response, path, o.maxBodyBytes);
      } catch (cause) {
        if (cause instanceof InfrastructureError) throw cause;
        if (attempt < o.retries) {
          await o.sleep(backoff);
          continue;
        }
        throw new InfrastructureError(KDS_CODES.KDS_UNREACHABLE, "AMD KDS response was cut off", {
          details: { path, attempts: attempt + 1 },
          cause,
        });
      }
    }
    await response.body?.cancel();
    if (!RETRYABLE_STATUS.has(response.status)) {
      throw new InfrastructureError(KDS_CODES.KDS_HTTP_ERROR, `AMD KDS answered HTTP ${response.status}`, {
        details: { path, status: response.status },
      });
    }
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), o.now());
    const delay = retryAfterMs ?? backoff;
    if (response.status === 429) state.blockedUntil = o.now().getTime() + delay;
    if (attempt >= o.retries || delay > o.maxRetryDelayMs) {
      if (response.status === 429) throw rateLimited(path, delay, attempt + 1);
      throw new InfrastructureError(KDS_CODES.KDS_HTTP_ERROR, `AMD KDS answered HTTP ${response.status}`, {
        details: { path, status: response.status, attempts: attempt + 1, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      });
    }
    if (response.status !== 429) await o.sleep(delay); // a 429's wait happens at the top of the loop
  }
}

function rateLimited(path: string, retryAfterMs: number, attempts?: number): InfrastructureError {
  return new InfrastructureError(KDS_CODES.KDS_RATE_LIMITED, "AMD KDS is rate-limiting this client", {
    details: { path, retryAfterMs, ...(attempts === undefined ? {} : { attempts }) },
  });
}

async function readBody(response: Response, path: string, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new InfrastructureError(KDS_CODES.KDS_RESPONSE_INVALID, "AMD KDS response is too large", {
      details: { path, length: declared, max: maxBytes },
    });
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > maxBytes) {
    throw new InfrastructureError(KDS_CODES.KDS_RESPONSE_INVALID, "AMD KDS response is too large", {
      details: { path, length: body.length, max: maxBytes },
    });
  }
  return body;
}
