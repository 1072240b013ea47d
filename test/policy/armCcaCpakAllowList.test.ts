// Issue 12: Arm CCA has no vendor PKI, so a workload's on-chain policy lists the CPAKs it trusts. The real
// test-key token of test/fixtures/arm-cca, verified with its CPAK from collateral, is appraised under a
// dev policy with and without that CPAK's identity on the allow-list.
import { readFileSync } from "node:fs";
import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { cpakId } from "@keepledger/sdk/internal/ids/index";
import { appraiseVerdict } from "../../src/policy/appraiseVerdict.ts";
import { defaultPolicy, type ApprovedMeasurement, type WorkloadPolicy } from "../../src/policy/types.ts";
import { ARM_CCA_TEST_CPAKS } from "../../src/tee/arm-cca/knownTestKeys.ts";
import { encodeMeasurementValue, factsOf, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

const SET = "tfm-tools-example-ffm00-tag399";
const at = new Date(expectedOf("arm-cca", SET).verify_at);
const now = Math.floor(at.getTime() / 1000);
const devPolicy: WorkloadPolicy = {
  ...defaultPolicy(),
  allowedTees: ["arm-cca"],
  acceptedTcbStatuses: ["NotApplicable"],
  dev: true,
  allowUnboundEvidence: true,
};

/** The CPAK's identity computed from the fixture's PEM, independently of the verifier. */
const fixtureCpakId = cpakId(
  createPublicKey(readFileSync(fixturePath("arm-cca", SET, "cpak.pub.pem"))).export({ type: "spki", format: "der" }),
);

describe("Arm CCA evidence and the workload's CPAK allow-list", async () => {
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
  const appraise = (allowedCpaks?: readonly Hex[]) =>
    appraiseVerdict({
      workloadId: `0x${"77".repeat(32)}` as Hex,
      evidence,
      policy: devPolicy,
      measurements: [approved],
      ...(allowedCpaks ? { allowedCpaks } : {}),
      binding: { kind: "unbound", subject: `0x${"99".repeat(20)}` as Hex },
      now,
    });

  it("the verifier names the endorsing CPAK by the one identity function (sha256 of its SPKI)", () => {
    expect(evidence.platform.cpakFingerprint).toBe(fixtureCpakId);
    // The published test key: its identity is the one knownTestKeys.ts labels insecure.
    expect(ARM_CCA_TEST_CPAKS.has(fixtureCpakId)).toBe(true);
    expect(evidence.debug).toBe(true);
  });

  const otherCpak = `0x${"ab".repeat(32)}` as Hex;
  it.each([
    { name: "no allow-list given", allowed: undefined },
    { name: "an empty allow-list", allowed: [] as Hex[] },
    { name: "another CPAK listed", allowed: [otherCpak] },
  ])("refused with POLICY_CPAK_NOT_ALLOWED: $name", ({ allowed }) => {
    expect(() => appraise(allowed)).toThrow(
      expect.objectContaining({
        code: "POLICY_CPAK_NOT_ALLOWED",
        stage: "policy",
        details: expect.objectContaining({ cpakId: fixtureCpakId }),
      }),
    );
  });

  it("accepted once its CPAK is listed (any case of hex), still as an insecure verdict", () => {
    const r = appraise([otherCpak, fixtureCpakId.toUpperCase().replace("0X", "0x") as Hex]);
    expect(r.insecure).toBe(true);
    expect(r.verdict.tee).toBe("arm-cca");
    expect(r.verdict.measurementHash).toBe(approved.hash);
  });

  it("a listed test CPAK does not make the evidence acceptable to a production policy", () => {
    expect(() =>
      appraiseVerdict({
        workloadId: `0x${"77".repeat(32)}` as Hex,
        evidence,
        policy: { ...devPolicy, dev: false, allowUnboundEvidence: false },
        measurements: [approved],
        allowedCpaks: [fixtureCpakId],
        binding: { kind: "unbound", subject: `0x${"99".repeat(20)}` as Hex },
        now,
      }),
    ).toThrow(expect.objectContaining({ code: "POLICY_DEBUG_NOT_ALLOWED" }));
  });
});
