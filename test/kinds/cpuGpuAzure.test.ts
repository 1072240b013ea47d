/**
 * A composite whose CPU part is an Azure CVM: its default measurement covers PCRs 4, 7 and 11, so a TPM quote
 * without one of them cannot be named by a cpu-gpu measurement — a typed verification refusal, not a usage error.
 */
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { appraiseComposite } from "../../src/tee/cpu-gpu/appraiseComposite.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";

const SET = "az-snp-vtpm-milan-2025-v1";

describe("cpu-gpu with an Azure CVM CPU part", () => {
  it("measures the CPU part by PCRs 4, 7, 11; without PCR 7 in the quote it is COMPOSITE_CPU_UNMEASURABLE", async () => {
    const cpu = (await verifyEvidence(fixtureBytes("azure-cvm", SET, "evidence-v1.json"), {
      at: new Date(expectedOf("azure-cvm", SET).verify_at),
      collateral: await directoryCollateral(fixturePath("azure-cvm", SET)),
      adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }),
    })) as VerifiedEvidence<"azure-cvm">;
    // The real vector's TPM nonce is not a 32-byte binding (it binds no keepledger key): give the appraisal one.
    const bound = { ...cpu, claims: { ...cpu.claims, nonce: `0x${"ab".repeat(32)}` as const } };
    expect(appraiseComposite(bound, []).claims.cpu.measurementHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(() => appraiseComposite(cpu, [])).toThrow(/carries no binding/);
    const pcrs = { ...bound.claims.pcrs };
    delete pcrs[7];
    let code = "ok";
    try {
      appraiseComposite({ ...bound, claims: { ...bound.claims, pcrs } }, []);
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
      code = e.code;
    }
    expect(code).toBe("COMPOSITE_CPU_UNMEASURABLE");
  });
});
