/**
 * Abusive HTTP clients over raw TCP, for server timeout tests: one that trickles its headers (slowloris),
 * one that trickles its body, one that sends an oversized header block. Each reports what the server
 * answered and when it closed the connection.
 */
import { connect } from "node:net";

export interface SlowClientResult {
  /** Milliseconds from connecting until the server closed the connection (Infinity: it never did within `giveUpMs`). */
  closedAfterMs: number;
  /** The status line the server sent, if any. */
  status: string | undefined;
}

function run(url: string, drive: (write: (s: string) => boolean) => () => void, giveUpMs: number): Promise<SlowClientResult> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = performance.now();
    let received = "";
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ""));
    let stop: () => void = () => undefined;
    const finish = (closedAfterMs: number) => {
      stop();
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ closedAfterMs, status: /^HTTP\/1\.1 \d{3}[^\r]*/.exec(received)?.[0] });
    };
    const giveUp = setTimeout(() => finish(Number.POSITIVE_INFINITY), giveUpMs);
    socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => finish(performance.now() - started));
    socket.on("connect", () => {
      stop = drive((s) => !socket.destroyed && socket.write(s));
    });
  });
}

/** Sends a request line, then one more header line every `everyMs`, never ending the header block. */
export function slowHeaders(url: string, path: string, everyMs: number, giveUpMs: number): Promise<SlowClientResult> {
  return run(
    url,
    (write) => {
      write(`GET ${path} HTTP/1.1\r\nHost: keepledger.test\r\n`);
      let n = 0;
      const timer = setInterval(() => write(`X-Slow-${n++}: a\r\n`), everyMs);
      return () => clearInterval(timer);
    },
    giveUpMs,
  );
}

/** Sends complete headers announcing a body, then one body byte every `everyMs`. */
export function slowBody(url: string, path: string, everyMs: number, giveUpMs: number): Promise<SlowClientResult> {
  return run(
    url,
    (write) => {
      write(`POST ${path} HTTP/1.1\r\nHost: keepledger.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
      const timer = setInterval(() => write(" "), everyMs);
      return () => clearInterval(timer);
    },
    giveUpMs,
  );
}

/** Sends one request whose header block is `bytes` long, in one go. */
export function headerFlood(url: string, path: string, bytes: number, giveUpMs: number): Promise<SlowClientResult> {
  return run(
    url,
    (write) => {
      const lines: string[] = [];
      for (let i = 0, size = 0; size < bytes; i++) {
        const line = `X-Flood-${i}: ${"f".repeat(100)}\r\n`;
        lines.push(line);
        size += line.length;
      }
      write(`GET ${path} HTTP/1.1\r\nHost: keepledger.test\r\n${lines.join("")}\r\n`);
      return () => undefined;
    },
    giveUpMs,
  );
}
