import { describe, expect, it } from "vitest";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { createVerifierContext } from "../../src/tee/verifierContext.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

/** What a verification answers, without the time it was made. */
function answer(r: VerifiedEvidence) {
  return {
    tee: r.tee,
    tcb: r.tcb,
    claims: r.claims,
    evidenceHash: r.evidenceHash,
    collateralHash: r.collateralHash,
    expiresAt: r.expiresAt,
  };
}

describe("a shared VerifierContext changes only the speed of verification", () => {
  for (const [kind, set] of [
    ["sgx", "dcapqvl-sgx"],
    ["tdx", "dcapqvl-tdx"],
  ] as const) {
    it(`${kind}: a warm context answers as a fresh one does, and is filled by the first call`, async () => {
      const collateral = await directoryCollateral(fixturePath(kind, set));
      const at = new Date(expectedOf(kind, set).verify_at);
      const evidence = fixtureBytes(kind, set, "quote.bin");
      const fresh = await verifyEvidence(evidence, { collateral, at });
      const context = createVerifierContext();
      const first = await verifyEvidence(evidence, { collateral, at, context });
      expect(context.pki.signatures.size).toBeGreaterThan(0);
      expect(context.intelDocuments.size).toBeGreaterThan(0);
      expect(context.pckChains.size).toBe(1);
      const warm = await verifyEvidence(evidence, { collateral, at, context });
      expect(answer(first)).toEqual(answer(fresh));
      expect(answer(warm)).toEqual(answer(fresh));
    });
  }

  it("a context whose entries have aged out verifies again from scratch, with the same answer", async () => {
    const collateral = await directoryCollateral(fixturePath("tdx", "dcapqvl-tdx"));
    const at = new Date(expectedOf("tdx", "dcapqvl-tdx").verify_at);
    const evidence = fixtureBytes("tdx", "dcapqvl-tdx", "quote.bin");
    const context = createVerifierContext({ maxEntries: 1, maxAgeMs: 1e-9 });
    const a = await verifyEvidence(evidence, { collateral, at, context });
    const b = await verifyEvidence(evidence, { collateral, at, context });
    expect(answer(b)).toEqual(answer(a));
    expect(context.pckChains.size).toBeLessThanOrEqual(1);
  });
});
