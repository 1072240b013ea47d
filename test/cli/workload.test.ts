/**
 * `keepledger workload add|measure|revoke|policy` as a workload owner runs them, through the real CLI
 * against a real chain (EDR behind the HTTP JSON-RPC bridge): ids and measurement hashes agree with what
 * the contract stores, measurements come from flags and from real vectors, policies are read, scheduled
 * and round-trip through --json; refusals name what was wrong.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, keccak256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { sendContractCall } from "../../src/chain/transactions.ts";
import { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { workloadId as workloadIdOf } from "@keepledger/sdk/internal/ids/index";
import { measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { expectedOf, fixturePath } from "../support/fixtures.ts";
import { startGovernanceChain, type GovernanceChain } from "../support/cli-governanceChain.ts";

let g: GovernanceChain;
let owner: Record<string, string>;
let app: Hex;
const ZERO32 = `0x${"00".repeat(32)}`;

beforeAll(async () => {
  g = await startGovernanceChain();
  owner = { KEEPLEDGER_OWNER_KEY: g.keys.owner };
  const r = await g.cli(["workload", "add", "app", "--metadata-uri", "https://example.org/app.json", "--json"], owner);
  expect(r.code, r.stderr).toBe(0);
  app = (JSON.parse(r.stdout) as { workloadId: Hex }).workloadId;
}, 60_000);
afterAll(async () => g?.close());

const measurementOf = (workloadId: Hex, hash: Hex) =>
  g.chain.publicClient.readContract({
    address: g.deployment.contracts.workloadRegistry,
    abi: workloadRegistryAbi,
    functionName: "measurementOf",
    args: [workloadId, hash],
  });

/** The flags that verify a fixture's evidence as `keepledger verify` would: its folder as collateral, a time in its window. */
const verifyWith = (kind: string, set: string): string[] => [
  "--collateral",
  fixturePath(kind, set),
  "--at",
  expectedOf(kind, set).verify_at,
];

describe("keepledger --help", () => {
  it("lists the governance commands with their subcommands (the installed bin, as a process)", () => {
    const r = spawnSync(process.execPath, [new URL("../../bin/keepledger.mjs", import.meta.url).pathname, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    for (const name of ["dev", "node", "verify", "audit", "deploy", "submit", "query", "cert"])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(r.stdout).toMatch(/^ {2}workload +add \| measure \| revoke \| policy \| cpak \|\s+accept-ownership:/m);
    expect(r.stdout).toMatch(/^ {2}validator +add \| remove \| threshold \| list \| bootstrap$/m);
  });
});

describe("keepledger workload add", () => {
  it("registers the workload under the owner-scoped id and prints it", async () => {
    expect(app).toBe(workloadIdOf(g.addresses.owner, "app"));
    const info = await g.chain.publicClient.readContract({
      address: g.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "workloadOf",
      args: [app],
    });
    expect(info).toMatchObject({ owner: g.addresses.owner, name: "app", metadataURI: "https://example.org/app.json" });
    const human = await g.cli(["workload", "add", "second", "--owner", g.addresses.stranger], owner);
    expect(human.code, human.stderr).toBe(0);
    const id = workloadIdOf(g.addresses.owner, "second");
    expect(human.stdout.split("\n")[0]).toBe(id);
    expect(human.stdout).toContain(`ownership transfer to ${g.addresses.stranger} started`);
    expect(human.stdout).toContain(`completes it with \`keepledger workload accept-ownership ${id}\``);

    const notPending = await g.cli(["workload", "accept-ownership", id], { KEEPLEDGER_OWNER_KEY: g.keys.governor });
    expect(notPending.code).toBe(2);
    expect(notPending.stderr).toContain(
      `WorkloadRegistryNotPendingOwner: ${g.addresses.governor} is not the pending owner of workload ${id} (the transfer is to ${g.addresses.stranger}); use that account's key`,
    );
    const accepted = await g.cli(["workload", "accept-ownership", id], { KEEPLEDGER_OWNER_KEY: g.keys.stranger });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain(`${g.addresses.stranger} now owns workload ${id}`);
    const transferred = await g.chain.publicClient.readContract({
      address: g.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "workloadOf",
      args: [id],
    });
    expect(transferred.owner).toBe(g.addresses.stranger);
  });

  it("explains a second registration of the same name", async () => {
    const r = await g.cli(["workload", "add", "app"], owner);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error CHAIN_REVERTED: registerWorkload refused by the contract: WorkloadRegistryWorkloadExists: this account already registered a workload of that name (${app})`,
    );
  });
});

describe("keepledger workload measure", () => {
  it("approves an SGX enclave given by flags; the printed hash is the one the contract stores", async () => {
    const mrenclave = `0x${"ab".repeat(32)}` as Hex;
    const r = await g.cli(["workload", "measure", app, "--tee", "sgx", "--mrenclave", mrenclave, "--release", "3", "--json"], owner);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { measurementHash: Hex; release: number; source: string };
    expect(out.measurementHash).toBe(measurementHash({ tee: "sgx", mrenclave, mrsigner: ZERO32 as Hex, isvProdId: 0, minIsvSvn: 0 }));
    expect(out).toMatchObject({ release: 3, source: "flags" });
    expect(await measurementOf(app, out.measurementHash)).toMatchObject({ known: true, revoked: false, version: 3, tee: 1 });
  });

  it("takes a TDX measurement from a real quote and shows what it took", async () => {
    const report = (expectedOf("tdx", "dcapqvl-tdx") as unknown as { quote: { report: Record<string, string> } }).quote.report;
    const r = await g.cli(
      ["workload", "measure", app, "--from-evidence", fixturePath("tdx", "dcapqvl-tdx", "quote.bin"), ...verifyWith("tdx", "dcapqvl-tdx")],
      owner,
    );
    expect(r.code, r.stderr).toBe(0);
    const want = {
      tee: "tdx" as const,
      mrtd: `0x${report.mrtd}` as Hex,
      rtmr0: `0x${report.rtmr0}` as Hex,
      rtmr1: `0x${report.rtmr1}` as Hex,
      rtmr2: `0x${report.rtmr2}` as Hex,
      rtmr3: `0x${report.rtmr3}` as Hex,
    };
    const hash = measurementHash(want);
    expect(r.stdout.split("\n")[0]).toBe(hash);
    expect(r.stdout).toContain(`evidence ${fixturePath("tdx", "dcapqvl-tdx", "quote.bin")} (verified)`);
    expect(r.stdout).toContain(`mrtd        ${want.mrtd}`);
    expect(r.stdout).toContain(`rtmr3       ${want.rtmr3}`);
    expect(await measurementOf(app, hash)).toMatchObject({ known: true, tee: 2 });
  });

  it("takes an SGX enclave's signer, product and ISVSVN from a real quote with --by-signer", async () => {
    const report = (
      expectedOf("sgx", "dcapqvl-sgx") as unknown as { quote: { report: { mrsigner: string; isvprodid: number; isvsvn: number } } }
    ).quote.report;
    const r = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--from-evidence",
        fixturePath("sgx", "dcapqvl-sgx", "quote.bin"),
        ...verifyWith("sgx", "dcapqvl-sgx"),
        "--by-signer",
        "--json",
      ],
      owner,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { measurementHash: Hex; debug: boolean; fields: Record<string, unknown> };
    const want = {
      mrenclave: ZERO32 as Hex,
      mrsigner: `0x${report.mrsigner}` as Hex,
      isvProdId: report.isvprodid,
      minIsvSvn: report.isvsvn,
    };
    expect(out.fields).toEqual(want);
    expect(out.debug).toBe(false);
    expect(out.measurementHash).toBe(measurementHash({ tee: "sgx", ...want }));
  });

  it("labels a debug-mode SEV-SNP guest insecure and can require its host data", async () => {
    const report = (expectedOf("sev-snp", "go-sev-guest-milan-debug") as unknown as { report: { measurement: string; host_data: string } })
      .report;
    const r = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--from-evidence",
        fixturePath("sev-snp", "go-sev-guest-milan-debug", "report.bin"),
        ...verifyWith("sev-snp", "go-sev-guest-milan-debug"),
        // The vector comes without AMD's CRL (as in `keepledger verify`'s test of it).
        "--dangerously-allow-missing-amd-crl",
        "--with-host-data",
        "--json",
      ],
      owner,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { measurementHash: Hex; debug: boolean; fields: Record<string, string> };
    expect(out.debug).toBe(true);
    expect(out.fields).toEqual({ measurement: `0x${report.measurement}`, hostData: `0x${report.host_data}` });
    expect(out.measurementHash).toBe(
      measurementHash({ tee: "sev-snp", measurement: `0x${report.measurement}`, hostData: `0x${report.host_data}` }),
    );
  });

  it("approves an Arm CCA realm from flags, and the same realm taken from Arm's test token (labelled insecure)", async () => {
    const set = "tfm-tools-example-ffm00-tag399";
    const claims = (expectedOf("arm-cca", set) as unknown as { key_claims: { realm_initial_measurement: string } }).key_claims;
    const taken = await g.cli(
      ["workload", "measure", app, "--from-evidence", fixturePath("arm-cca", set, "token.cbor"), ...verifyWith("arm-cca", set), "--json"],
      owner,
    );
    expect(taken.code, taken.stderr).toBe(0);
    const out = JSON.parse(taken.stdout) as { measurementHash: Hex; debug: boolean; fields: Record<string, unknown> };
    expect(out.debug).toBe(true);
    expect(out.fields.rim).toBe(`0x${claims.realm_initial_measurement}`);
    expect(await measurementOf(app, out.measurementHash)).toMatchObject({ known: true, revoked: false, tee: 8 });

    const f = out.fields as { hashAlgorithm: string; rim: Hex; rems: Hex[]; personalizationValue: Hex };
    const flags = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--tee",
        "arm-cca",
        "--hash-alg",
        f.hashAlgorithm,
        "--rim",
        f.rim,
        ...f.rems.flatMap((rem, i) => [`--rem${i}`, rem]),
        "--personalization-value",
        f.personalizationValue,
        "--release",
        "2",
        "--json",
      ],
      owner,
    );
    // The flags name the very measurement the token gave: the contract says it is already approved.
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain(`WorkloadRegistryMeasurementExists: measurement ${out.measurementHash} is already approved`);

    const stray = await g.cli(["workload", "measure", app, "--tee", "arm-cca", "--rim", f.rim, "--pcr0", `0x${"00".repeat(48)}`], owner);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--pcr0 does not apply to --tee arm-cca");
  });

  it("approves a CPU + GPU Keep from the test composite (labelled insecure), and by flags with GPU requirements", async () => {
    const set = "keepledger-test-tdx-gh100";
    const taken = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--from-evidence",
        fixturePath("cpu-gpu", set, "composite.klcg"),
        ...verifyWith("cpu-gpu", set),
        "--json",
      ],
      owner,
    );
    expect(taken.code, taken.stderr).toBe(0);
    const out = JSON.parse(taken.stdout) as { measurementHash: Hex; debug: boolean; fields: Record<string, unknown> };
    expect(out.debug).toBe(true);
    expect(out.fields).toMatchObject({ cpuTee: "tdx", minGpus: 1, gpuModels: [], minDriverVersion: null, minVbiosVersion: null });
    expect(out.fields.gpuRimSetDigest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await measurementOf(app, out.measurementHash)).toMatchObject({ known: true, revoked: false, tee: 9 });

    const flags = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--tee",
        "cpu-gpu",
        "--cpu-tee",
        "tdx",
        "--cpu-measurement-hash",
        out.fields.cpuMeasurementHash as string,
        "--min-gpus",
        "2",
        "--gpu-models",
        "GH100/1010/0200/882,GB100",
        "--min-driver-version",
        "550.90.07",
        "--min-vbios-version",
        "96.00.9F.00.01",
        "--release",
        "2",
        "--json",
      ],
      owner,
    );
    expect(flags.code, flags.stderr).toBe(0);
    const byFlags = JSON.parse(flags.stdout) as { measurementHash: Hex; fields: Record<string, unknown> };
    expect(byFlags.fields).toMatchObject({
      minGpus: 2,
      gpuRimSetDigest: null,
      gpuModels: [{ chip: "GH100", project: "1010", projectSku: "0200", chipSku: "882" }, { chip: "GB100" }],
      minDriverVersion: "550.90.07",
      minVbiosVersion: "96.00.9f.00.01",
    });
    expect(await measurementOf(app, byFlags.measurementHash)).toMatchObject({ known: true, tee: 9 });

    const sgxCpu = await g.cli(
      ["workload", "measure", app, "--tee", "cpu-gpu", "--cpu-tee", "sgx", "--cpu-measurement-hash", `0x${"11".repeat(32)}`],
      owner,
    );
    expect(sgxCpu.code).toBe(2);
    expect(sgxCpu.stderr).toContain("--cpu-tee must be one of tdx, sev-snp, debug, azure-cvm, arm-cca");
  });

  it("takes a Nitro measurement's PCR0-2 from a real attestation document", async () => {
    const pcrs = (expectedOf("nitro", "dstack-nitro-doc-a") as unknown as { document: { pcrs: Record<string, string> } }).document.pcrs;
    const r = await g.cli(
      [
        "workload",
        "measure",
        app,
        "--from-evidence",
        fixturePath("nitro", "dstack-nitro-doc-a", "attestation_doc.cose"),
        ...verifyWith("nitro", "dstack-nitro-doc-a"),
        "--json",
      ],
      owner,
    );
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { fields: unknown }).fields).toEqual({
      pcr0: `0x${pcrs["0"]}`,
      pcr1: `0x${pcrs["1"]}`,
      pcr2: `0x${pcrs["2"]}`,
    });
  });

  it.each([
    {
      name: "bad hex",
      args: ["--tee", "sgx", "--mrenclave", "0x12"],
      message: 'error CLI_BAD_OPTION: --mrenclave must be 32 bytes of hex (0x + 64 hex digits), got "0x12" (--mrenclave)',
    },
    {
      name: "an unknown kind",
      args: ["--tee", "sgx2"],
      message:
        'error CLI_BAD_OPTION: --tee must be one of sgx, tdx, sev-snp, nitro, debug, nvidia-gpu, azure-cvm, arm-cca, cpu-gpu (or use --from-evidence <file>), got "sgx2" (--tee)',
    },
    {
      name: "a flag of another kind",
      args: ["--tee", "nitro", "--mrtd", "00"],
      message: "error CLI_BAD_OPTION: --mrtd does not apply to --tee nitro; it takes --pcr0, --pcr1, --pcr2 (--mrtd)",
    },
    {
      name: "a missing field",
      args: ["--tee", "tdx", "--mrtd", "11".repeat(48)],
      message: "error CLI_BAD_OPTION: --tee tdx needs --rtmr0 (--rtmr0)",
    },
    {
      name: "both SGX modes",
      args: ["--tee", "sgx", "--mrenclave", "11".repeat(32), "--mrsigner", "22".repeat(32)],
      message: "an SGX measurement is either --mrenclave alone, or --mrsigner with --isv-prod-id and --min-isv-svn",
    },
    {
      name: "evidence that is not evidence",
      args: ["--from-evidence", fixturePath("tdx", "dcapqvl-tdx", "expected.json")],
      message: "error CLI_EVIDENCE_MEASUREMENT: cannot take a measurement from",
    },
    {
      name: "evidence that does not verify (no collateral given): it is not measured",
      args: ["--from-evidence", fixturePath("tdx", "dcapqvl-tdx", "quote.bin"), "--at", expectedOf("tdx", "dcapqvl-tdx").verify_at],
      message: "error CLI_EVIDENCE_MEASUREMENT: cannot take a measurement from",
    },
    {
      name: "evidence verified at a time outside its validity",
      args: [
        "--from-evidence",
        fixturePath("tdx", "dcapqvl-tdx", "quote.bin"),
        "--collateral",
        fixturePath("tdx", "dcapqvl-tdx"),
        "--at",
        "2040-01-01",
      ],
      message: "it does not verify as of 2040-01-01T00:00:00.000Z",
    },
    {
      name: "--collateral without --from-evidence",
      args: ["--tee", "debug", "--measurement", "11".repeat(32), "--collateral", "."],
      message: "error CLI_BAD_OPTION: --collateral applies to --from-evidence only",
    },
    {
      name: "evidence and flags together",
      args: ["--from-evidence", fixturePath("tdx", "dcapqvl-tdx", "quote.bin"), "--tee", "tdx"],
      message: "error CLI_BAD_OPTION: --from-evidence takes the measurement from the evidence; leave out --tee and the measurement flags",
    },
  ])("refuses $name before sending anything (exit 2)", async ({ args, message }) => {
    const r = await g.cli(["workload", "measure", app, ...args], owner);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("explains an unknown workload, a sender who is not the owner, and a missing key", async () => {
    const unknown = `0x${"77".repeat(32)}`;
    const a = await g.cli(["workload", "measure", unknown, "--tee", "debug", "--measurement", "11".repeat(32)], owner);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(
      `error CHAIN_REVERTED: addMeasurement refused by the contract: WorkloadRegistryUnknownWorkload: no workload ${unknown} is registered`,
    );
    const b = await g.cli(["workload", "measure", app, "--tee", "debug", "--measurement", "11".repeat(32), "--json"], {
      KEEPLEDGER_OWNER_KEY: g.keys.stranger,
    });
    expect(b.code).toBe(2);
    expect(JSON.parse(b.stdout)).toEqual({
      ok: false,
      error: {
        code: "CHAIN_REVERTED",
        errorName: "WorkloadRegistryNotOwner",
        message: `addMeasurement refused by the contract: WorkloadRegistryNotOwner: ${g.addresses.stranger} is not the owner of workload ${app} (the owner is ${g.addresses.owner}); use the owner's key`,
      },
    });
    const c = await g.cli(["workload", "measure", app, "--tee", "debug", "--measurement", "11".repeat(32)], { KEEPLEDGER_OWNER_KEY: "" });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("error CLI_BAD_OPTION: set KEEPLEDGER_OWNER_KEY to a private key (0x + 64 hex digits)");
  });
});

describe("keepledger workload revoke", () => {
  it("revokes a measurement, and explains revoking it twice", async () => {
    const add = await g.cli(["workload", "measure", app, "--tee", "debug", "--measurement", "cd".repeat(32), "--json"], owner);
    const hash = (JSON.parse(add.stdout) as { measurementHash: Hex }).measurementHash;
    const r = await g.cli(["workload", "revoke", app, hash], owner);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`revoked measurement ${hash} of workload ${app}`);
    expect(await measurementOf(app, hash)).toMatchObject({ known: true, revoked: true });
    const again = await g.cli(["workload", "revoke", app, hash], owner);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`WorkloadRegistryMeasurementAlreadyRevoked: measurement ${hash} is already revoked`);
    const bad = await g.cli(["workload", "revoke", app, "0xzz"], owner);
    expect(bad.stderr).toContain('error CLI_BAD_OPTION: <measurementHash> must be 32 bytes of hex (0x + 64 hex digits), got "0xzz"');
  });
});

describe("keepledger workload policy", () => {
  it("prints the default policy, schedules changes from flags and from a file, and round-trips --json", async () => {
    const shown = await g.cli(["workload", "policy", app]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`workload ${app} "app", owner ${g.addresses.owner}`);
    expect(shown.stdout).toContain("allowed TEEs          sgx, tdx, sev-snp, nitro, nvidia-gpu, azure-cvm, arm-cca, cpu-gpu");
    // No SEV-SNP minimum TCB is said explicitly, never left blank.
    expect(shown.stdout).toContain("SEV-SNP minimum TCB   no minimum TCB (any firmware level)");

    const flags = await g.cli(["workload", "policy", app, "--tee", "sgx,tdx,debug", "--dev", "--max-evidence-age", "600", "--json"], owner);
    expect(flags.code, flags.stderr).toBe(0);
    const scheduled = JSON.parse(flags.stdout) as { inForceNow: boolean; policy: Record<string, unknown> };
    // The deployment's policy delay is 0: in force at once.
    expect(scheduled).toMatchObject({
      ok: true,
      inForceNow: true,
      policy: { allowedTees: ["sgx", "tdx", "debug"], dev: true, maxEvidenceAge: 600 },
    });

    const file = join(g.dir, "policy.json");
    writeFileSync(
      file,
      JSON.stringify({ acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded"], verdictLifetime: 3600, deniedFmspcs: ["00906ED50000"] }),
    );
    const set = await g.cli(["workload", "policy", app, "--set", file], owner);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("in force now");

    const read = await g.cli(["workload", "policy", app, "--json"]);
    const policy = (JSON.parse(read.stdout) as { policy: Record<string, unknown> }).policy;
    expect(policy).toEqual({
      allowedTees: ["sgx", "tdx", "debug"],
      acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded"],
      dev: true,
      allowUnboundEvidence: false,
      deniedAmdProductLines: [],
      maxEvidenceAge: 600,
      verdictLifetime: 3600,
      tcbGracePeriod: 0,
      deniedAdvisories: [],
      deniedFmspcs: ["00906ed50000"],
      launch: {
        minSnpTcb: {},
        snpAllowedVmpls: [0],
        snpAllowMigrateMa: false,
        snpRequireSmtOff: false,
        tdxAllowedTdAttributes: "0x00000000d0000000",
        tdxAllowedXfam: "0xffffffffffffffff",
        tdxOwnerConfigDigest: null,
        sgxAllowedAttributes: "0x0000000000000485",
        sgxMinIsvSvn: 0,
      },
    });
    // What --json prints is what --set reads.
    const roundTrip = join(g.dir, "roundtrip.json");
    writeFileSync(roundTrip, read.stdout);
    const again = await g.cli(["workload", "policy", app, "--set", roundTrip, "--json"], owner);
    expect((JSON.parse(again.stdout) as { policy: unknown }).policy).toEqual(policy);
  });

  it("sets every launch field from flags, shows it, and refuses malformed launch flags", async () => {
    const mrconfigid = `0x${"01".repeat(48)}`;
    const zero48 = `0x${"00".repeat(48)}`;
    const set = await g.cli(
      [
        "workload",
        "policy",
        app,
        "--snp-min-tcb",
        "Genoa:bootloader=9,tee=0,snp=23,microcode=72",
        "--snp-min-tcb",
        "Turin:bootloader=1,tee=1,snp=1,microcode=1,fmc=2",
        "--snp-vmpls",
        "0,1",
        "--snp-allow-migrate-ma",
        "--snp-require-smt-off",
        "--tdx-allowed-td-attributes",
        "0x10000000",
        "--tdx-allowed-xfam",
        "0xe7",
        "--tdx-owner-config",
        `${mrconfigid}:${zero48}:${zero48}`,
        "--sgx-allowed-attributes",
        "0x15",
        "--sgx-min-isvsvn",
        "3",
        "--json",
      ],
      owner,
    );
    expect(set.code, set.stderr).toBe(0);
    const launch = (JSON.parse(set.stdout) as { policy: { launch: Record<string, unknown> } }).policy.launch;
    expect(launch).toEqual({
      minSnpTcb: {
        Genoa: { bootloader: 9, tee: 0, snp: 23, microcode: 72 },
        Turin: { bootloader: 1, tee: 1, snp: 1, microcode: 1, fmc: 2 },
      },
      snpAllowedVmpls: [0, 1],
      snpAllowMigrateMa: true,
      snpRequireSmtOff: true,
      tdxAllowedTdAttributes: "0x0000000010000000",
      tdxAllowedXfam: "0x00000000000000e7",
      tdxOwnerConfigDigest: keccak256(`0x${"01".repeat(48)}${"00".repeat(96)}`),
      sgxAllowedAttributes: "0x0000000000000015",
      sgxMinIsvSvn: 3,
    });
    const shown = await g.cli(["workload", "policy", app]);
    expect(shown.stdout).toContain(
      "SEV-SNP minimum TCB   Genoa:bootloader=9,tee=0,snp=23,microcode=72; Turin:bootloader=1,tee=1,snp=1,microcode=1,fmc=2",
    );
    expect(shown.stdout).toContain("SEV-SNP VMPLs         0, 1");

    for (const [flag, value] of [
      ["--snp-min-tcb", "Genoa:fmc=1"],
      ["--snp-min-tcb", "Rome:bootloader=1"],
      ["--snp-vmpls", "0,4"],
      ["--tdx-allowed-xfam", "0x1ffffffffffffffff"],
      ["--tdx-owner-config", "0x01"],
      ["--sgx-min-isvsvn", "70000"],
    ] as const) {
      const bad = await g.cli(["workload", "policy", app, flag, value], owner);
      expect(bad.code, `${flag} ${value}`).toBe(2);
      expect(bad.stderr).toContain(`error CLI_BAD_OPTION: ${flag}`);
    }
  });

  it("refuses a malformed policy file, an unknown workload, and a policy the contract refuses", async () => {
    const file = join(g.dir, "bad-policy.json");
    writeFileSync(file, JSON.stringify({ allowedTees: ["sgx", "tpm"] }));
    const bad = await g.cli(["workload", "policy", app, "--set", file], owner);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`error CLI_POLICY_INVALID: ${file}: allowedTees.1:`);
    writeFileSync(file, JSON.stringify({ maxAge: 5 }));
    expect((await g.cli(["workload", "policy", app, "--set", file], owner)).stderr).toContain("error CLI_POLICY_INVALID:");

    const unknown = `0x${"66".repeat(32)}`;
    const u = await g.cli(["workload", "policy", unknown]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain(
      `error CLI_WORKLOAD_UNKNOWN: no workload ${unknown} is registered in the WorkloadRegistry at ${g.deployment.contracts.workloadRegistry}`,
    );

    const refused = await g.cli(["workload", "policy", app, "--tee", "debug", "--no-dev"], owner);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('WorkloadRegistryPolicyDebugTeeWithoutDev: allowing the "debug" TEE kind needs a dev policy');
  });

  it("says when a policy takes effect under a policy delay, and shows it as scheduled until then", async () => {
    // The governor sets a 10-minute policy delay (in force at once: the current delay is 0).
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
    const r = await g.cli(["workload", "policy", app, "--verdict-lifetime", "7200"], owner);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/takes effect at \S+Z \(in 10m, after the policy delay\); until then the current setting holds/);
    const shown = await g.cli(["workload", "policy", app, "--json"]);
    const out = JSON.parse(shown.stdout) as {
      policy: { verdictLifetime: number };
      pending: { policy: { verdictLifetime: number }; effectiveAt: string };
    };
    expect(out.policy.verdictLifetime).toBe(3600);
    expect(out.pending.policy.verdictLifetime).toBe(7200);
    await g.chain.increaseTime(600);
    const later = await g.cli(["workload", "policy", app, "--json"]);
    expect(JSON.parse(later.stdout)).toMatchObject({ policy: { verdictLifetime: 7200 } });
    expect(JSON.parse(later.stdout)).not.toHaveProperty("pending");
  });
});
