// An open-loop load generator at a constant arrival rate, for `npm run bench:registry`: request i is due
// at start + i / rate, whatever the earlier ones are doing (autocannon's -R instead lets each connection
// send its share at the start of every second, so a second's requests arrive as one burst). Latency runs
// from the due time, not from when the request could be sent, so a slow server is not hidden by a
// generator that waits for it (coordinated omission). The first two seconds run at the same rate but are
// not counted: they open the connection pool (hundreds of connects at once, a transient no steady load
// has).
//
// Usage (as its own process): node bench/paced.ts <url> <json body> <rate/s> <seconds>
// Prints one JSON object: { rps, p50Ms, p99Ms, maxMs, errors, requests }.
import { Agent, request } from "node:http";

const WARMUP_SECONDS = 2;

export interface PacedResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  requests: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function paced(url: string, body: string, rate: number, seconds: number): Promise<PacedResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const payload = Buffer.from(body);
  const warmup = Math.round(rate * WARMUP_SECONDS);
  const total = warmup + Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  let done = 0;
  const start = performance.now() + 50;
  const finished = new Promise<void>((resolve) => {
    const send = (due: number, counted: boolean) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": payload.length },
        },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", () => {
            if (counted) {
              if (res.statusCode !== 200) errors++;
              latencies.push(performance.now() - due);
            }
            if (++done === total) resolve();
          });
        },
      );
      req.on("error", () => {
        if (counted) errors++;
        if (++done === total) resolve();
      });
      req.end(payload);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        send(start + (next * 1000) / rate, next >= warmup);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - performance.now()));
    };
    setTimeout(tick, 50);
  });
  await finished;
  const elapsed = (performance.now() - start) / 1000 - WARMUP_SECONDS;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    rps: Math.round((total - warmup) / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    errors,
    requests: total - warmup,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, body, rate, seconds] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await paced(url!, body!, Number(rate), Number(seconds)))}\n`);
}
