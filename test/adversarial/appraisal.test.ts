/**
 * Issue 10 §2–§4, end to end: evidence built by the test signers (never hand-edited real bytes) goes
 * through verifyEvidence and appraiseVerdict, and each launch parameter or firmware level outside the
 * approved measurement is refused with its own code. Real vectors stay accepted under the default policy.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { CollateralProvider, CollateralSet } from "../../src/collateral/types.ts";
import { directoryCollateral } from "../../src/collateral/staticCollateral.ts";
import { emptyCollateral, mergeCollateral } from "../../src/collateral/types.ts";
import { isKeepledgerError, type KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { appraiseVerdict } from "../../src/policy/appraiseVerdict.ts";
import { checkLaunchPolicy } from "../../src/policy/checkLaunchPolicy.ts";
import { defaultLaunchPolicy, type ApprovedMeasurement, type LaunchPolicy, type WorkloadPolicy } from "../../src/policy/types.ts";
import { fromHex, toHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { verifyAmdSigningChain } from "../../src/tee/sev-snp/amdSigningChain.ts";
import { defaultAdapters } from "../../src/tee/table.ts";
import type { ClaimsByKind, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { verifyEvidence, type VerifyEvidenceOptions } from "../../src/verify/verifyEvidence.ts";
import { parseCrl, parsePemCertificates } from "../../src/pki/x509/certificate.ts";
import { buildScenario, type Scenario } from "../support/dcapTestSigner.ts";
import { expectedOf, fixtureBytes, fixturePath, fixtureText } from "../support/fixtures.ts";
import { createNitroTestPki, NITRO_TEST_TIME, signNitroDocument } from "../support/nitroTestSigner.ts";
import {
  DEFAULT_TEST_TCB,
  snpTestCase,
  snpTestPki,
  testTcbBytes,
  type SnpTestCase,
  type SnpTestCaseOptions,
} from "../support/snpTestSigner.ts";
import { createCrl } from "../support/testPki.ts";

const SNP_AT = new Date(Date.UTC(2025, 5, 1));
const DAY = 86_400_000;

const fixed = (set: CollateralSet, name = "test signer"): CollateralProvider => ({ name, fetch: () => Promise.resolve(set) });

async function failure(run: () => Promise<unknown>): Promise<KeepledgerError> {
  try {
    await run();
  } catch (e) {
    if (isKeepledgerError(e)) return e;
    throw e;
  }
  throw new Error("expected a KeepledgerError, got a result");
}

/** An approved measurement that is exactly the evidence's claims (docs/ids.md layouts). */
function approvedFor(evidence: VerifiedEvidence): ApprovedMeasurement {
  const hex = (...parts: Hex[]) => toHex(Uint8Array.from(parts.flatMap((p) => [...fromHex(p)])));
  let value: Hex;
  if (evidence.tee === "sev-snp") value = hex((evidence.claims as ClaimsByKind["sev-snp"]).measurement, `0x${"00".repeat(33)}`);
  else if (evidence.tee === "tdx") {
    const c = evidence.claims as ClaimsByKind["tdx"];
    value = hex(c.mrtd, c.rtmr0, c.rtmr1, c.rtmr2, c.rtmr3);
  } else if (evidence.tee === "sgx") value = hex((evidence.claims as ClaimsByKind["sgx"]).mrenclave, `0x${"00".repeat(36)}`);
  else throw new Error(`no measurement layout for ${evidence.tee} here`);
  return { hash: `0x${"a1".repeat(32)}`, tee: evidence.tee, version: 1, revoked: false, value };
}

function policyWith(launch: Partial<LaunchPolicy> = {}, over: Partial<WorkloadPolicy> = {}): WorkloadPolicy {
  return {
    allowedTees: ["sgx", "tdx", "sev-snp", "nitro"],
    acceptedTcbStatuses: ["UpToDate", "NotApplicable", "ConfigurationAndSWHardeningNeeded", "SWHardeningNeeded"],
    dev: false,
    allowUnboundEvidence: true,
    deniedAmdProductLines: [],
    maxEvidenceAge: 3600,
    verdictLifetime: 86_400,
    tcbGracePeriod: 0,
    deniedAdvisories: [],
    deniedFmspcs: [],
    launch: { ...defaultLaunchPolicy(), ...launch },
    ...over,
  };
}

/** Verified evidence → appraisal under `policy`; resolves to the verdict or rejects with the policy's refusal. */
function appraise(evidence: VerifiedEvidence, policy: WorkloadPolicy) {
  return appraiseVerdict({
    workloadId: `0x${"77".repeat(32)}`,
    evidence,
    policy,
    measurements: [approvedFor(evidence)],
    binding: { kind: "unbound", subject: `0x${"5a".repeat(20)}` },
    now: Math.floor(evidence.verifiedAt.getTime() / 1000),
  });
}

// ===== SEV-SNP =====

async function snpVerified(c: SnpTestCase, options: Partial<VerifyEvidenceOptions> = {}, crls?: CollateralSet["crls"]) {
  const crl = crls ?? [
    await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 11, 1)) }),
  ];
  return verifyEvidence(c.report, {
    at: SNP_AT,
    trustedRoots: c.trustedRoots,
    collateral: fixed({ ...emptyCollateral(), certificates: c.certificates, crls: crl }),
    ...options,
  });
}

async function snpRefusal(options: SnpTestCaseOptions, launch: Partial<LaunchPolicy>): Promise<KeepledgerError> {
  const evidence = await snpVerified(await snpTestCase(options));
  return failure(async () => appraise(evidence, policyWith(launch)));
}

describe("SEV-SNP firmware levels and launch parameters (test signer)", () => {
  beforeAll(async () => {
    await Promise.all([snpTestPki("Milan"), snpTestPki("Genoa"), snpTestPki("Turin")]);
  });

  it("accepts the signer's default Milan report under the default launch policy, with the four TCBs as claims", async () => {
    const c = await snpTestCase();
    const evidence = await snpVerified(c);
    const claims = evidence.claims as ClaimsByKind["sev-snp"];
    expect(claims.vmpl).toBe(0);
    expect(claims.tcb.reported).toMatchObject(DEFAULT_TEST_TCB.Milan);
    expect(Object.keys(claims.tcb)).toEqual(["reported", "committed", "current", "launch"]);
    expect(appraise(evidence, policyWith()).verdict.tee).toBe("sev-snp");
  });

  it("refuses a report below the product line's minimum TCB, naming the component", async () => {
    const min = { ...DEFAULT_TEST_TCB.Genoa, microcode: DEFAULT_TEST_TCB.Genoa.microcode + 1 };
    const error = await snpRefusal({ productLine: "Genoa" }, { minSnpTcb: { Genoa: min } });
    expect(error.code).toBe("POLICY_SNP_TCB_BELOW_MINIMUM");
    expect(error.details).toMatchObject({
      component: "microcode",
      got: DEFAULT_TEST_TCB.Genoa.microcode,
      min: min.microcode,
      productLine: "Genoa",
    });
  });

  it("refuses a Turin report whose FMC is below the minimum", async () => {
    const error = await snpRefusal({ productLine: "Turin" }, { minSnpTcb: { Turin: { ...DEFAULT_TEST_TCB.Turin, fmc: 2 } } });
    expect(error).toMatchObject({
      code: "POLICY_SNP_TCB_BELOW_MINIMUM",
      details: { component: "fmc", got: 1, min: 2, productLine: "Turin" },
    });
  });

  it.each([
    { name: "a VCEK for a newer SNP SPL", options: { vek: { tcb: { ...DEFAULT_TEST_TCB.Milan, snp: DEFAULT_TEST_TCB.Milan.snp + 1 } } } },
    { name: "a VCEK for an older microcode", options: { vek: { tcb: { ...DEFAULT_TEST_TCB.Milan, microcode: 200 } } } },
    {
      name: "a report claiming a higher REPORTED_TCB than its VCEK",
      options: { fields: { reportedTcb: testTcbBytes("Milan", { ...DEFAULT_TEST_TCB.Milan, bootloader: 9 }) } },
    },
    { name: "a VLEK for another TCB", options: { signingKey: "vlek" as const, vek: { tcb: { ...DEFAULT_TEST_TCB.Milan, tee: 1 } } } },
    {
      name: "a Turin VCEK for another FMC",
      options: { productLine: "Turin" as const, vek: { tcb: { ...DEFAULT_TEST_TCB.Turin, fmc: 7 } } },
    },
  ])("refuses $name: the VEK's TCB extensions must equal REPORTED_TCB", async ({ options }) => {
    const error = await failure(async () => snpVerified(await snpTestCase(options as SnpTestCaseOptions)));
    expect(error.code).toBe("SNP_TCB_MISMATCH");
  });

  it("refuses VMPL 1 by default and accepts it when the policy allows it", async () => {
    const evidence = await snpVerified(await snpTestCase({ fields: { vmpl: 1 } }));
    expect((await failure(async () => appraise(evidence, policyWith()))).code).toBe("POLICY_SNP_VMPL_NOT_ALLOWED");
    expect(appraise(evidence, policyWith({ snpAllowedVmpls: [0, 1] })).verdict.tee).toBe("sev-snp");
  });

  it("refuses a guest policy with MIGRATE_MA", async () => {
    expect((await snpRefusal({ fields: { policy: 0x30000n | (1n << 18n) } }, {})).code).toBe("POLICY_SNP_MIGRATE_MA");
  });

  it("refuses SMT when the policy requires it off, and accepts a guest policy without SMT", async () => {
    expect((await snpRefusal({}, { snpRequireSmtOff: true })).code).toBe("POLICY_SNP_SMT_ALLOWED");
    const smtOff = await snpVerified(await snpTestCase({ fields: { policy: 0x20000n } }));
    expect(appraise(smtOff, policyWith({ snpRequireSmtOff: true })).verdict.tee).toBe("sev-snp");
  });
});

describe("AMD CRLs are required", () => {
  beforeAll(async () => {
    await snpTestPki("Milan");
  });

  it("refuses evidence whose CRL no source has, as retryable, unless the dangerous switch is set", async () => {
    const c = await snpTestCase();
    const error = await failure(async () => snpVerified(c, {}, []));
    expect(error).toMatchObject({ code: "SNP_CRL_UNAVAILABLE", retryable: true, stage: "infrastructure" });
    const unsafe = await snpVerified(c, { adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }) }, []);
    expect(unsafe.tee).toBe("sev-snp");
  });

  it("takes the CRL from whichever source has it", async () => {
    const c = await snpTestCase();
    const crl = await createCrl(c.pki.ark, [], { thisUpdate: new Date(Date.UTC(2025, 0, 1)), nextUpdate: new Date(Date.UTC(2025, 11, 1)) });
    const collateral = [
      fixed({ ...emptyCollateral(), certificates: c.certificates }, "certs"),
      fixed({ ...emptyCollateral(), crls: [crl] }, "crl"),
    ];
    const v = await verifyEvidence(c.report, { at: SNP_AT, trustedRoots: c.trustedRoots, collateral });
    expect(v.expiresAt).toEqual(crl.nextUpdate);
  });

  it("refuses the ASK the test ARK revoked, CRL from another source than the chain", async () => {
    const c = await snpTestCase();
    const crl = await createCrl(c.pki.ark, [c.pki.ask.cert.serial], {
      thisUpdate: new Date(Date.UTC(2025, 0, 1)),
      nextUpdate: new Date(Date.UTC(2025, 11, 1)),
    });
    const collateral = [
      fixed({ ...emptyCollateral(), certificates: c.certificates }, "certs"),
      fixed({ ...emptyCollateral(), crls: [crl] }, "crl"),
    ];
    const error = await failure(() =>
      verifyEvidence(c.report, {
        at: SNP_AT,
        trustedRoots: c.trustedRoots,
        collateral,
        adapters: defaultAdapters({ dangerouslyAllowMissingAmdCrl: true }),
      }),
    );
    expect(error.code).toBe("CERT_REVOKED");
  });

  it("refuses AMD's real revoked Genoa ASK (genoa-revoked-ask) once its real CRL is supplied from any source", async () => {
    const dir = await directoryCollateral(fixturePath("sev-snp", "genoa-revoked-ask"));
    const at = new Date("2023-01-15T00:00:00Z");
    const revoked = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_revoked_serial_020001.pem"))[0]!;
    const current = parsePemCertificates(fixtureText("sev-snp", "genoa-revoked-ask", "ask_genoa_current_serial_020002.pem"))[0]!;
    const crl = parseCrl(fixtureBytes("sev-snp", "genoa-revoked-ask", "crl_genoa.der"));
    // The CRL found by a directory provider, or handed in on its own: either way the revoked ASK is refused.
    const fromDirectory = (
      await dir.fetch(
        { vendor: "amd", productLine: "Genoa", signingKey: "vcek", chipId: `0x${"00".repeat(64)}`, reportedTcb: DEFAULT_TEST_TCB.Genoa },
        at,
      )
    ).crls;
    for (const crls of [fromDirectory, mergeCollateral({ ...emptyCollateral(), crls: [crl] }).crls]) {
      expect(crls.length).toBeGreaterThan(0);
      const error = await failure(async () => verifyAmdSigningChain({ intermediate: revoked, at, crls, requireCrl: true }));
      expect(error).toMatchObject({ code: "CERT_REVOKED", details: { serial: revoked.serial } });
      expect(verifyAmdSigningChain({ intermediate: current, at, crls, requireCrl: true }).productLine).toBe("Genoa");
    }
    // Without the CRL the required check cannot pass either.
    expect((await failure(async () => verifyAmdSigningChain({ intermediate: revoked, at, crls: [], requireCrl: true }))).code).toBe(
      "CRL_MISSING",
    );
  });
});

// ===== TDX and SGX (DCAP test signer) =====

async function dcapVerified(s: Scenario): Promise<VerifiedEvidence> {
  return verifyEvidence(s.quote, { at: s.at, trustedRoots: s.roots, collateral: fixed(s.collateral) });
}

const le64 = (value: bigint) => {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
};

describe("TDX launch parameters (DCAP test signer)", () => {
  it("accepts SEPT_VE_DISABLE with zero owner fields under the default policy", async () => {
    const evidence = await dcapVerified(await buildScenario({ tee: "tdx" }));
    expect(evidence.claims).toMatchObject({ tdAttributes: "0x10000000", xfam: "0x602e7", mrOwner: `0x${"00".repeat(48)}` });
    expect(appraise(evidence, policyWith()).verdict.tee).toBe("tdx");
  });

  it.each([
    {
      name: "MIGRATABLE",
      td: { tdAttributes: le64((1n << 28n) | (1n << 29n)) },
      wantError: "POLICY_TDX_TD_ATTRIBUTES",
      refused: ["MIGRATABLE"],
    },
    { name: "PERFMON", td: { tdAttributes: le64((1n << 28n) | (1n << 63n)) }, wantError: "POLICY_TDX_TD_ATTRIBUTES", refused: ["PERFMON"] },
    { name: "a non-zero MROWNER", td: { mrOwner: new Uint8Array(48).fill(0x0a) }, wantError: "POLICY_TDX_OWNER_CONFIG" },
    { name: "a non-zero MROWNERCONFIG", td: { mrOwnerConfig: new Uint8Array(48).fill(0x0b) }, wantError: "POLICY_TDX_OWNER_CONFIG" },
    { name: "a non-zero MRCONFIGID", td: { mrConfigId: new Uint8Array(48).fill(0x0c) }, wantError: "POLICY_TDX_OWNER_CONFIG" },
  ])("refuses a TD with $name by default", async ({ td, wantError, refused }) => {
    const evidence = await dcapVerified(await buildScenario({ tee: "tdx", quote: { tdBody: td } }));
    const error = await failure(async () => appraise(evidence, policyWith()));
    expect(error.code).toBe(wantError);
    if (refused) expect(error.details.refused).toEqual(refused);
  });

  it("refuses XFAM bits outside the policy's mask", async () => {
    const evidence = await dcapVerified(await buildScenario({ tee: "tdx", quote: { tdBody: { xfam: le64(0x602e7n | (1n << 19n)) } } }));
    expect(appraise(evidence, policyWith()).verdict.tee).toBe("tdx");
    expect((await failure(async () => appraise(evidence, policyWith({ tdxAllowedXfam: 0x602e7n })))).code).toBe("POLICY_TDX_XFAM");
  });
});

describe("SGX launch parameters (DCAP test signer)", () => {
  it("refuses PROVISIONKEY by default", async () => {
    const attributes = Uint8Array.from([0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0]);
    const evidence = await dcapVerified(await buildScenario({ tee: "sgx", quote: { sgxBody: { attributes } } }));
    expect((evidence.claims as ClaimsByKind["sgx"]).attributes).toBe("0x15");
    const error = await failure(async () => appraise(evidence, policyWith()));
    expect(error).toMatchObject({ code: "POLICY_SGX_ATTRIBUTES", details: { refused: ["PROVISIONKEY"] } });
  });

  it("refuses an ISVSVN below the minimum and accepts one at it", async () => {
    const evidence = await dcapVerified(await buildScenario({ tee: "sgx", quote: { sgxBody: { isvSvn: 4 } } }));
    expect((await failure(async () => appraise(evidence, policyWith({ sgxMinIsvSvn: 5 })))).code).toBe("POLICY_SGX_ISVSVN_BELOW_MINIMUM");
    expect(appraise(evidence, policyWith({ sgxMinIsvSvn: 4 })).verdict.tee).toBe("sgx");
  });
});

// ===== Nitro: results past their own expiry =====

describe("a Nitro document verified after its leaf expired", () => {
  it("is refused with VERIFY_RESULT_EXPIRED 40 days after the leaf's notAfter (test signer)", async () => {
    const pki = await createNitroTestPki();
    const doc = await signNitroDocument(pki);
    const ok = await verifyEvidence(doc, { at: NITRO_TEST_TIME, trustedRoots: pki.trustedRoots });
    expect(ok.tee).toBe("nitro");
    const at = new Date(ok.expiresAt.getTime() + 40 * DAY);
    expect((await failure(() => verifyEvidence(doc, { at, trustedRoots: pki.trustedRoots }))).code).toBe("VERIFY_RESULT_EXPIRED");
  });

  it("is refused for the real dstack document 40 days after its leaf expired", async () => {
    const expected = expectedOf("nitro", "dstack-nitro-doc-a");
    const at = new Date(new Date(expected.validity_window.not_after).getTime() + 40 * DAY);
    const error = await failure(() => verifyEvidence(fixtureBytes("nitro", "dstack-nitro-doc-a", "attestation_doc.cose"), { at }));
    expect(error.code).toBe("VERIFY_RESULT_EXPIRED");
  });
});

// ===== Real vectors stay accepted =====

/** The real vectors the production adapters accept (enarx-steward's SGX quote needs an unsafe QE Identity switch, so it is not one). */
describe("every real vector accepted before stays accepted under the default launch policy", () => {
  it.each([
    ["sgx", "dcapqvl-sgx", "quote.bin"],
    ["tdx", "dcapqvl-tdx", "quote.bin"],
    ["sev-snp", "dstack-milan", "report.bin"],
    ["sev-snp", "go-sev-guest-milan-debug", "report.bin"],
  ] as const)("%s/%s", async (kind, set, file) => {
    const expected = expectedOf(kind, set);
    // No AMD Milan CRL is among the vectors: the SEV-SNP ASKs are checked without one, explicitly.
    const adapters = defaultAdapters({ dangerouslyAllowMissingAmdCrl: kind === "sev-snp" });
    const evidence = await verifyEvidence(fixtureBytes(kind, set, file), {
      at: new Date(expected.verify_at),
      collateral: await directoryCollateral(fixturePath(kind, set)),
      adapters,
    });
    expect(() => checkLaunchPolicy(evidence, defaultLaunchPolicy())).not.toThrow();
    const verdict = appraise(evidence, policyWith({}, { dev: evidence.debug, acceptedTcbStatuses: [evidence.tcb.status] }));
    expect(verdict.verdict.tee).toBe(kind);
  });
});
