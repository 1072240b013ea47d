import { describe, expect, it } from "vitest";

import { staticCollateral } from "../collateral/staticCollateral.ts";
import { appraiseVerdict } from "../policy/appraiseVerdict.ts";
import { encodeMeasurementValue, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { defaultAdapters } from "../tee/table.ts";
import { verifyEvidence } from "../verify/verifyEvidence.ts";
import { demoVectors, DEV_CHAIN_START, vectorPolicy } from "./demoVectors.ts";

describe("keepledger dev's demo workloads accept their seeded vectors", () => {
  it.each(demoVectors().map((v) => [v.workload, v] as const))("%s, launch policy included", async (_name, v) => {
    const evidence = new Uint8Array(v.evidence);
    // As the dev nodes verify: offline, with the dev network's explicit CRL switch (no Milan CRL among the vectors).
    const verified = await verifyEvidence(evidence, {
      at: DEV_CHAIN_START,
      collateral: staticCollateral(v.collateral.map((f) => ({ name: f.name, bytes: new Uint8Array(Buffer.from(f.data, "base64")) }))),
      adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }),
    });
    const policy = vectorPolicy(v);
    const now = Math.floor(DEV_CHAIN_START.getTime() / 1000);
    const r = appraiseVerdict({
      workloadId: `0x${"77".repeat(32)}`,
      evidence: verified,
      policy,
      measurements: [
        { hash: measurementHash(v.measurement), tee: v.tee, version: 1, revoked: false, value: encodeMeasurementValue(v.measurement) },
      ],
      // As keepledger dev lists it on-chain (CCA only; empty for the other kinds).
      allowedCpaks: v.cpaks ?? [],
      binding: { kind: "unbound", subject: `0x${"5a".repeat(20)}` },
      now,
    });
    expect(r.verdict.tcbStatus).toBe(v.tcbStatus);
  });

  it("the CCA demo lists exactly the CPAK that signs its token (Arm's test key)", async () => {
    const cca = demoVectors().find((v) => v.tee === "arm-cca")!;
    const verified = await verifyEvidence(new Uint8Array(cca.evidence), {
      at: DEV_CHAIN_START,
      collateral: staticCollateral(cca.collateral.map((f) => ({ name: f.name, bytes: new Uint8Array(Buffer.from(f.data, "base64")) }))),
    });
    expect(cca.cpaks).toEqual([(verified.platform as { cpakFingerprint: string }).cpakFingerprint]);
  });
});
