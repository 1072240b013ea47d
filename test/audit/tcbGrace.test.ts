/**
 * `keepledger audit` replays the TCB grace-period decision (src/audit/replayTcbGrace.ts, which calls the
 * same src/policy/decideTcbGrace.ts as the node's TCB recovery). With the DCAP test signer: a platform's
 * quote is UpToDate under the stored TCB Info; Intel then publishes a newer TCB Info under which it is
 * OutOfDate. A verdict issued inside the policy's tcbGracePeriod audits as consistent (countersigned with a
 * downgrade notice); one issued after it audits as refused with NODE_TCB_DOWNGRADED — what a validator
 * would have answered.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { replayTcbGrace } from "../../src/audit/replayTcbGrace.ts";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { collateralSetToFiles } from "../../src/node/appraisal/collateralFiles.ts";
import { defaultPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { buildScenario, defaultLevels, SCENARIO_AT, signIntelJson, tcbInfoValue, type Scenario } from "../support/dcapTestSigner.ts";

const GRACE = 3_600;
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
/** The newer TCB Info was issued ten minutes before the scenario's time. */
const NEWER_ISSUED = seconds(SCENARIO_AT) - 600;

describe("keepledger audit: the TCB grace period, replayed", () => {
  let scenario: Scenario;
  let stored: { name: string; bytes: Uint8Array }[];
  let newer: { name: string; bytes: Uint8Array }[];
  let verified: VerifiedEvidence;
  const policy: WorkloadPolicy = {
    ...defaultPolicy(),
    allowedTees: ["sgx"],
    acceptedTcbStatuses: ["UpToDate"],
    dev: true,
    allowUnboundEvidence: true,
    tcbGracePeriod: GRACE,
  };

  beforeAll(async () => {
    scenario = await buildScenario({ tee: "sgx" });
    stored = collateralSetToFiles(scenario.collateral);
    verified = await verifyEvidence(scenario.quote, {
      at: SCENARIO_AT,
      collateral: staticCollateral(stored),
      trustedRoots: scenario.roots,
    });
    const used = verified.platform.tcbEvaluationDataNumber!;
    const value = tcbInfoValue({
      id: "SGX",
      issueDate: new Date(NEWER_ISSUED * 1000),
      nextUpdate: new Date("2025-06-14T00:00:00Z"),
      // A TCB recovery raised the bar: the platform's level is now OutOfDate.
      levels: [
        { ...defaultLevels("sgx")[0]!, components: [6, 6, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], status: "UpToDate" },
        { ...defaultLevels("sgx")[0]!, status: "OutOfDate" },
      ],
    });
    const signed = await signIntelJson(scenario.pki.tcbSigning, "tcbInfo", { ...value, tcbEvaluationDataNumber: used + 1 }, [
      scenario.pki.tcbSigning,
      scenario.pki.root,
    ]);
    newer = collateralSetToFiles({ certificates: [], crls: [], intelDocuments: [signed] });
  });

  const replay = (issuedAt: number, tcbInfo = newer) =>
    replayTcbGrace({ evidence: scenario.quote, collateral: stored, verified, tcbInfo, policy, issuedAt, trustedRoots: scenario.roots });

  it("a verdict issued inside the grace period is consistent: countersigned with a downgrade notice", async () => {
    expect(verified.tcb.status).toBe("UpToDate");
    const r = await replay(NEWER_ISSUED + 600);
    expect(r).toMatchObject({
      decision: "grace",
      notice: {
        newStatus: "OutOfDate",
        graceEndsAt: NEWER_ISSUED + GRACE,
        evaluationDataNumber: verified.platform.tcbEvaluationDataNumber! + 1,
      },
    });
    expect(r.detail).toContain("issued inside the grace period");
  });

  it("a verdict issued after the grace period is one a validator refuses: NODE_TCB_DOWNGRADED", async () => {
    const r = await replay(NEWER_ISSUED + GRACE + 60);
    expect(r.decision).toBe("refused");
    if (r.decision !== "refused") return;
    expect(r.error.code).toBe("NODE_TCB_DOWNGRADED");
    expect(r.error.details).toMatchObject({ status: "UpToDate", newStatus: "OutOfDate", graceEndsAt: NEWER_ISSUED + GRACE });
    expect(r.detail).toContain("the grace period ended before issuedAt");
  });

  it("TCB Info issued after the verdict does not count against it", async () => {
    const r = await replay(NEWER_ISSUED - 60);
    expect(r.decision).toBe("unaffected");
  });

  it("a policy that accepts the new status is unaffected, whenever the verdict was issued", async () => {
    const r = await replayTcbGrace({
      evidence: scenario.quote,
      collateral: stored,
      verified,
      tcbInfo: newer,
      policy: { ...policy, acceptedTcbStatuses: ["UpToDate", "OutOfDate"] },
      issuedAt: NEWER_ISSUED + GRACE + 60,
      trustedRoots: scenario.roots,
    });
    expect(r.decision).toBe("unaffected");
  });
});
