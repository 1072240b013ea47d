/**
 * Crash points for the reliability campaign (`npm run chaos`, docs/reliability.md): a node started with
 * KEEPLEDGER_FAILPOINTS=<name>[,<name>…] kills itself with SIGKILL the first time its work reaches a named
 * point, exactly as `kill -9` would at that instant. A timed `kill -9` from outside cannot hit "mined but not
 * yet recorded" reliably; these points can. Unset (the default) they cost one Set lookup; the node logs
 * a warning at start when any is armed. Crashing is all they do: they open no path around a check.
 */

/** Where a finalization can be cut short, in order. */
export const FAILPOINTS = [
  /** Signatures collected and stored; the finalization transaction not yet built. */
  "outbox.afterSignatures",
  /** The finalization transaction broadcast and its hash stored; not yet mined. */
  "outbox.afterBroadcast",
  /** The finalization mined (receipt in hand); the store not yet told. */
  "outbox.afterMined",
  /** A peer has signed a verdict and is about to answer the collector. */
  "peer.beforeAnswer",
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export interface Failpoints {
  readonly armed: ReadonlySet<Failpoint>;
  /** Kills the process with SIGKILL if `name` is armed. */
  hit(name: Failpoint): void;
}

/** The failpoints named by KEEPLEDGER_FAILPOINTS in `env` (unknown names are ignored, so a typo arms nothing). */
export function failpointsFromEnv(env: Record<string, string | undefined>): Failpoints {
  const names = (env.KEEPLEDGER_FAILPOINTS ?? "").split(",").map((s) => s.trim());
  const armed = new Set(FAILPOINTS.filter((f) => names.includes(f)));
  return {
    armed,
    hit(name) {
      if (armed.has(name)) process.kill(process.pid, "SIGKILL");
    },
  };
}
