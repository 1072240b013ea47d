/**
 * The cpu-gpu kind with an SEV-SNP CPU part: dstack's real Milan report (no AMD CRL among the vectors: checked
 * without one, explicitly) with a test-signer GPU bound to its REPORT_DATA. Platform revocations of the AMD chip
 * and product line reach the composite, the SNP launch policy applies to it, and the audit counts it among the
 * kinds an AMD or Intel platform revocation can name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import {
  createDeviceChain,
  createRim,
  createRimChain,
  createSpdmReport,
  goodOcspFor,
  testBlocks,
  TEST_VBIOS_VERSION,
} from "../support/nvidiaGpuTestSigner.ts";
import { asTrustedRoot } from "../support/testPki.ts";
import { teeKindsOfPlatform } from "../../src/audit/findPlatformVerdicts.ts";
import { directoryCollateral, staticCollateral } from "../../src/collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { AMD_ARK_MILAN } from "../../src/pki/roots.ts";
import { platformEntriesOf } from "../../src/policy/checkRevocations.ts";
import { defaultLaunchPolicy } from "../../src/policy/types.ts";
import { encodeCompositeEvidence } from "../../src/tee/cpu-gpu/compositeEvidence.ts";
import { parseSnpReport } from "../../src/tee/sev-snp/parseSnpReport.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";

const SNP = "dstack-milan";
const at = new Date(expectedOf("sev-snp", SNP).verify_at);
const adapters = defaultAdapters({ dangerouslyAllowMissingAmdCrl: true });
let v: VerifiedEvidence<"cpu-gpu">;

beforeAll(async () => {
  const report = fixtureBytes("sev-snp", SNP, "report.bin");
  const binding = parseSnpReport(report).reportData.subarray(0, 32);
  const device = await createDeviceChain();
  const rimChain = await createRimChain();
  const blocks = testBlocks();
  const golden = (from: number, to: number) =>
    new Map(Array.from({ length: to - from }, (_, i): [number, Uint8Array[]] => [from + i, [blocks[from + i]!]]));
  const rims = [
    await createRim(rimChain, { version: "550.90.07", golden: golden(0, 20) }),
    await createRim(rimChain, { version: TEST_VBIOS_VERSION.toUpperCase(), golden: golden(40, 50) }),
  ];
  const ocsp = await goodOcspFor([device.chain.slice(1), rimChain.chain], { nextUpdate: new Date(at.getTime() + 86_400_000) });
  const gpu = await createSpdmReport(device.leaf, { fwid: device.fwid, blocks, nonce: binding, driverVersion: "550.90.07" });
  const gpuFiles = staticCollateral([
    ...device.chain.map((c, i) => ({ name: `gpu-${i}.der`, bytes: c.cert.der })),
    ...rims.map((bytes, i) => ({ name: `rim-${i}.swidtag`, bytes })),
    ...ocsp.map((bytes, i) => ({ name: `ocsp-${i}.der`, bytes })),
  ]);
  const r = await verifyEvidence(encodeCompositeEvidence({ cpu: report, gpus: [gpu] }), {
    at,
    collateral: [await directoryCollateral(fixturePath("sev-snp", SNP)), gpuFiles],
    adapters,
    trustedRoots: [AMD_ARK_MILAN, asTrustedRoot(device.root), asTrustedRoot(rimChain.root)],
  });
  v = r as VerifiedEvidence<"cpu-gpu">;
});

describe("cpu-gpu with an SEV-SNP CPU part", () => {
  it("verifies, with the SNP part's claims and AMD platform facts", () => {
    expect(v.tee).toBe("cpu-gpu");
    expect(v.claims.cpu.tee).toBe("sev-snp");
    expect(v.platform.amdProductLine).toBe("Milan");
    const chipId = (v.claims.cpu.claims as { chipId: string }).chipId.toLowerCase();
    expect(platformEntriesOf(v)).toEqual([
      { kind: "amdChipId", value: chipId },
      { kind: "amdProductLine", value: "Milan" },
      { kind: "tee", value: "cpu-gpu" },
    ]);
  });

  it("is among the kinds an AMD chip, AMD product-line or Intel FMSPC revocation can name", () => {
    for (const kind of ["amdChipId", "amdProductLine", "fmspc"] as const)
      expect(teeKindsOfPlatform({ kind, value: "x" })).toContain("cpu-gpu");
  });

  it("the SNP part's launch policy applies to the composite (VMPL)", () => {
    const adapter = adapters.find((a) => a.kind === "cpu-gpu")!;
    let code = "ok";
    try {
      adapter.checkLaunchPolicy(v, { ...defaultLaunchPolicy(), snpAllowedVmpls: [3] });
    } catch (e) {
      if (!isKeepledgerError(e)) throw e;
      code = e.code;
    }
    expect(code).toBe("POLICY_SNP_VMPL_NOT_ALLOWED");
    expect(() => adapter.checkLaunchPolicy(v, defaultLaunchPolicy())).not.toThrow();
  });
});
