/**
 * The V8 flags of the commands that verify at volume (bin/nodeFlags.mjs): `keepledger node` and `keepledger dev`
 * restart themselves with them, same PID (process.execve), before anything else runs; other commands, a
 * process that already has them, an operator's own value and KEEPLEDGER_V8_FLAGS=off are left alone. Observed
 * from outside: a preload named in NODE_OPTIONS runs in every Node start and prints its PID and execArgv.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FLAGGED_COMMANDS, NODE_V8_FLAGS, flaggedArguments } from "../../bin/nodeFlags.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "bin", "keepledger.mjs");
const dir = mkdtempSync(join(tmpdir(), "kl-flags-"));
const preload = join(dir, "print.cjs");
writeFileSync(preload, 'process.stderr.write("start " + JSON.stringify({ pid: process.pid, execArgv: process.execArgv }) + "\\n");\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every Node start of `keepledger <args>` (the preload's lines), in order. */
function starts(args: string[], env: Record<string, string> = {}): Array<{ pid: number; execArgv: string[] }> {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, KEEPLEDGER_V8_FLAGS: "", ...env, NODE_OPTIONS: `--require ${preload} ${env.NODE_OPTIONS ?? ""}` },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("start "))
    .map((l) => JSON.parse(l.slice(6)) as { pid: number; execArgv: string[] });
}

describe("keepledger's V8 flags", () => {
  it("are a young generation cap, applied to node and dev", () => {
    expect(NODE_V8_FLAGS).toEqual(["--max-semi-space-size=16"]);
    expect([...FLAGGED_COMMANDS].sort()).toEqual(["dev", "node"]);
  });

  it.each(["node", "dev"])("`keepledger %s` restarts itself once with them, as the same process", (command) => {
    const s = starts([command, "--help"]);
    expect(s).toHaveLength(2);
    expect(s[1]!.pid).toBe(s[0]!.pid);
    expect(s[0]!.execArgv).not.toContain(NODE_V8_FLAGS[0]);
    expect(s[1]!.execArgv).toEqual(expect.arrayContaining([...NODE_V8_FLAGS]));
  });

  it("other commands start once, with V8's defaults", () => {
    const s = starts(["verify", "--help"]);
    expect(s).toHaveLength(1);
    expect(s[0]!.execArgv.some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
  });

  it("an operator's own value wins, and KEEPLEDGER_V8_FLAGS=off keeps V8's defaults", () => {
    expect(starts(["node", "--help"], { NODE_OPTIONS: "--max-semi-space-size=32" })).toHaveLength(1);
    expect(starts(["node", "--help"], { KEEPLEDGER_V8_FLAGS: "off" })).toHaveLength(1);
  });
});

describe("flaggedArguments", () => {
  const proc = (execArgv: string[], env: Record<string, string> = {}) => ({
    execArgv,
    argv: ["/usr/bin/node", "/app/bin/keepledger.mjs", "node", "--config", "a b.json"],
    env,
  });

  it("keeps the process's own Node options and its arguments, the flags after the options", () => {
    expect(flaggedArguments(proc(["--enable-source-maps"]))).toEqual([
      "--enable-source-maps",
      "--max-semi-space-size=16",
      "/app/bin/keepledger.mjs",
      "node",
      "--config",
      "a b.json",
    ]);
  });

  it.each([
    { why: "already running with them", p: proc(["--max-semi-space-size=16"]) },
    { why: "another value on the command line", p: proc(["--max-semi-space-size=64"]) },
    { why: "the option named without a value", p: proc(["--max-semi-space-size"]) },
    { why: "set in NODE_OPTIONS", p: proc([], { NODE_OPTIONS: "--trace-warnings  --max-semi-space-size=4" }) },
    { why: "spelled with underscores", p: proc(["--max_semi_space_size=8"]) },
    { why: "turned off", p: proc([], { KEEPLEDGER_V8_FLAGS: "off" }) },
  ])("says run as it is when $why", ({ p }) => {
    expect(flaggedArguments(p)).toBeUndefined();
  });

  it("does not take a longer option with the same prefix for it", () => {
    expect(flaggedArguments(proc(["--max-semi-space-size-extra=1"]))).toContain("--max-semi-space-size=16");
  });
});
