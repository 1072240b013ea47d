import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

const BIN = new URL("../../bin/keepledger.mjs", import.meta.url).pathname;
const KIND = "arm-cca";

function verify(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "verify", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The error code each refused vector must give (expected.json says why in words). */
const REFUSAL: Record<string, string> = { "rust-ccatoken-bug33-unbound": "CCA_BINDING_MISMATCH" };

const sets = readdirSync(fixturePath(KIND)).filter((name) => statSync(fixturePath(KIND, name)).isDirectory());

describe("keepledger verify on every Arm CCA vector folder", () => {
  it("there are vectors to run", () => expect(sets.length).toBeGreaterThanOrEqual(2));

  for (const set of sets) {
    it(`${set}: ${expectedOf(KIND, set).expected_result}`, () => {
      const expected = expectedOf(KIND, set) as unknown as {
        expected_result: string;
        verify_at: string;
        trust_anchor: { test_key: boolean };
      };
      const r = verify(fixturePath(KIND, set, "token.cbor"), "--collateral", fixturePath(KIND, set), "--at", expected.verify_at, "--json");
      const out = JSON.parse(r.stdout);
      if (expected.expected_result === "accept") {
        expect(r.code, r.stderr).toBe(0);
        expect(out).toMatchObject({ ok: true, tee: KIND, tcb: { status: "NotApplicable", advisoryIds: [] } });
        // Signed with Arm's published test CPAK: verified, and labelled insecure.
        expect(out.debug).toBe(expected.trust_anchor.test_key);
        expect(out.claims.reportData).toMatch(/^0x[0-9a-f]{128}$/);
      } else {
        expect(r.code).toBe(1);
        expect(out).toMatchObject({ ok: false, error: { code: REFUSAL[set] } });
      }
    });
  }

  it("refuses the accepted vector without its CPAK (no collateral endorses the platform)", () => {
    const set = "tfm-tools-example-ffm00-tag399";
    const empty = mkdtempSync(join(tmpdir(), "cca-"));
    const r = verify(fixturePath(KIND, set, "token.cbor"), "--collateral", empty, "--at", expectedOf(KIND, set).verify_at, "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "CCA_PLATFORM_NOT_ENDORSED" } });
  });

  it("detects the token given as hex text, and takes its CPAK from a JWK or a Veraison trust-anchor file alone", () => {
    const set = "tfm-tools-example-ffm00-tag399";
    const at = expectedOf(KIND, set).verify_at;
    const dir = mkdtempSync(join(tmpdir(), "cca-"));
    writeFileSync(join(dir, "token.hex"), Buffer.from(fixtureBytes(KIND, set, "token.cbor")).toString("hex"));
    for (const anchor of ["cpak.jwk.json", "ta-tfa.json"]) {
      const collateral = mkdtempSync(join(tmpdir(), "cca-ta-"));
      writeFileSync(join(collateral, "anchor"), fixtureBytes(KIND, set, anchor));
      const r = verify(join(dir, "token.hex"), "--collateral", collateral, "--at", at, "--json");
      expect(r.code, `${anchor}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, tee: KIND, debug: true });
    }
  });
});
