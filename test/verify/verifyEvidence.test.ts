import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { intelPcsCollateral } from "../../src/collateral/intel/intelPcsCollateral.ts";
import { directoryCollateral, staticCollateral } from "../../src/collateral/staticCollateral.ts";
import type { TeeAdapter } from "../../src/tee/adapter.ts";
import { debugAdapter } from "../../src/tee/debug/adapter.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { DEBUG_TEST_TIME, signDebugTestEvidence } from "../support/debugKeepSigner.ts";
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
    // No AMD Milan CRL is among the vectors: the SEV-SNP report is checked without one, explicitly.
    const adapters = kind === "sev-snp" ? { adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }) } : {};
    const r = await verifyEvidence(fixtureBytes(kind, set, file), { collateral, at: new Date(expected.verify_at), ...adapters });
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

  it("detects raw evidence once per adapter, and encoded evidence once as text and once decoded", async () => {
    const calls = new Map<string, number>();
    const counted = defaultAdapters().map(
      (a): TeeAdapter => ({
        ...a,
        detect: (bytes) => {
          calls.set(a.kind, (calls.get(a.kind) ?? 0) + 1);
          return a.detect(bytes);
        },
      }),
    );
    const expected = expectedOf("sgx", "dcapqvl-sgx");
    const collateral = await directoryCollateral(fixturePath("sgx", "dcapqvl-sgx"));
    const raw = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
    const at = new Date(expected.verify_at);
    await verifyEvidence(raw, { collateral, at, adapters: counted });
    expect([...calls.values()]).toEqual(counted.map(() => 1));
    calls.clear();
    const hex = await verifyEvidence(new Uint8Array(Buffer.from(Buffer.from(raw).toString("hex"))), { collateral, at, adapters: counted });
    expect(hex.tee).toBe("sgx");
    expect([...calls.values()]).toEqual(counted.map(() => 2));
  });

  it("refuses empty input with EVIDENCE_EMPTY, and text that is neither evidence, hex nor base64 with EVIDENCE_ENCODING_INVALID", async () => {
    await expect(verifyEvidence(new Uint8Array(0))).rejects.toMatchObject({ code: "EVIDENCE_EMPTY" });
    await expect(verifyEvidence(new Uint8Array(Buffer.from("not evidence: { a: 1 }")))).rejects.toMatchObject({
      code: "EVIDENCE_ENCODING_INVALID",
    });
  });

  it("fails without collateral instead of guessing", async () => {
    const expected = expectedOf("tdx", "dcapqvl-tdx");
    await expect(
      verifyEvidence(fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin"), { at: new Date(expected.verify_at) }),
    ).rejects.toMatchObject({
      stage: "verification",
    });
  });
});

describe("collateral recognized by content", () => {
  it.each([
    ["sgx", "dcapqvl-sgx"],
    ["tdx", "dcapqvl-tdx"],
  ])("%s/%s verifies from dcap-qvl's combined collateral.json alone", async (kind, set) => {
    const { staticCollateral } = await import("../../src/collateral/staticCollateral.ts");
    const collateral = staticCollateral([{ name: "collateral.json", bytes: fixtureBytes(kind, set, "collateral.json") }]);
    expect(collateral.collateral.intelDocuments).toHaveLength(2);
    expect(collateral.collateral.crls).toHaveLength(2);
    const expected = expectedOf(kind, set);
    const fromDir = await verifyEvidence(fixtureBytes(kind, set, "quote.bin"), {
      collateral: await directoryCollateral(fixturePath(kind, set)),
      at: new Date(expected.verify_at),
    });
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

describe("a result past its own expiry (issue 10 §4)", () => {
  const DAY = 86_400_000;

  it("nitro: a real document verified 40 days after its leaf certificate expired is refused, not ok with an expiry in the past", async () => {
    const set = "dstack-nitro-doc-a";
    const expected = expectedOf("nitro", set);
    const bytes = fixtureBytes("nitro", set, "attestation_doc.cose");
    const ok = await verifyEvidence(bytes, { at: new Date(expected.verify_at) });
    expect(ok.expiresAt.getTime()).toBeGreaterThanOrEqual(new Date(expected.verify_at).getTime());
    const at = new Date(new Date(expected.validity_window.not_after).getTime() + 40 * DAY);
    await expect(verifyEvidence(bytes, { at })).rejects.toMatchObject({
      code: "VERIFY_RESULT_EXPIRED",
      stage: "verification",
      shortMessage: `the nitro verification expired at ${new Date(expected.validity_window.not_after).toISOString()}, before the time it is made for`,
    });
  });

  /**
   * The rule is central: whatever a kind's verifier returns, an expiry before `at` is refused. Each real
   * adapter is made to judge as of a moment inside its vector's window (as Nitro does with its timestamp)
   * while verifyEvidence is asked for a time 40 days past the window.
   */
  const judgedEarlier = (adapter: TeeAdapter, judgeAt: Date): TeeAdapter => ({
    ...adapter,
    verify: (parsed, context) => adapter.verify(parsed, { ...context, at: judgeAt }),
  });

  it.each([
    ["sgx", "dcapqvl-sgx", "quote.bin"],
    ["tdx", "dcapqvl-tdx", "quote.bin"],
    ["sev-snp", "dstack-milan", "report.bin"],
    ["nitro", "dstack-nitro-doc-a", "attestation_doc.cose"],
  ] as const)("%s/%s: refused with VERIFY_RESULT_EXPIRED whatever the verifier returned", async (kind, set, file) => {
    const expected = expectedOf(kind, set);
    const collateral = await directoryCollateral(fixturePath(kind, set));
    // No AMD Milan CRL is among the vectors: the SEV-SNP ASK is checked without one, explicitly.
    const real = defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }).find((a) => a.kind === kind)!;
    const adapters = [judgedEarlier(real, new Date(expected.verify_at))];
    const at = new Date(new Date(expected.validity_window.not_after).getTime() + 40 * DAY);
    await expect(verifyEvidence(fixtureBytes(kind, set, file), { collateral, at, adapters })).rejects.toMatchObject({
      code: "VERIFY_RESULT_EXPIRED",
      details: { tee: kind },
    });
  });

  it("debug: refused with VERIFY_RESULT_EXPIRED whatever the verifier returned", async () => {
    const bytes = await signDebugTestEvidence();
    const adapters = [judgedEarlier(debugAdapter as TeeAdapter, DEBUG_TEST_TIME)];
    const at = new Date(DEBUG_TEST_TIME.getTime() + 40 * DAY);
    await expect(verifyEvidence(bytes, { at, adapters })).rejects.toMatchObject({
      code: "VERIFY_RESULT_EXPIRED",
      details: { tee: "debug" },
    });
    // Judged as of its own time it verifies: the refusal is the expiry, not the evidence.
    expect((await verifyEvidence(bytes, { at: DEBUG_TEST_TIME, adapters })).tee).toBe("debug");
  });
});
