import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { expectedOf, fixturePath } from "../support/fixtures.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;

/** The CLI's --json output: a verdict or {ok:false,error}. */
interface CliOut {
  ok: boolean;
  error: { code: string; message: string };
  claims: { hardwareMeasurement: string; snp: { chipId: string }; pcrs: Record<string, string> };
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, out: JSON.parse(r.stdout.trim()) as CliOut };
}

/** Every Azure CVM vector folder, its evidence file as it is, the folder itself as collateral (issue 12 "Done when"). */
const VECTORS = [
  { set: "az-snp-vtpm-genoa", file: "evidence-genoa.json", hardware: "snp", product: "Genoa" },
  { set: "az-snp-vtpm-milan-2025-v1", file: "evidence-v1.json", hardware: "snp", product: "Milan" },
  { set: "az-tdx-vtpm", file: "evidence-v1.json", hardware: "tdx", product: null },
] as const;

const verify = (v: (typeof VECTORS)[number], ...extra: string[]) =>
  cli(
    "verify",
    fixturePath("azure-cvm", v.set, v.file),
    "--collateral",
    fixturePath("azure-cvm", v.set),
    "--at",
    expectedOf("azure-cvm", v.set).verify_at,
    "--json",
    ...extra,
  );

describe("keepledger verify on the Azure CVM vectors", () => {
  for (const v of VECTORS.filter((x) => x.hardware === "snp")) {
    it(`${v.set}: refused without AMD's CRL (none in the folder), accepted with --dangerously-allow-missing-amd-crl`, () => {
      const strict = verify(v);
      expect(strict.code).toBe(1);
      expect(strict.out).toMatchObject({ ok: false, error: { code: "SNP_CRL_UNAVAILABLE" } });

      const loose = verify(v, "--dangerously-allow-missing-amd-crl");
      expect(loose.code).toBe(0);
      expect(loose.out).toMatchObject({ ok: true, tee: "azure-cvm", debug: false, claims: { hardware: "snp" } });
      const want = expectedOf("azure-cvm", v.set).key_claims as Record<string, string>;
      expect(loose.out.claims.hardwareMeasurement).toBe(`0x${want.measurement}`);
      expect(loose.out.claims.snp.chipId).toBe(`0x${want.chip_id}`);
      expect(Object.keys(loose.out.claims.pcrs)).toHaveLength(24);
    });
  }

  it("az-tdx-vtpm: refused as TCB status unknown (no Intel collateral for its FMSPC), never UpToDate", () => {
    const r = verify(VECTORS[2]);
    expect(r.code).toBe(1);
    expect(r.out).toMatchObject({ ok: false, error: { code: "AZCVM_TDX_TCB_UNKNOWN" } });
    expect(r.out.error.message).toContain("00806f050000");
  });
});

describe("keepledger workload measure --tee azure-cvm (flags)", () => {
  it("refuses a missing or malformed flag with the CLI's typed error before any chain is contacted", () => {
    const hw = `0x${"ab".repeat(48)}`;
    const pcr = `0x${"cd".repeat(32)}`;
    const base = ["workload", "measure", `0x${"11".repeat(32)}`, "--json", "--rpc", "http://127.0.0.1:9", "--tee", "azure-cvm"];
    const noHw = cli(...base, "--hardware-measurement", hw, "--pcr-values", `4=${pcr}`);
    expect(noHw.out).toMatchObject({ ok: false, error: { code: "CLI_BAD_OPTION" } });
    expect(noHw.out.error.message).toContain("--hardware");
    const badPcr = cli(...base, "--hardware", "snp", "--hardware-measurement", hw, "--pcr-values", `24=${pcr}`);
    expect(badPcr.out).toMatchObject({ ok: false, error: { code: "CLI_BAD_OPTION" } });
    const twice = cli(...base, "--hardware", "snp", "--hardware-measurement", hw, "--pcr-values", `4=${pcr},4=${pcr}`);
    expect(twice.out.error.message).toContain("named twice");
    const stray = cli(...base, "--hardware", "snp", "--hardware-measurement", hw, "--pcr-values", `4=${pcr}`, "--pcr0", hw);
    expect(stray.out.error.message).toContain("--pcr0");
  });
});
