/**
 * The CPU + GPU kind through the relied-on CLI contract: `keepledger verify <evidence> --collateral <its folder>
 * --at <verify_at> --json` on every vector folder in test/fixtures/cpu-gpu/ (the test composite: the real TDX
 * quote with a GPU from keepledger's NVIDIA test roots), its GPU part alone, and the composite outside its window.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../src/cli/commands/verify.ts";
import { expectedOf, fixturePath, setsOf } from "../support/fixtures.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;
const SET = "keepledger-test-tdx-gh100";

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const expected = () =>
  expectedOf("cpu-gpu", SET) as unknown as {
    verify_at: string;
    binding: string;
    tcb_status: { status: string };
    key_claims: { cpu_tee: string; gpus: number; gpu_driver_version: string; gpu_vbios_version: string; gpu_hardware_model: string };
  };

describe("keepledger verify on the CPU + GPU vectors", () => {
  it("covers every vector folder", () => {
    expect(setsOf("cpu-gpu")).toEqual([SET]);
  });

  it("verifies the test composite as its expected.json says: TDX's TCB, one GPU bound to the quote, insecure", () => {
    const e = expected();
    const r = cli(
      "verify",
      fixturePath("cpu-gpu", SET, "composite.klcg"),
      "--collateral",
      fixturePath("cpu-gpu", SET),
      "--at",
      e.verify_at,
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["ok", "tee", "claims", "tcb", "debug", "evidenceHash", "collateralHash", "expiresAt"]);
    expect(out).toMatchObject({ ok: true, tee: "cpu-gpu", tcb: { status: e.tcb_status.status }, debug: true });
    expect(out.claims.cpu.tee).toBe(e.key_claims.cpu_tee);
    expect(out.claims.binding).toBe(`0x${e.binding}`);
    expect(out.claims.gpus).toHaveLength(e.key_claims.gpus);
    expect(out.claims.gpus[0]).toMatchObject({
      nonce: `0x${e.binding}`,
      hardwareModel: e.key_claims.gpu_hardware_model,
      driverVersion: e.key_claims.gpu_driver_version,
      vbiosVersion: e.key_claims.gpu_vbios_version,
      revocationChecked: true,
    });
  });

  it("verifies the GPU part alone, insecure (keepledger's NVIDIA test roots), and says so in text", async () => {
    const e = expected();
    const r = await runVerify(fixturePath("cpu-gpu", SET, "gpu-report.bin"), { collateral: fixturePath("cpu-gpu", SET), at: e.verify_at });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("✔ verified: NVIDIA confidential-computing GPU");
    expect(r.stdout).toContain("⚠ INSECURE");
  });

  it("refuses the composite after the TDX collateral's window, and without the GPU's RIMs", async () => {
    const late = await runVerify(fixturePath("cpu-gpu", SET, "composite.klcg"), {
      collateral: fixturePath("cpu-gpu", SET),
      at: "2025-08-01T00:00:00Z",
      json: true,
    });
    expect(late.exitCode).toBe(1);
    expect(JSON.parse(late.stdout).error.code).toMatch(/EXPIRED|STALE|NOT_YET|OUT_OF_DATE|TOO_OLD/);
    const noRims = await runVerify(fixturePath("cpu-gpu", SET, "composite.klcg"), {
      collateral: fixturePath("tdx", "dcapqvl-tdx"),
      at: expected().verify_at,
      json: true,
    });
    expect(noRims.exitCode).toBe(1);
    expect(JSON.parse(noRims.stdout).error.code).toMatch(/^NVGPU_/);
  });
});
