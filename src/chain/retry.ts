/**
 * Retrying what may succeed later: exponential backoff with full jitter ("Exponential Backoff And
 * Jitter", AWS Architecture Blog), for InfrastructureErrors only by default — a revert or a refused
 * request is an answer, not an outage, and repeating it would only loop.
 */
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";

export interface RetryOptions {
  /** Attempts after the first (default 5; Infinity until `signal` aborts or `deadline` passes). */
  retries?: number;
  /** First backoff ceiling in ms (default 100). */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 10 s). */
  maxMs?: number;
  /** Stop retrying at this time (ms since the epoch); the last error is thrown. */
  deadline?: number;
  /** Which errors to retry (default: KeepledgerErrors with retryable = true). */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log and count retries. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops the waiting and throws the last error. */
  signal?: AbortSignal;
  /** Waits `ms`; replaceable in tests (default setTimeout, cut short by `signal`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random in [0, 1); replaceable in tests (default Math.random). */
  random?: () => number;
}

export function defaultRetryOptions(): Required<Omit<RetryOptions, "deadline" | "signal" | "onRetry">> {
  return {
    retries: 5,
    baseMs: 100,
    maxMs: 10_000,
    shouldRetry: (error) => isKeepledgerError(error) && error.retryable,
    sleep: abortableSleep,
    random: Math.random,
  };
}

/** The wait before retry number `attempt` (1-based): uniform in [0, min(maxMs, baseMs · 2^(attempt-1))]. */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, "baseMs" | "maxMs" | "random"> = {}): number {
  const d = defaultRetryOptions();
  const ceiling = Math.min(options.maxMs ?? d.maxMs, (options.baseMs ?? d.baseMs) * 2 ** Math.min(attempt - 1, 30));
  return Math.floor((options.random ?? d.random)() * ceiling);
}

/** Runs `fn` until it succeeds, a non-retryable error occurs, or the retries, deadline or signal run out. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const o = { ...defaultRetryOptions(), ...definedOnly(options) };
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const next = attempt + 1;
      if (!o.shouldRetry(error) || next > o.retries || options.signal?.aborted) throw error;
      const delay = backoffDelay(next, o);
      if (options.deadline !== undefined && Date.now() + delay > options.deadline) throw error;
      options.onRetry?.(error, next, delay);
      await o.sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** setTimeout as a promise that resolves early when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
