import { describe, expect, it } from "vitest";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { appraiseVerdict } from "../../src/policy/appraiseVerdict.ts";
import { defaultLaunchPolicy, type ApprovedMeasurement, type WorkloadPolicy } from "../../src/policy/types.ts";
import { encodeMeasurementValue, factsOf, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

const SET = "tfm-tools-example-ffm00-tag399";
const at = new Date(expectedOf("arm-cca", SET).verify_at);
const now = Math.floor(at.getTime() / 1000);

const policy = (over: Partial<WorkloadPolicy>): WorkloadPolicy => ({
  allowedTees: ["arm-cca"],
  acceptedTcbStatuses: ["UpToDate", "NotApplicable"],
  dev: false,
  allowUnboundEvidence: false,
  deniedAmdProductLines: [],
  maxEvidenceAge: 3600,
  verdictLifetime: 7 * 86400,
  tcbGracePeriod: 0,
  deniedAdvisories: [],
  deniedFmspcs: [],
  launch: defaultLaunchPolicy(),
  ...over,
});

describe("Arm's test-key CCA token under the debug rule", async () => {
  const evidence = (await verifyEvidence(fixtureBytes("arm-cca", SET, "token.cbor"), {
    at,
    collateral: [await directoryCollateral(fixturePath("arm-cca", SET))],
  })) as VerifiedEvidence<"arm-cca">;
  const m = factsOf("arm-cca").measurement.fromVerified(evidence, {});
  const approved: ApprovedMeasurement = {
    hash: measurementHash(m),
    tee: "arm-cca",
    version: 1,
    revoked: false,
    value: encodeMeasurementValue(m),
  };
  const run = (p: WorkloadPolicy) =>
    appraiseVerdict({
      workloadId: `0x${"77".repeat(32)}` as Hex,
      evidence,
      policy: p,
      measurements: [approved],
      // Its CPAK is on the workload's allow-list (armCcaCpakAllowList.test.ts: not listed, refused).
      allowedCpaks: [evidence.platform.cpakFingerprint as Hex],
      // The vector's realm challenge binds no keepledger key: it can only be unbound evidence.
      binding: { kind: "unbound", subject: `0x${"99".repeat(20)}` as Hex },
      now,
    });

  it("verifies, labelled insecure (signed by Arm's published test CPAK)", () => {
    expect(evidence.tee).toBe("arm-cca");
    expect(evidence.debug).toBe(true);
    expect(evidence.platform.testKey).toBe(true);
  });

  it("a production policy refuses it with the debug code", () => {
    expect(() => run(policy({ allowUnboundEvidence: true }))).toThrow(
      expect.objectContaining({ code: "POLICY_DEBUG_NOT_ALLOWED", stage: "policy" }),
    );
  });

  it("a dev policy accepts it, as an insecure verdict of the approved realm measurement", () => {
    const r = run(policy({ dev: true, allowUnboundEvidence: true }));
    expect(r.insecure).toBe(true);
    expect(r.verdict.measurementHash).toBe(approved.hash);
    expect(r.verdict.tee).toBe("arm-cca");
  });
});
