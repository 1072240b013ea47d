/**
 * `keepledger workload cpak` (issue 12) as a workload owner and a governor run it, through the real CLI
 * against a real chain: a CPAK named by id or by its key file lands in the CpakAllowList under the one
 * identity function, allowing waits for the policy delay and disallowing is immediate, and refusals are
 * explained.
 */
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { cpakAllowListAbi, workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { cpakId } from "@keepledger/sdk/internal/ids/index";
import { fixturePath } from "../support/fixtures.ts";
import { startGovernanceChain, type GovernanceChain } from "../support/cli-governanceChain.ts";

let g: GovernanceChain;
let owner: Record<string, string>;
let app: Hex;
const PEM = fixturePath("arm-cca", "tfm-tools-example-ffm00-tag399", "cpak.pub.pem");
const JWK = fixturePath("arm-cca", "tfm-tools-example-ffm00-tag399", "cpak.jwk.json");
const TEST_CPAK = cpakId(createPublicKey(readFileSync(PEM)).export({ type: "spki", format: "der" }));
const OTHER = `0x${"c4".repeat(32)}` as Hex;

beforeAll(async () => {
  g = await startGovernanceChain();
  owner = { KEEPLEDGER_OWNER_KEY: g.keys.owner };
  const r = await g.cli(["workload", "add", "realm", "--json"], owner);
  expect(r.code, r.stderr).toBe(0);
  app = (JSON.parse(r.stdout) as { workloadId: Hex }).workloadId;
}, 60_000);
afterAll(async () => g?.close());

const onChain = async () => {
  const [ids, ats] = await g.chain.publicClient.readContract({
    address: g.deployment.contracts.cpakAllowList!,
    abi: cpakAllowListAbi,
    functionName: "cpaksOf",
    args: [app],
  });
  return ids.map((id, i) => ({ id: id.toLowerCase(), effectiveAt: ats[i] }));
};

describe("keepledger workload cpak", () => {
  it("allows a CPAK given as a PEM file under its identity, and prints the list", async () => {
    const empty = await g.cli(["workload", "cpak", app]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain("allows no Arm CCA platform key (CPAK): its Arm CCA evidence is refused");

    const r = await g.cli(["workload", "cpak", app, "--allow", PEM, "--json"], owner);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, workloadId: app, cpakId: TEST_CPAK, inForceNow: true });
    expect(await onChain()).toEqual([{ id: TEST_CPAK, effectiveAt: expect.any(BigInt) }]);

    // The same key as a JWK file names the same CPAK: already listed, the contract says so.
    const again = await g.cli(["workload", "cpak", app, "--allow", JWK], owner);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`CpakAllowListCpakExists: CPAK ${TEST_CPAK} is already on the allow-list of workload ${app}`);

    const listed = await g.cli(["workload", "cpak", app, "--json"]);
    expect(JSON.parse(listed.stdout)).toMatchObject({ cpaks: [{ cpakId: TEST_CPAK, inForce: true }] });
  });

  it("waits for the policy delay to allow, and disallows at once (the governor too)", async () => {
    const governor = {
      publicClient: g.chain.publicClient,
      walletClient: createWalletClient({
        chain: g.chain.chain,
        transport: http(g.bridge.url),
        account: privateKeyToAccount(g.keys.governor),
      }),
    };
    await sendContractCall(governor, {
      address: g.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "setPolicyDelay",
      args: [600n],
    });
    const r = await g.cli(["workload", "cpak", app, "--allow", OTHER], owner);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`allowed CPAK ${OTHER} for workload ${app}`);
    expect(r.stdout).toMatch(/takes effect at \S+Z \(in 10m, after the policy delay\)/);
    const shown = await g.cli(["workload", "cpak", app]);
    expect(shown.stdout).toMatch(new RegExp(`${OTHER}  takes effect at `));

    const byStranger = await g.cli(["workload", "cpak", app, "--disallow", OTHER], { KEEPLEDGER_OWNER_KEY: g.keys.stranger });
    expect(byStranger.code).toBe(2);
    expect(byStranger.stderr).toContain(`CpakAllowListNotOwnerOrGovernor: ${g.addresses.stranger} is neither the owner of workload ${app}`);

    const d = await g.cli(["workload", "cpak", app, "--disallow", OTHER, "--json"], { KEEPLEDGER_OWNER_KEY: g.keys.governor });
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ ok: true, cpakId: OTHER });
    expect(await onChain()).toEqual([{ id: TEST_CPAK, effectiveAt: expect.any(BigInt) }]);
  });

  it("refuses a malformed CPAK argument and both flags at once", async () => {
    const bad = await g.cli(["workload", "cpak", app, "--allow", "0x1234"], owner);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--allow must be a CPAK id (32 bytes of hex) or a readable PEM/JWK file");
    const both = await g.cli(["workload", "cpak", app, "--allow", OTHER, "--disallow", OTHER], owner);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--disallow");
  });
});
