// V8 flags for the keepledger processes that verify evidence at volume. Plain JavaScript: bin/keepledger.mjs
// loads it before anything else, on whatever Node started it.

/**
 * `keepledger node` and `keepledger dev` run with a young generation of at most 16 MB per semi-space. On this
 * project's machine class V8 lets it grow to 64 MB under sustained allocation; every verification then writes
 * its short-lived objects over cache lines that the next one no longer finds, and its own signature checks
 * in OpenSSL slow down with them. Measured (docs/benchmarks.md, "Runtime flags"): 5–12 % less CPU per
 * verification, cold and warm. bench:verify and the profiling scripts run with the same flags.
 */
export const NODE_V8_FLAGS = Object.freeze(["--max-semi-space-size=16"]);

/** Commands that run with NODE_V8_FLAGS: the long-running ones that verify evidence. */
export const FLAGGED_COMMANDS = Object.freeze(["node", "dev"]);

/**
 * The arguments to start this process again with, or undefined when it should run as it is: it already runs
 * with the flags, the operator set the same V8 option (in the command line or NODE_OPTIONS: theirs wins), or
 * KEEPLEDGER_V8_FLAGS=off.
 *
 * @param {{ execArgv: readonly string[], argv: readonly string[], env: Record<string, string | undefined> }} proc
 * @returns {string[] | undefined}
 */
export function flaggedArguments(proc) {
  if (proc.env.KEEPLEDGER_V8_FLAGS === "off") return undefined;
  // V8 takes `_` and `-` alike in option names.
  const given = [...proc.execArgv, ...(proc.env.NODE_OPTIONS ?? "").split(/\s+/)].map((arg) =>
    arg.replace(/^[^=]*/, (n) => n.replaceAll("_", "-")),
  );
  const missing = NODE_V8_FLAGS.filter((flag) => {
    const name = flag.split("=")[0];
    return !given.some((arg) => arg === name || arg.startsWith(`${name}=`));
  });
  if (missing.length === 0) return undefined;
  return [...proc.execArgv, ...missing, ...proc.argv.slice(1)];
}

/**
 * Replaces this process with itself started with NODE_V8_FLAGS (process.execve: same PID, open files and
 * environment, so supervisors, signals and pipes see no difference), when flaggedArguments says so. Returns
 * only when it did nothing: the flags are there, overridden, turned off, or this Node has no execve (before
 * 23.11; the process then runs with V8's defaults). Call it before anything is written or listened on.
 */
export function execWithNodeFlags() {
  const args = flaggedArguments({ execArgv: process.execArgv, argv: process.argv, env: process.env });
  if (args === undefined || typeof process.execve !== "function") return;
  process.execve(process.execPath, [process.execPath, ...args], process.env);
}
