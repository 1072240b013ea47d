/**
 * Arm CCA has no vendor PKI: a platform is trusted because a CPAK the validator holds signed its platform
 * token. A submitter that posts a CPAK of its own with the evidence must not get its platform endorsed
 * outside dev policies. Material: Arm's published test token with its platform token re-signed by a key
 * the test makes (the same signed bytes, only the signature differs): a platform nobody endorsed, with a
 * realm token and binding that still verify.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes, type Hex } from "viem";
import { cpakId } from "@keepledger/sdk/internal/ids/cpakId";
import { staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import { encodeSigStructure } from "../../src/evidence/cose/encodeSigStructure.ts";
import { Appraiser } from "../../src/node/appraisal/appraiseSubmission.ts";
import type { ChainState } from "../../src/node/chain/chainState.ts";
import { createNodeMetrics } from "../../src/node/nodeMetrics.ts";
import type { Submission } from "../../src/node/types.ts";
import { defaultPolicy, type ApprovedMeasurement } from "../../src/policy/types.ts";
import { parseCcaToken } from "../../src/tee/arm-cca/parseCcaToken.ts";
import { encodeMeasurementValue, factsOf, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes } from "../support/fixtures.ts";

const SET = "tfm-tools-example-ffm00-tag399";
const AT = new Date(expectedOf("arm-cca", SET).verify_at);
const WORKLOAD = keccak256(stringToBytes("cca endorsement adversary"));

/** The real token, its platform token re-signed by a fresh P-384 key; that key's PEM is the "CPAK" posted with it. */
function selfEndorsedToken(): { token: Uint8Array; cpak: { name: string; bytes: Uint8Array }; id: Hex } {
  const bytes = fixtureBytes("arm-cca", SET, "token.cbor");
  const { platform } = parseCcaToken(bytes);
  const key = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const signature = sign("sha384", encodeSigStructure(platform.cose.protectedHeader, platform.cose.payload), {
    key: key.privateKey,
    dsaEncoding: "ieee-p1363",
  });
  const token = bytes.slice();
  token.set(signature, platform.offset + platform.cose.spans.signature.start + 2); // after the bstr head 0x58 0x60
  const pem = key.publicKey.export({ type: "spki", format: "pem" }) as string;
  const id = cpakId(new Uint8Array(key.publicKey.export({ type: "spki", format: "der" })));
  return { token, cpak: { name: "cpak.pem", bytes: new Uint8Array(Buffer.from(pem)) }, id };
}

/** The workload's chain state; `allowedCpaks` is its on-chain CPAK allow-list (CpakAllowList), in force. */
function chain(dev: boolean, measurements: ApprovedMeasurement[], allowedCpaks: Hex[] = []): ChainState {
  const at = BigInt(AT.getTime() / 1000);
  const policy = { ...defaultPolicy(), allowedTees: ["arm-cca"], acceptedTcbStatuses: ["NotApplicable"], dev, allowUnboundEvidence: dev };
  return {
    now: () => at,
    head: () => ({ number: 10n, hash: `0x${"ab".repeat(32)}`, timestamp: at }),
    workload: async () => ({ workloadId: WORKLOAD, policy, policyEffectiveAt: 0n, pendingEffectiveAt: 0n, measurements, allowedCpaks }),
    validatorSet: async () => ({ validatorWorkload: `0x${"00".repeat(32)}`, validators: new Map(), threshold: 2 }),
    revocations: async () => ({ subjectRevoked: false, revokedPlatforms: [] }),
  } as unknown as ChainState;
}

const submission = (token: Uint8Array, collateral: Submission["collateral"]): Submission => ({
  workloadId: WORKLOAD,
  evidence: token,
  subjectPublicKey: null,
  freshnessBlock: 0n,
  context: "keep",
  collateral,
});

async function refusal(run: Promise<unknown>): Promise<{ code: string; stage: string }> {
  try {
    await run;
  } catch (e) {
    if (isKeepledgerError(e)) return { code: e.code, stage: e.stage };
    throw e;
  }
  return { code: "accepted", stage: "none" };
}

describe("a submitter endorsing its own Arm CCA platform", () => {
  const { token, cpak, id } = selfEndorsedToken();

  it("the verifier trusts whatever CPAK it is handed: the forged platform verifies, not even labelled insecure", async () => {
    const v = (await verifyEvidence(token, { at: AT, collateral: staticCollateral([cpak]) })) as VerifiedEvidence<"arm-cca">;
    expect(v.tee).toBe("arm-cca");
    expect(v.debug).toBe(false);
    expect(v.platform.testKey).toBe(false);
  });

  it("a validator under a production policy ignores the posted CPAK: CCA_PLATFORM_NOT_ENDORSED", async () => {
    const appraiser = new Appraiser({ chain: chain(false, []), metrics: createNodeMetrics(), providers: [] });
    expect(await refusal(appraiser.appraise(submission(token, [cpak]), { role: "collector" }))).toEqual({
      code: "CCA_PLATFORM_NOT_ENDORSED",
      stage: "verification",
    });
  });

  it("the same CPAK from the validator's own sources is trusted: verification passes and the policy decides", async () => {
    const appraiser = new Appraiser({
      chain: chain(false, []),
      metrics: createNodeMetrics(),
      providers: [staticCollateral([cpak], "own")],
    });
    const r = await refusal(appraiser.appraise(submission(token, []), { role: "collector" }));
    // The vector's realm challenge binds no keepledger key: a production policy refuses it for that.
    expect(r.stage).toBe("policy");
    expect(r.code).not.toBe("CCA_PLATFORM_NOT_ENDORSED");
  });

  it("under a dev policy a posted CPAK listed on-chain counts (the dev network's demo realm posts Arm's test CPAK)", async () => {
    const v = (await verifyEvidence(token, { at: AT, collateral: staticCollateral([cpak]) })) as VerifiedEvidence<"arm-cca">;
    const m = factsOf("arm-cca").measurement.fromVerified(v, {});
    const approved: ApprovedMeasurement = {
      hash: measurementHash(m),
      tee: "arm-cca",
      version: 1,
      revoked: false,
      value: encodeMeasurementValue(m),
    };
    // Posted and listed: accepted. Posted and not listed: the allow-list refuses it even under a dev policy.
    const unlisted = new Appraiser({ chain: chain(true, [approved]), metrics: createNodeMetrics(), providers: [] });
    expect(await refusal(unlisted.appraise(submission(token, [cpak]), { role: "collector" }))).toEqual({
      code: "POLICY_CPAK_NOT_ALLOWED",
      stage: "policy",
    });
    const appraiser = new Appraiser({ chain: chain(true, [approved], [id]), metrics: createNodeMetrics(), providers: [] });
    const appraisal = await appraiser.appraise(submission(token, [cpak]), { role: "collector" });
    expect(appraisal.verdict.measurementHash).toBe(approved.hash);
  });
});
