import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runVerify } from "../../src/cli/commands/verify.ts";
import { expectedOf, fixturePath } from "../support/fixtures.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "verify", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("keepledger verify (the relied-on interface)", () => {
  it("exits 0 with exactly one JSON object for verified evidence", () => {
    const at = expectedOf("tdx", "dcapqvl-tdx").verify_at;
    const r = cli(fixturePath("tdx", "dcapqvl-tdx", "quote.bin"), "--collateral", fixturePath("tdx", "dcapqvl-tdx"), "--at", at, "--json");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(Object.keys(out)).toEqual(["ok", "tee", "claims", "tcb", "debug", "evidenceHash", "collateralHash", "expiresAt"]);
    expect(out).toMatchObject({ ok: true, tee: "tdx", tcb: { status: "UpToDate", advisoryIds: [] }, debug: false });
    expect(Object.keys(out.claims)).toEqual([
      "mrtd",
      "rtmr0",
      "rtmr1",
      "rtmr2",
      "rtmr3",
      "mrConfigId",
      "mrOwner",
      "mrOwnerConfig",
      "xfam",
      "tdAttributes",
      "reportData",
    ]);
    expect(out.evidenceHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(new Date(out.expiresAt).toISOString()).toBe(out.expiresAt);
  });

  it("exits 1 with {ok:false,error:{code,message}} for evidence that does not verify", () => {
    const r = cli(
      fixturePath("tdx", "oasis-tdx-no-tcb-match", "quote.bin"),
      "--collateral",
      fixturePath("tdx", "oasis-tdx-no-tcb-match"),
      "--at",
      expectedOf("tdx", "oasis-tdx-no-tcb-match").verify_at,
      "--json",
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["ok", "error"]);
    expect(out.ok).toBe(false);
    expect(typeof out.error.code).toBe("string");
    expect(out.error.message.length).toBeGreaterThan(10);
  });

  it("exits 2 for usage errors, and explains in words without --json", () => {
    expect(cli("/nonexistent/evidence.bin").code).toBe(2);
    expect(cli(fixturePath("sgx", "dcapqvl-sgx", "quote.bin"), "--at", "yesterday").code).toBe(2);
    expect(cli().code).toBe(2);
    const words = cli(fixturePath("sgx", "dcapqvl-sgx", "quote.bin"), "--at", "yesterday");
    expect(words.stdout).toContain("--at must be an ISO-8601 time");
  });
});

describe("runVerify", () => {
  it("detects every kind from raw, hex and base64 files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kl-verify-"));
    const cases = [
      ["sgx", "dcapqvl-sgx", "quote.bin"],
      ["sev-snp", "dstack-milan", "report.bin"],
      ["nitro", "dstack-nitro-doc-a", "attestation_doc.cose"],
    ] as const;
    for (const [kind, set, file] of cases) {
      const at = expectedOf(kind, set).verify_at;
      const raw = await import("node:fs").then((fs) => fs.readFileSync(fixturePath(kind, set, file)));
      for (const [suffix, body] of [
        ["hex", raw.toString("hex")],
        ["b64", raw.toString("base64")],
      ] as const) {
        const path = join(dir, `${kind}.${suffix}`);
        writeFileSync(path, body);
        // No AMD Milan CRL is among the vectors: the SEV-SNP report needs the switch, explicitly (refusal below).
        const r = await runVerify(path, {
          collateral: fixturePath(kind, set),
          at,
          json: true,
          ...(kind === "sev-snp" ? { dangerouslyAllowMissingAmdCrl: true } : {}),
        });
        expect(r.exitCode, `${kind} ${suffix}`).toBe(0);
        expect(JSON.parse(r.stdout).tee).toBe(kind);
      }
    }
  });

  it("says plainly that a debug TEE is insecure", async () => {
    const r = await runVerify(fixturePath("sev-snp", "go-sev-guest-milan-debug", "report.bin"), {
      collateral: fixturePath("sev-snp", "go-sev-guest-milan-debug"),
      at: expectedOf("sev-snp", "go-sev-guest-milan-debug").verify_at,
      dangerouslyAllowMissingAmdCrl: true,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("INSECURE");
  });

  it("refuses an SEV-SNP report whose AMD CRL no source has, unless --dangerously-allow-missing-amd-crl", async () => {
    const file = fixturePath("sev-snp", "dstack-milan", "report.bin");
    const opts = { collateral: fixturePath("sev-snp", "dstack-milan"), at: expectedOf("sev-snp", "dstack-milan").verify_at, json: true };
    const refused = await runVerify(file, opts);
    expect(refused.exitCode).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: "SNP_CRL_UNAVAILABLE" });
    const allowed = await runVerify(file, { ...opts, dangerouslyAllowMissingAmdCrl: true });
    expect(allowed.exitCode).toBe(0);
  });

  it("refuses a Nitro document as of 40 days after its leaf certificate expired", async () => {
    const set = "dstack-nitro-doc-a";
    const leafExpiry = new Date(expectedOf("nitro", set).validity_window.not_after);
    const at = new Date(leafExpiry.getTime() + 40 * 86_400_000).toISOString();
    const r = await runVerify(fixturePath("nitro", set, "attestation_doc.cose"), { at, json: true });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "VERIFY_RESULT_EXPIRED" } });
  });
});
