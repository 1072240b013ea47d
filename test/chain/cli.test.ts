// The keepledger command as a user runs it: `keepledger --help` and `npm start` (= `keepledger dev`),
// each in a child process.
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

  it("`keepledger dev` runs the scripted round in a few seconds and exits 0", () => {
    const started = Date.now();
    const r = run("dev");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const out = r.stdout;
    expect(out).toMatch(/^Deployed keepledger for development/m);
    expect(out).toMatch(/^Registered workload "demo-app" owned by 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}: id 0x[0-9a-f]{4}…[0-9a-f]{4}\.$/m);
    expect(out).toMatch(/INSECURE, development only/);
    expect(out).toMatch(/^Bootstrapped 3 validators .*; threshold 2 of 3\.$/m);
    expect(out).toMatch(/^Finalized verdict 0x[0-9a-f]{4}…[0-9a-f]{4} with 2 of 3 signatures in block \d+ \([\d,]+ gas\)/m);
    expect(out).toMatch(/^isAttested\(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}, demo-app\) → true: verdict /m);
    expect(out).toMatch(/^isAttested\(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}, demo-app\) → false: that key has no verdict\.$/m);
    expect(out).toMatch(/^Done in \d+\.\d s\.$/m);
  });

  it("`keepledger deploy --dev` prints the deployment JSON on stdout", () => {
    const r = run("deploy", "--dev");
    expect(r.status).toBe(0);
    const deployment = JSON.parse(r.stdout);
    expect(deployment).toMatchObject({ chainId: 31337, devPoliciesAllowed: true, deployBlock: 1 });
    expect(Object.keys(deployment.contracts)).toEqual(["workloadRegistry", "validatorSet", "attestationRegistry"]);
  });
});
