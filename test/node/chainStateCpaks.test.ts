/**
 * Issue 12, from the chain to the appraisal: the node's chain reading (createChainState) takes a
 * workload's CPAK allow-list from the CpakAllowList with its policy — an allowed CPAK only once the policy
 * delay has passed, a disallowed one at once — and the real Arm CCA vector of test/fixtures/arm-cca,
 * appraised with what the node read, is refused while its CPAK is not in force and accepted once it is.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { deployKeepledger } from "../../src/chain/deployKeepledger.ts";
import type { Deployment } from "../../src/chain/deployment.ts";
import { connectInProcessChain, type InProcessChain } from "../../src/chain/inProcessChain.ts";
import { addMeasurement, allowCpak, disallowCpak, registerWorkload, schedulePolicy } from "../../src/chain/workloads.ts";
import { createChainState, type ChainState } from "../../src/node/chain/chainState.ts";
import { createNodeLogger } from "../../src/node/logging/createNodeLogger.ts";
import { appraiseVerdict } from "../../src/policy/appraiseVerdict.ts";
import { defaultPolicy } from "../../src/policy/types.ts";
import { factsOf } from "@keepledger/sdk/internal/tee/kindFacts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";

const SET = "tfm-tools-example-ffm00-tag399";
const DELAY = 600;

let chain: InProcessChain;
let deployment: Deployment;
let state: ChainState;
let workloadId: Hex;
let evidence: VerifiedEvidence<"arm-cca">;
const clients = () => ({ publicClient: chain.publicClient, walletClient: chain.walletClient() });

beforeAll(async () => {
  const at = new Date(expectedOf("arm-cca", SET).verify_at);
  chain = await connectInProcessChain({ initialDate: at });
  ({ deployment } = await deployKeepledger(clients(), { devPoliciesAllowed: true, policyDelay: BigInt(DELAY) }));
  ({ workloadId } = await registerWorkload(clients(), deployment, "cca-realm"));
  evidence = (await verifyEvidence(fixtureBytes("arm-cca", SET, "token.cbor"), {
    at,
    collateral: [await directoryCollateral(fixturePath("arm-cca", SET))],
  })) as VerifiedEvidence<"arm-cca">;
  // A dev policy for the test-key token (loosening: in force after the delay) and its realm measurement.
  await schedulePolicy(clients(), deployment, workloadId, {
    ...defaultPolicy(),
    allowedTees: ["arm-cca"],
    acceptedTcbStatuses: ["NotApplicable"],
    dev: true,
    allowUnboundEvidence: true,
  });
  await addMeasurement(clients(), deployment, workloadId, 1, factsOf("arm-cca").measurement.fromVerified(evidence, {}));
  await chain.increaseTime(DELAY);
  state = createChainState({
    publicClient: chain.publicClient,
    deployment,
    confirmations: 1,
    pollMs: 20,
    log: createNodeLogger({ profile: "debug", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
  });
  await state.start();
}, 120_000);
afterAll(async () => {
  state?.stop();
  await chain?.close();
});

/** Waits until the poll loop has seen the newest block (and dropped what its events change). */
async function caughtUp(): Promise<void> {
  const head = await chain.publicClient.getBlockNumber();
  for (let i = 0; i < 200 && state.head().number < head; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 60));
}

async function appraiseAsTheNode() {
  await caughtUp();
  const w = (await state.workload(workloadId))!;
  return {
    allowedCpaks: w.allowedCpaks,
    run: () =>
      appraiseVerdict({
        workloadId,
        evidence,
        policy: w.policy,
        measurements: w.measurements,
        allowedCpaks: w.allowedCpaks,
        binding: { kind: "unbound", subject: `0x${"99".repeat(20)}` },
        now: Number(state.now()),
      }),
  };
}

const cpak = () => evidence.platform.cpakFingerprint as Hex;

describe("the node reads the CPAK allow-list with the workload's policy", () => {
  it("nothing listed: the real CCA token is refused with POLICY_CPAK_NOT_ALLOWED", async () => {
    const a = await appraiseAsTheNode();
    expect(a.allowedCpaks).toEqual([]);
    expect(a.run).toThrow(expect.objectContaining({ code: "POLICY_CPAK_NOT_ALLOWED" }));
  });

  it("allowed but pending (the policy delay): still refused; in force after the delay: accepted", async () => {
    const { effectiveAt } = await allowCpak(clients(), deployment, workloadId, cpak());
    expect(effectiveAt).toBe((await chain.now()) + BigInt(DELAY));
    const pending = await appraiseAsTheNode();
    expect(pending.allowedCpaks).toEqual([]);
    expect(pending.run).toThrow(expect.objectContaining({ code: "POLICY_CPAK_NOT_ALLOWED" }));

    await chain.increaseTime(DELAY);
    const inForce = await appraiseAsTheNode();
    expect(inForce.allowedCpaks).toEqual([cpak()]);
    const r = inForce.run();
    expect(r.verdict.tee).toBe("arm-cca");
    expect(r.insecure).toBe(true);
  });

  it("disallowed: refused again at once", async () => {
    await disallowCpak(clients(), deployment, workloadId, cpak());
    const a = await appraiseAsTheNode();
    expect(a.allowedCpaks).toEqual([]);
    expect(a.run).toThrow(expect.objectContaining({ code: "POLICY_CPAK_NOT_ALLOWED" }));
  });
});
