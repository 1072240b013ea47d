// The keepledger command as a user runs it, each in a child process (`npm start` = `keepledger dev`:
// test/dev/devCommand.e2e.test.ts).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "keepledger.mjs"), ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

describe("keepledger CLI", () => {
  it("--help lists the commands", () => {
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+dev \[options\]\s+run keepledger on an in-process chain/m);
    expect(r.stdout).toMatch(/^\s+deploy \[options\]\s+deploy and wire the keepledger contracts/m);
  });

  it("an unknown command is a usage error (exit 2)", () => {
    const r = run("frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it("`keepledger deploy --dev` prints the deployment JSON on stdout", () => {
    const r = run("deploy", "--dev");
    expect(r.status).toBe(0);
    const deployment = JSON.parse(r.stdout);
    expect(deployment).toMatchObject({ chainId: 31337, devPoliciesAllowed: true, deployBlock: 1 });
    expect(Object.keys(deployment.contracts)).toEqual([
      "workloadRegistry",
      "validatorSet",
      "attestationRegistry",
      "cpakAllowList",
      "keyRegistry",
    ]);
  });
});
