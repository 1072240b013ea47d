/**
 * `keepledger validator add|remove|threshold|list` as a governor runs them, through the real CLI against a
 * real chain with a one-hour governance delay: every change says when it takes effect, `list` shows the
 * set and the scheduled threshold, refusals (threshold > n, unknown validator, removal below k, a sender
 * without GOVERNOR_ROLE, bad flags) name what was wrong and what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { GOVERNANCE_DELAY, startGovernanceChain, type GovernanceChain } from "../support/cli-governanceChain.ts";

let g: GovernanceChain;
let governor: Record<string, string>;
const validators = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()).address);

beforeAll(async () => {
  g = await startGovernanceChain();
  governor = { KEEPLEDGER_GOVERNOR_KEY: g.keys.governor };
}, 60_000);
afterAll(async () => g?.close());

describe("keepledger validator", () => {
  it("adds validators; each addition says when it takes effect", async () => {
    const first = await g.cli(
      ["validator", "add", validators[0]!, "--endpoint", "https://v0.example.org", "--logging", "production", "--json"],
      governor,
    );
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { effectiveAtUnix: number; inForceNow: boolean; validator: string };
    const now = await g.chain.now();
    expect(out).toMatchObject({ ok: true, action: "addValidator", validator: validators[0], inForceNow: false });
    expect(BigInt(out.effectiveAtUnix)).toBe(now + GOVERNANCE_DELAY);

    const second = await g.cli(
      ["validator", "add", validators[1]!, "--endpoint", "https://v1.example.org", "--logging", "staging"],
      governor,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`added validator ${validators[1]} at https://v1.example.org (staging logging)`);
    expect(second.stdout).toMatch(/takes effect at \S+Z \(in 1h, after the governance delay\); until then the current setting holds/);
    const third = await g.cli(["validator", "add", validators[2]!, "--endpoint", "https://v2.example.org", "--logging", "debug"], governor);
    expect(third.code, third.stderr).toBe(0);
  });

  it("schedules the threshold, and explains one above the number of validators", async () => {
    const tooMany = await g.cli(["validator", "threshold", "4"], governor);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain(
      "error CHAIN_REVERTED: setThreshold refused by the contract: ValidatorSetThresholdOutOfRange: the threshold must be between 1 and the number of registered validators (3), got 4; add validators first",
    );
    const ok = await g.cli(["validator", "threshold", "2", "--json"], governor);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, action: "setThreshold", threshold: 2, inForceNow: false });
  });

  it("lists the validators and the scheduled threshold, then the threshold in force after the delay", async () => {
    const before = await g.cli(["validator", "list", "--json"]);
    expect(before.code, before.stderr).toBe(0);
    const list = JSON.parse(before.stdout) as {
      threshold: number;
      registered: number;
      pendingThreshold?: { threshold: number };
      validators: Array<Record<string, unknown>>;
    };
    expect(list).toMatchObject({ threshold: 0, registered: 3, pendingThreshold: { threshold: 2 } });
    expect(list.validators.map((v) => [v.address, v.endpoint, v.loggingProfile, v.counting])).toEqual([
      [validators[0], "https://v0.example.org", "production", false],
      [validators[1], "https://v1.example.org", "staging", false],
      [validators[2], "https://v2.example.org", "debug", false],
    ]);
    await g.chain.increaseTime(GOVERNANCE_DELAY);
    const after = await g.cli(["validator", "list"]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout.split("\n")[0]).toBe("threshold 2 of 3 registered");
    expect(after.stdout).toContain(`${validators[1]}  not counting (no own verdict attached yet)`);
  });

  it("removes a validator, and explains removals it refuses", async () => {
    const removed = await g.cli(["validator", "remove", validators[2]!], governor);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`removed validator ${validators[2]}`);
    expect(removed.stdout).toContain("takes effect at");
    const belowK = await g.cli(["validator", "remove", validators[1]!], governor);
    expect(belowK.code).toBe(2);
    expect(belowK.stderr).toContain(
      "ValidatorSetRemovalBreaksThreshold: removing it would leave 1 validators for a threshold of 2; lower the threshold first",
    );
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    const unknown = await g.cli(["validator", "remove", stranger], governor);
    expect(unknown.stderr).toContain(`ValidatorSetUnknownValidator: ${stranger} is not a registered validator`);
  });

  it("explains a sender without GOVERNOR_ROLE", async () => {
    const r = await g.cli(["validator", "threshold", "1", "--json"], { KEEPLEDGER_GOVERNOR_KEY: g.keys.stranger });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: {
        code: "CHAIN_REVERTED",
        errorName: "AccessControlUnauthorizedAccount",
        message: `setThreshold refused by the contract: AccessControlUnauthorizedAccount: ${g.addresses.stranger} lacks the GOVERNOR_ROLE; use a governor's key`,
      },
    });
  });

  it.each([
    {
      name: "a malformed address",
      args: ["add", "0x1234", "--endpoint", "https://x.example.org", "--logging", "production"],
      message: 'error CLI_BAD_OPTION: <address> must be an address (0x + 40 hex digits), got "0x1234" (<address>)',
    },
    {
      name: "an unknown logging profile",
      args: ["add", validators[0]!, "--endpoint", "https://x.example.org", "--logging", "verbose"],
      message: 'error CLI_BAD_OPTION: --logging must be production, staging, debug, got "verbose" (--logging)',
    },
    {
      name: "an endpoint that is not a URL",
      args: ["add", validators[0]!, "--endpoint", "v0:7000", "--logging", "production"],
      message: 'error CLI_BAD_OPTION: --endpoint must be an http(s) URL, got "v0:7000" (--endpoint)',
    },
    { name: "a threshold of 0", args: ["threshold", "0"], message: 'error CLI_BAD_OPTION: <k> must be at least 1, got "0" (<k>)' },
    {
      name: "a threshold that is not a number",
      args: ["threshold", "two"],
      message: 'error CLI_BAD_OPTION: <k> must be a whole number from 0 to 65535, got "two" (<k>)',
    },
  ])("refuses $name before sending anything (exit 2)", async ({ args, message }) => {
    const r = await g.cli(["validator", ...args], governor);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe("keepledger validator bootstrap | close-bootstrap | set-workload (a new network)", () => {
  let n: GovernanceChain;
  let gov: Record<string, string>;
  beforeAll(async () => {
    n = await startGovernanceChain();
    gov = { KEEPLEDGER_GOVERNOR_KEY: n.keys.governor };
  }, 60_000);
  afterAll(async () => n?.close());

  it("designates the validator workload, bootstraps a first validator, closes the bootstrap, and then refuses another", async () => {
    const added = await n.cli(["workload", "add", "validator-software", "--json"], { KEEPLEDGER_OWNER_KEY: n.keys.owner });
    expect(added.code, added.stderr).toBe(0);
    const { workloadId } = JSON.parse(added.stdout) as { workloadId: string };

    const designated = await n.cli(["validator", "set-workload", workloadId, "--json"], gov);
    expect(designated.code, designated.stderr).toBe(0);
    expect(JSON.parse(designated.stdout)).toMatchObject({ ok: true, action: "setValidatorWorkload", workloadId, inForceNow: false });

    const first = privateKeyToAccount(generatePrivateKey()).address;
    const boot = await n.cli(["validator", "bootstrap", first, "--endpoint", "https://v0.example.org", "--logging", "production"], gov);
    expect(boot.code, boot.stderr).toBe(0);
    expect(boot.stdout).toContain(
      `bootstrapped validator ${first} at https://v0.example.org (production logging; counts without its own verdict until the bootstrap closes)`,
    );

    const closed = await n.cli(["validator", "close-bootstrap", "--json"], gov);
    expect(closed.code, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ ok: true, action: "closeBootstrap" });
    await n.chain.increaseTime(GOVERNANCE_DELAY);

    const late = await n.cli(
      [
        "validator",
        "bootstrap",
        privateKeyToAccount(generatePrivateKey()).address,
        "--endpoint",
        "https://v1.example.org",
        "--logging",
        "production",
      ],
      gov,
    );
    expect(late.code).toBe(2);
    expect(late.stderr).toContain("ValidatorSetBootstrapClosed");
    expect(late.stderr).toContain("keepledger validator add");
  });

  it("refuses a malformed workload id before sending anything", async () => {
    const r = await n.cli(["validator", "set-workload", "0x12"], gov);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error CLI_BAD_OPTION: <workloadId>");
  });
});
