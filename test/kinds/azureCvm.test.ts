/**
 * The Azure CVM kind through the tables, on the real Milan vector (its folder has no AMD CRL, so the ASK is
 * checked without one, explicitly): the public verify path, platform revocation of the embedded AMD chip,
 * the launch policy of the embedded report, and the measurement taken from the verified evidence.
 */
import { describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../support/fixtures.ts";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { teeKindsOfPlatform } from "../../src/audit/findPlatformVerdicts.ts";
import { platformEntriesOf } from "../../src/policy/checkRevocations.ts";
import { defaultLaunchPolicy } from "../../src/policy/types.ts";
import { factsOf, measurementHash } from "@keepledger/sdk/internal/tee/kindFacts";
import { defaultAdapters } from "../../src/tee/table.ts";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence } from "../../src/verify/verifyEvidence.ts";
import { measurementFromEvidence } from "../../src/cli/measurementOptions.ts";
import { fromHex } from "@keepledger/sdk/internal/util/bytes";
import { sha256 } from "viem";

const SET = "az-snp-vtpm-milan-2025-v1";
const at = new Date(expectedOf("azure-cvm", SET).verify_at);
const adapters = defaultAdapters({ dangerouslyAllowMissingAmdCrl: true });
const adapter = adapters.find((a) => a.kind === "azure-cvm")!;

async function verified(): Promise<VerifiedEvidence<"azure-cvm">> {
  const r = await verifyEvidence(fixtureBytes("azure-cvm", SET, "evidence-v1.json"), {
    at,
    collateral: await directoryCollateral(fixturePath("azure-cvm", SET)),
    adapters,
  });
  expect(r.tee).toBe("azure-cvm");
  return r as VerifiedEvidence<"azure-cvm">;
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return "ok";
}

describe("azure-cvm through the kind tables", () => {
  it("verifies through verifyEvidence (the JSON file as it is) and is refused by the strict adapters for want of AMD's CRL", async () => {
    const v = await verified();
    expect(v.claims.hardware).toBe("snp");
    expect(v.claims.snp!.vmpl).toBe(0);
    await expect(
      verifyEvidence(fixtureBytes("azure-cvm", SET, "evidence-v1.json"), {
        at,
        collateral: await directoryCollateral(fixturePath("azure-cvm", SET)),
      }),
    ).rejects.toMatchObject({ code: "SNP_CRL_UNAVAILABLE" });
  });

  it("is Microsoft's kind on AMD or Intel hardware: AMD chip and product-line and Intel FMSPC revocations reach it", async () => {
    expect(factsOf("azure-cvm").vendor).toBe("microsoft");
    for (const kind of ["amdChipId", "amdProductLine", "fmspc"] as const) {
      expect(teeKindsOfPlatform({ kind, value: "x" })).toContain("azure-cvm");
    }
    const v = await verified();
    const entries = platformEntriesOf(v);
    expect(entries).toContainEqual({ kind: "amdChipId", value: v.claims.snp!.chipId.toLowerCase() });
    expect(entries).toContainEqual({ kind: "amdProductLine", value: "Milan" });
    expect(entries).toContainEqual({ kind: "tee", value: "azure-cvm" });
  });

  it("checks the embedded SEV-SNP report with the SEV-SNP launch checks", async () => {
    const v = await verified();
    const launch = defaultLaunchPolicy();
    expect(codeOf(() => adapter.checkLaunchPolicy(v, launch))).toBe("ok");
    // The paravisor's guest policy allows SMT (bit 16): a policy that requires it off refuses the VM.
    expect(codeOf(() => adapter.checkLaunchPolicy(v, { ...launch, snpRequireSmtOff: true }))).toBe("POLICY_SNP_SMT_ALLOWED");
    const reported = v.claims.snp!.tcb.reported;
    const above = { bootloader: reported.bootloader, tee: reported.tee, snp: reported.snp, microcode: reported.microcode + 1 };
    expect(codeOf(() => adapter.checkLaunchPolicy(v, { ...launch, minSnpTcb: { Milan: above } }))).toBe("POLICY_SNP_TCB_BELOW_MINIMUM");
    expect(codeOf(() => adapter.checkLaunchPolicy(v, { ...launch, snpAllowedVmpls: [1] }))).toBe("POLICY_SNP_VMPL_NOT_ALLOWED");
  });

  it("takes the measurement of the PCRs named with --pcrs from the verified evidence, and it matches its claims", async () => {
    const file = fixturePath("azure-cvm", SET, "evidence-v1.json");
    const opts = { at: at.toISOString(), collateral: fixturePath("azure-cvm", SET), dangerouslyAllowMissingAmdCrl: true };
    const { measurement, verified: v } = await measurementFromEvidence(file, { ...opts, pcrs: "0,7" });
    expect(measurement).toMatchObject({ tee: "azure-cvm", hardware: "snp", pcrMask: 0x81 });
    const claims = (v as VerifiedEvidence<"azure-cvm">).claims;
    const digest = sha256(new Uint8Array([...fromHex(claims.pcrs[0]!), ...fromHex(claims.pcrs[7]!)]));
    expect(measurement).toMatchObject({ pcrDigest: digest });
    const layout = factsOf("azure-cvm").measurement;
    expect(layout.matches(claims, fromHex(layout.encode(measurement as never)))).toBe(true);
    // The same measurement from the CLI flags gives the same hash.
    const parse = {
      hex: (_f: string, value: string) => value.toLowerCase() as `0x${string}`,
      whole: (_f: string, value: string) => BigInt(value),
      bad: (f: string) => new Error(f),
      usage: (m: string) => new Error(m),
    };
    const fromFlags = factsOf("azure-cvm").flags.fromFlags(
      { hardware: "snp", hardwareMeasurement: claims.hardwareMeasurement, pcrValues: `7=${claims.pcrs[7]},0=${claims.pcrs[0]}` },
      parse,
    );
    expect(measurementHash(fromFlags)).toBe(measurementHash(measurement));
    // Default: PCRs 4, 7, 11.
    const byDefault = await measurementFromEvidence(file, opts);
    expect(byDefault.measurement).toMatchObject({ pcrMask: (1 << 4) | (1 << 7) | (1 << 11) });
    await expect(measurementFromEvidence(file, { ...opts, pcrs: "4,4" })).rejects.toMatchObject({ code: "CLI_BAD_OPTION" });
  });
});
