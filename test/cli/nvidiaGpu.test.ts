/**
 * The NVIDIA GPU kind through the relied-on CLI contract: `keepledger verify <evidence> --collateral <its
 * folder> --at <verify_at> --json` on every vector folder in test/fixtures/nvidia-gpu/, and `workload measure`
 * from flags and from the real report on a real chain. The real H100 report carries no OCSP responses (NVIDIA
 * publishes none), so it is refused by default and verifies only with the unsafe switch, which the output says.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { workloadRegistryAbi } from "@keepledger/sdk/internal/chain/generated/index";
import { runVerify } from "../../src/cli/commands/verify.ts";
import { measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { expectedOf, fixturePath, setsOf } from "../support/fixtures.ts";
import { startGovernanceChain, type GovernanceChain } from "../support/cli-governanceChain.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;
const REAL = "h100-nvtrust-sample-550.90.07-fullrim";
const NEGATIVE = "h100-invalid-signature-negative";
const EVIDENCE: Record<string, string> = {
  [REAL]: "hopperAttestationReport.txt",
  [NEGATIVE]: "hopperAttestationReportInvalidSignature.txt",
};
const UNSAFE = "--dangerously-allow-unchecked-gpu-revocation";
/** The XML-DSig DigestValues of the two RIMs NVIDIA shipped with the sample (base64 in the RIMs). */
const DRIVER_RIM = `0x${Buffer.from("gMJpwhbIgNbvN2MwY4EIVtt3HB8FwVyt8qScd2sGABAcz9kkcZbstfcfJxVa1+Kw", "base64").toString("hex")}` as Hex;
const VBIOS_RIM = `0x${Buffer.from("eWI4jY4L9uoPzlFtnsw6GcDrN+MSfH2gdo3N7oTM/kDxfrIw7NoGGvD/Of84GYud", "base64").toString("hex")}` as Hex;

const verifyArgs = (set: string, ...extra: string[]) => [
  fixturePath("nvidia-gpu", set, EVIDENCE[set]!),
  "--collateral",
  fixturePath("nvidia-gpu", set),
  "--at",
  expectedOf("nvidia-gpu", set).verify_at,
  "--json",
  ...extra,
];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("keepledger verify on the NVIDIA GPU vectors", () => {
  it("covers every vector folder", () => {
    expect(setsOf("nvidia-gpu").sort()).toEqual([NEGATIVE, REAL].sort());
  });

  it("refuses the real H100 report by default: no OCSP response for its device and RIM certificates", () => {
    const r = cli("verify", ...verifyArgs(REAL));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "NVGPU_OCSP_MISSING" } });
  });

  it("verifies the real H100 report with the unsafe switch, says so, and gives its expected claims", () => {
    const expected = expectedOf("nvidia-gpu", REAL) as unknown as { key_claims: Record<string, string | number> };
    const r = cli("verify", ...verifyArgs(REAL, UNSAFE));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["ok", "tee", "claims", "tcb", "debug", "evidenceHash", "collateralHash", "expiresAt", "warnings"]);
    expect(out).toMatchObject({ ok: true, tee: "nvidia-gpu", tcb: { status: "NotApplicable", advisoryIds: [] }, debug: false });
    expect(out.warnings[0]).toMatch(/^UNSAFE: certificate revocation was not checked/);
    const k = expected.key_claims;
    expect(out.claims).toMatchObject({
      nonce: `0x${k.nonce}`,
      responderNonce: `0x${k.responder_nonce}`,
      architecture: "hopper",
      hardwareModel: k.hwmodel,
      driverVersion: k.driver_version,
      vbiosVersion: String(k.vbios_version).toLowerCase(),
      project: k.project,
      projectSku: k.project_sku,
      chipSku: k.chip_sku,
      boardId: k.board_id,
      fwid: `0x${k.fwid}`,
      measurementsMatched: k.measurements_matched,
      revocationChecked: false,
      driverRim: { tagId: expect.any(String), version: "550.90.07", digest: DRIVER_RIM },
      vbiosRim: { version: "96.00.9F.00.01", digest: VBIOS_RIM },
    });
    expect(out.collateralHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.collateralHash).not.toBe(`0x${"00".repeat(32)}`);
    // The earliest expiry of the device chain and the RIM chains, inside the vector's window.
    expect(new Date(out.expiresAt).getTime()).toBeGreaterThan(new Date(expectedOf("nvidia-gpu", REAL).verify_at).getTime());
  });

  it("labels the unsafe acceptance in the text output too", async () => {
    const args = verifyArgs(REAL);
    const r = await runVerify(args[0]!, { collateral: args[2]!, at: args[4]!, dangerouslyAllowUncheckedGpuRevocation: true });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("✔ verified: NVIDIA confidential-computing GPU");
    expect(r.stdout).toContain("⚠ UNSAFE: certificate revocation was not checked");
  });

  it.each([[], [UNSAFE]])("refuses the vendor's invalid-signature vector with a signature code %j", async (...extra) => {
    const args = verifyArgs(NEGATIVE);
    const r = await runVerify(args[0]!, {
      collateral: args[2]!,
      at: args[4]!,
      json: true,
      ...(extra.length > 0 ? { dangerouslyAllowUncheckedGpuRevocation: true } : {}),
    });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "NVGPU_REPORT_SIGNATURE_INVALID" } });
  });

  it("refuses the real report after its window (expired certificates), even with the unsafe switch", async () => {
    const args = verifyArgs(REAL);
    const r = await runVerify(args[0]!, {
      collateral: args[2]!,
      at: "2031-01-01T00:00:00Z",
      json: true,
      dangerouslyAllowUncheckedGpuRevocation: true,
    });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toMatch(/EXPIRED|NOT_VALID|VALIDITY/);
  });
});

describe("keepledger workload measure --tee nvidia-gpu / --from-evidence", () => {
  let g: GovernanceChain;
  let app: Hex;
  const owner = () => ({ KEEPLEDGER_OWNER_KEY: g.keys.owner });
  beforeAll(async () => {
    g = await startGovernanceChain();
    const r = await g.cli(["workload", "add", "gpu-app", "--json"], owner());
    expect(r.code, r.stderr).toBe(0);
    app = (JSON.parse(r.stdout) as { workloadId: Hex }).workloadId;
  }, 60_000);
  afterAll(async () => g?.close());

  const stored = (hash: Hex) =>
    g.chain.publicClient.readContract({
      address: g.deployment.contracts.workloadRegistry,
      abi: workloadRegistryAbi,
      functionName: "measurementOf",
      args: [app, hash],
    });

  it("approves the RIM digests from flags (96 bytes, enum code 6 on chain)", async () => {
    const r = await g.cli(
      ["workload", "measure", app, "--tee", "nvidia-gpu", "--driver-rim-digest", DRIVER_RIM, "--vbios-rim-digest", VBIOS_RIM],
      owner(),
    );
    expect(r.code, r.stderr).toBe(0);
    const hash = measurementHash({ tee: "nvidia-gpu", driverRimDigest: DRIVER_RIM, vbiosRimDigest: VBIOS_RIM });
    expect(r.stdout.split("\n")[0]).toBe(hash);
    expect(await stored(hash)).toMatchObject({ known: true, revoked: false, tee: 6 });
  });

  it("takes the same measurement from the real report only with the unsafe switch", async () => {
    const file = fixturePath("nvidia-gpu", REAL, EVIDENCE[REAL]!);
    const folder = ["--collateral", fixturePath("nvidia-gpu", REAL), "--at", expectedOf("nvidia-gpu", REAL).verify_at];
    const added = await g.cli(["workload", "add", "gpu-app-2", "--json"], owner());
    const second = (JSON.parse(added.stdout) as { workloadId: Hex }).workloadId;
    const refused = await g.cli(["workload", "measure", second, "--from-evidence", file, ...folder], owner());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("NVGPU_OCSP_MISSING");
    const r = await g.cli(["workload", "measure", second, "--from-evidence", file, ...folder, UNSAFE], owner());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(measurementHash({ tee: "nvidia-gpu", driverRimDigest: DRIVER_RIM, vbiosRimDigest: VBIOS_RIM }));
  });

  it("refuses a digest that is not 48 bytes", async () => {
    const r = await g.cli(
      ["workload", "measure", app, "--tee", "nvidia-gpu", "--driver-rim-digest", "0x12", "--vbios-rim-digest", VBIOS_RIM],
      owner(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--driver-rim-digest");
  });
});
