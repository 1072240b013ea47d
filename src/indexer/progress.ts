/** Catch-up progress: blocks/s, events/s and an ETA over a sliding window, as one line for people. */

export interface IndexerProgress {
  cursor: number;
  target: number;
  /** Events indexed since the indexer started. */
  events: number;
  blocksPerSecond: number;
  eventsPerSecond: number;
  /** Seconds to reach the target at the current pace (undefined when unknown). */
  etaSeconds: number | undefined;
  /** A line to print, at most every few seconds while catching up (undefined otherwise). */
  line: string | undefined;
}

interface Sample {
  at: number;
  blocks: number;
  logs: number;
}

export class ProgressMeter {
  readonly #samples: Sample[] = [];
  readonly #windowMs: number;
  readonly #lineEveryMs: number;
  readonly #now: () => number;
  #events = 0;
  #lastLine = 0;

  constructor(options: { windowMs?: number; lineEveryMs?: number; now?: () => number } = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
    this.#lineEveryMs = options.lineEveryMs ?? 2_000;
    this.#now = options.now ?? (() => performance.now());
  }

  record(page: { cursor: number; target: number; start: number; logs: number; blocks: number }): IndexerProgress {
    const at = this.#now();
    this.#events += page.logs;
    this.#samples.push({ at, blocks: page.blocks, logs: page.logs });
    while (this.#samples.length > 1 && at - this.#samples[0]!.at > this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    // The first sample's page took time we did not see start: rates count the pages after it.
    const seconds = (at - first.at) / 1000;
    const later = this.#samples.slice(1);
    const blocks = later.reduce((n, s) => n + s.blocks, 0);
    const logs = later.reduce((n, s) => n + s.logs, 0);
    const blocksPerSecond = seconds > 0 ? blocks / seconds : 0;
    const eventsPerSecond = seconds > 0 ? logs / seconds : 0;
    const remaining = Math.max(0, page.target - page.cursor);
    const etaSeconds = blocksPerSecond > 0 ? remaining / blocksPerSecond : undefined;
    let line: string | undefined;
    if (remaining > 0 && at - this.#lastLine >= this.#lineEveryMs) {
      this.#lastLine = at;
      const total = Math.max(1, page.target - page.start + 1);
      const done = Math.min(100, ((page.cursor - page.start + 1) / total) * 100);
      line =
        `indexing: block ${page.cursor.toLocaleString("en-US")} of ${page.target.toLocaleString("en-US")} (${done.toFixed(1)}%), ` +
        `${Math.round(blocksPerSecond).toLocaleString("en-US")} blocks/s, ${Math.round(eventsPerSecond).toLocaleString("en-US")} events/s, ` +
        `ETA ${etaSeconds === undefined ? "unknown" : formatDuration(etaSeconds)}`;
    }
    return { cursor: page.cursor, target: page.target, events: this.#events, blocksPerSecond, eventsPerSecond, etaSeconds, line };
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
