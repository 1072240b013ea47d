import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { intelPcsCollateral } from "../../src/collateral/intel/intelPcsCollateral.ts";
import { directoryCollateral, staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

/** The end-to-end path the CLI and the node use: raw or encoded bytes + a collateral directory + an as-of time. */
describe("verifyEvidence over the real vectors", () => {
  it.each([
    ["sgx", "dcapqvl-sgx", "quote.bin", "sgx", "ConfigurationAndSWHardeningNeeded"],
    ["tdx", "dcapqvl-tdx", "quote.bin", "tdx", "UpToDate"],
    ["sev-snp", "dstack-milan", "report.bin", "sev-snp", "NotApplicable"],
    ["nitro", "dstack-nitro-doc-a", "attestation_doc.cose", "nitro", "NotApplicable"],
  ])("%s/%s verifies from a directory of collateral, as of its verify_at", async (kind, set, file, tee, status) => {
    const expected = expectedOf(kind, set);
    const collateral = await directoryCollateral(fixturePath(kind, set));
    const r = await verifyEvidence(fixtureBytes(kind, set, file), { collateral, at: new Date(expected.verify_at) });
    expect(r.tee).toBe(tee);
    expect(r.tcb.status).toBe(status);
    expect(r.expiresAt.getTime()).toBeLessThanOrEqual(new Date(expected.validity_window.not_after).getTime());
  });

  it("gives the same result for the hex and base64 forms of the same quote", async () => {
    const expected = expectedOf("sgx", "dcapqvl-sgx");
    const collateral = await directoryCollateral(fixturePath("sgx", "dcapqvl-sgx"));
    const raw = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
    const at = new Date(expected.verify_at);
    const a = await verifyEvidence(raw, { collateral, at });
    const b = await verifyEvidence(new Uint8Array(Buffer.from(Buffer.from(raw).toString("hex"))), { collateral, at });
    const c = await verifyEvidence(new Uint8Array(Buffer.from(Buffer.from(raw).toString("base64"))), { collateral, at });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("refuses bytes that are no evidence with EVIDENCE_UNKNOWN_KIND", async () => {
    await expect(verifyEvidence(new Uint8Array(readFileSync(fixturePath("sgx", "dcapqvl-sgx", "pck_crl.der"))))).rejects.toMatchObject({
      code: "EVIDENCE_UNKNOWN_KIND",
    });
  });

  it("fails without collateral instead of guessing", async () => {
    const expected = expectedOf("tdx", "dcapqvl-tdx");
    await expect(verifyEvidence(fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin"), { at: new Date(expected.verify_at) })).rejects.toMatchObject({
      stage: "verification",
    });
  });
});

describe("collateral recognized by content", () => {
  it.each([["sgx", "dcapqvl-sgx"], ["tdx", "dcapqvl-tdx"]])("%s/%s verifies from dcap-qvl's combined collateral.json alone", async (kind, set) => {
    const { staticCollateral } = await import("../../src/collateral/staticCollateral.ts");
    const collateral = staticCollateral([{ name: "collateral.json", bytes: fixtureBytes(kind, set, "collateral.json") }]);
    expect(collateral.collateral.intelDocuments).toHaveLength(2);
    expect(collateral.collateral.crls).toHaveLength(2);
    const expected = expectedOf(kind, set);
    const fromDir = await verifyEvidence(fixtureBytes(kind, set, "quote.bin"), { collateral: await directoryCollateral(fixturePath(kind, set)), at: new Date(expected.verify_at) });
    const fromJson = await verifyEvidence(fixtureBytes(kind, set, "quote.bin"), { collateral, at: new Date(expected.verify_at) });
    expect(fromJson).toEqual(fromDir);
  });
});

describe("a collateral service that is down", () => {
  const expected = expectedOf("sgx", "dcapqvl-sgx");
  const at = new Date(expected.verify_at);
  const quote = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
  // Nothing listens on port 1: a real connection refusal, as when a PCCS is down.
  const down = () => intelPcsCollateral({ baseUrl: "http://127.0.0.1:1", apiVersion: 4, timeoutMs: 2_000 });

  it("does not fail evidence an offline directory covers", async () => {
    const r = await verifyEvidence(quote, { collateral: [await directoryCollateral(fixturePath("sgx", "dcapqvl-sgx")), down()], at });
    expect(r.tcb.status).toBe("ConfigurationAndSWHardeningNeeded");
  });

  it("is reported as the outage (retryable), not as missing collateral, when nothing else covers it", async () => {
    const partial = staticCollateral([{ name: "pck_crl.der", bytes: fixtureBytes("sgx", "dcapqvl-sgx", "pck_crl.der") }]);
    const error = await verifyEvidence(quote, { collateral: [partial, down()], at }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, stage: "infrastructure" });
    const alone = await verifyEvidence(quote, { collateral: [partial], at }).catch((e: unknown) => e);
    expect(alone).toMatchObject({ retryable: false, code: expect.stringMatching(/_MISSING$/) });
  });
});
