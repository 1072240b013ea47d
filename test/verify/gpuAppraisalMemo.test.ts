/** The verifier context's remembered GPU appraisals (src/tee/nvidia-gpu/appraisalMemo.ts), through verifyEvidence. */
import { describe, expect, it } from "vitest";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { createVerifierContext } from "../../src/tee/verifierContext.ts";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

const SET = "keepledger-test-tdx-gh100";
const bytes = fixtureBytes("cpu-gpu", SET, "composite.klcg");
const at = new Date(expectedOf("cpu-gpu", SET).verify_at);

describe("the remembered GPU appraisal (a verifier context's)", () => {
  it("is made in a reusable context, and its answer is a fresh verification's", async () => {
    const collateral = await directoryCollateral(fixturePath("cpu-gpu", SET));
    const context = createVerifierContext();
    const first = await verifyEvidence(bytes, { collateral, at, context });
    const second = await verifyEvidence(bytes, { collateral, at, context });
    const fresh = await verifyEvidence(bytes, { collateral, at });
    expect(context.nvidiaAppraisals.size).toBe(1);
    for (const r of [first, second]) {
      expect(r.claims).toEqual(fresh.claims);
      expect([r.collateralHash, r.evidenceHash, r.expiresAt, r.debug]).toEqual([
        fresh.collateralHash,
        fresh.evidenceHash,
        fresh.expiresAt,
        fresh.debug,
      ]);
    }
  });

  it("is not made in a context for one verification", async () => {
    const collateral = await directoryCollateral(fixturePath("cpu-gpu", SET));
    const context = createVerifierContext({ reusable: false });
    await verifyEvidence(bytes, { collateral, at, context });
    expect(context.nvidiaAppraisals.size).toBe(0);
  });

  it("is one per instant: a verification a second later appraises afresh", async () => {
    const collateral = await directoryCollateral(fixturePath("cpu-gpu", SET));
    const context = createVerifierContext();
    await verifyEvidence(bytes, { collateral, at, context });
    await verifyEvidence(bytes, { collateral, at: new Date(at.getTime() + 1000), context });
    expect(context.nvidiaAppraisals.size).toBe(2);
  });
});
