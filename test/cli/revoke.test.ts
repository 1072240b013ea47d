/**
 * `keepledger revoke subject|platform|verdicts|lift` as a governor runs them, through the real CLI against
 * a real chain: every act lands in the AttestationRegistry at once (no governance delay), lifting is
 * governance only, and bad flags name what was wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { attestationRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { platformKindCode, platformValue } from "../../src/chain/revocations.ts";
import { startGovernanceChain, type GovernanceChain } from "../support/cli-governanceChain.ts";

let g: GovernanceChain;
let governor: Record<string, string>;
const keep = privateKeyToAccount(generatePrivateKey()).address;
const workload = keccak256(stringToBytes("a workload"));
const other = keccak256(stringToBytes("another workload"));

beforeAll(async () => {
  g = await startGovernanceChain();
  governor = { KEEPLEDGER_GOVERNOR_KEY: g.keys.governor };
}, 60_000);
afterAll(async () => g?.close());

const read = <T>(functionName: string, args: readonly unknown[]) =>
  g.chain.publicClient.readContract({
    address: g.deployment.contracts.attestationRegistry,
    abi: attestationRegistryAbi,
    functionName,
    args,
  } as never) as Promise<T>;

describe("keepledger revoke", () => {
  it("revokes a subject in a workload and everywhere, and lifts them", async () => {
    const one = await g.cli(["revoke", "subject", keep, "--workload", workload, "--reason", "key leaked", "--json"], governor);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ ok: true, action: "revokeSubject", subject: keep, workloads: [workload] });
    expect(await read<boolean>("isSubjectRevoked", [keep, workload])).toBe(true);
    expect(await read<boolean>("isSubjectRevoked", [keep, other])).toBe(false);

    const everywhere = await g.cli(
      ["revoke", "subject", keep, "--everywhere", "--workload", other, "--reason", "host compromised"],
      governor,
    );
    expect(everywhere.code, everywhere.stderr).toBe(0);
    expect(everywhere.stdout).toContain(`revoked ${keep} in every workload`);
    expect(await read<boolean>("isSubjectRevoked", [keep, `0x${"00".repeat(32)}`])).toBe(true);

    const stranger = await g.cli(["revoke", "lift", "subject", keep, "--workload", workload], { KEEPLEDGER_GOVERNOR_KEY: g.keys.stranger });
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain(
      `liftSubjectRevocation refused by the contract: AccessControlUnauthorizedAccount: ${g.addresses.stranger} lacks the GOVERNOR_ROLE`,
    );

    const lifted = await g.cli(["revoke", "lift", "subject", keep, "--everywhere", "--workload", workload, other, "--json"], governor);
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(await read<boolean>("isSubjectRevoked", [keep, workload])).toBe(false);
    expect(await read<boolean>("isSubjectRevoked", [keep, other])).toBe(false);
  });

  it("puts a platform on the revocation list and takes it off", async () => {
    const r = await g.cli(["revoke", "platform", "--fmspc", "00906ED50000", "--reason", "below the TCB recovery", "--json"], governor);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, kind: "fmspc", value: "00906ed50000", key: `0x00906ed50000${"0".repeat(52)}` });
    const entry = { kind: "fmspc", value: "00906ed50000" } as const;
    expect(await read<bigint>("platformRevokedAt", [platformKindCode(entry.kind), platformValue(entry)])).toBeGreaterThan(0n);
    const line = await g.cli(["revoke", "platform", "--amd-product-line", "genoa", "--reason", "firmware bug"], governor);
    expect(line.code, line.stderr).toBe(0);
    expect(await read<bigint>("platformRevokedAt", [3, platformValue({ kind: "amdProductLine", value: "Genoa" })])).toBeGreaterThan(0n);

    const off = await g.cli(["revoke", "lift", "platform", "--fmspc", "00906ed50000"], governor);
    expect(off.code, off.stderr).toBe(0);
    expect(await read<bigint>("platformRevokedAt", [1, platformValue(entry)])).toBe(0n);
  });

  it("revokes verdicts by id", async () => {
    const ids: Hex[] = [keccak256(stringToBytes("v1")), keccak256(stringToBytes("v2"))];
    const r = await g.cli(["revoke", "verdicts", ...ids, "--reason", "FMSPC revoked", "--json"], governor);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, count: 2 });
    for (const id of ids) expect((await read<{ revoked: boolean }>("verdictOf", [id])).revoked).toBe(true);
  });

  it.each([
    { name: "no platform", args: ["revoke", "platform", "--reason", "x"], want: "name exactly one platform" },
    {
      name: "two platforms",
      args: ["revoke", "platform", "--tee", "sgx", "--fmspc", "00906ed50000", "--reason", "x"],
      want: "name exactly one platform",
    },
    {
      name: "an unknown TEE kind",
      args: ["revoke", "platform", "--tee", "sev", "--reason", "x"],
      want: "--tee must be sgx, tdx, sev-snp, nitro, debug, nvidia-gpu, azure-cvm, arm-cca",
    },
    { name: "no reason", args: ["revoke", "verdicts", keccak256(stringToBytes("v3"))], want: "--reason must be a non-empty reason" },
    { name: "no workload", args: ["revoke", "subject", keep, "--reason", "x"], want: "--workload" },
  ])("refuses $name with a usage error", async ({ args, want }) => {
    const r = await g.cli(args, governor);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(want);
  });
});
