/**
 * Throughput measurement for `npm run bench:verify`: one operation, on the
 * main thread, for a fixed wall-clock time. Operations may be synchronous or
 * return a promise; a synchronous one is looped without awaiting, so the
 * promise machinery is charged only to operations that really are async.
 */

/** One unit of work: verify one piece of evidence (or run one set of bare signature checks). */
export type Operation = () => unknown;

export interface MeasureOptions {
  /** Wall-clock time to keep the operation running, in seconds. */
  seconds: number;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Operations per second over `seconds` of wall-clock time. The clock is read
 * once per batch; batches grow until one takes about 10 ms, so reading the
 * clock costs nothing measurable even for operations of a few microseconds.
 */
export async function measureThroughput(op: Operation, options: MeasureOptions): Promise<number> {
  const budgetMs = options.seconds * 1000;
  const first = op();
  const async = isPromise(first);
  if (async) await first;
  let batch = 1;
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    const batchStart = now;
    if (async) {
      for (let i = 0; i < batch; i++) await op();
    } else {
      for (let i = 0; i < batch; i++) op();
    }
    count += batch;
    now = performance.now();
    if (now - batchStart < 10) batch *= 2;
  }
  return (count * 1000) / (now - start);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Spread of a set of runs: (max − min) / median, to show how noisy a figure was. */
export function spread(values: readonly number[]): number {
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}
