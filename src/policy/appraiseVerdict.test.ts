import { describe, expect, it } from "vitest";
import type { Hex } from "@keepledger/sdk/internal/util/bytes";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { appraiseVerdict, type AppraiseVerdictOptions, type EvidenceBinding } from "./appraiseVerdict.ts";
import { defaultLaunchPolicy, type ApprovedMeasurement, type WorkloadPolicy } from "./types.ts";

const h = (byte: string, n: number): Hex => `0x${byte.repeat(n)}`;
const BINDING = h("ab", 32);
const NOW = 1_751_328_000; // 2025-07-01T00:00:00Z

const sgxEvidence = (over: Partial<VerifiedEvidence<"sgx">> = {}): VerifiedEvidence<"sgx"> => ({
  ok: true,
  tee: "sgx",
  claims: {
    mrenclave: h("11", 32),
    mrsigner: h("22", 32),
    isvProdId: 3,
    isvSvn: 5,
    reportData: `0x${"ab".repeat(32)}${"00".repeat(32)}`,
    attributes: "0x5",
    xfrm: "0xe7",
  },
  tcb: { status: "UpToDate", advisoryIds: [] },
  debug: false,
  evidenceHash: h("e1", 32),
  collateralHash: h("c1", 32),
  expiresAt: new Date((NOW + 30 * 86400) * 1000),
  verifiedAt: new Date(NOW * 1000),
  platform: { fmspc: "00606a000000" },
  ...over,
});

const sgxByEnclave: ApprovedMeasurement = {
  hash: h("a1", 32),
  tee: "sgx",
  version: 1,
  revoked: false,
  value: `0x${"11".repeat(32)}${"00".repeat(36)}`,
};
const sgxBySigner = (minSvn: number, version = 2): ApprovedMeasurement => ({
  hash: h("a2", 32),
  tee: "sgx",
  version,
  revoked: false,
  value: `0x${"00".repeat(32)}${"22".repeat(32)}0003${minSvn.toString(16).padStart(4, "0")}`,
});

const policy = (over: Partial<WorkloadPolicy> = {}): WorkloadPolicy => ({
  allowedTees: ["sgx", "tdx", "sev-snp", "nitro"],
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

const bound: EvidenceBinding = {
  kind: "bound",
  subject: h("5a", 20),
  bindingHash: BINDING,
  freshnessBlock: { number: 42, timestamp: NOW - 60 },
};

function run(over: Partial<AppraiseVerdictOptions> = {}) {
  return appraiseVerdict({
    workloadId: h("77", 32),
    evidence: sgxEvidence(),
    policy: policy(),
    measurements: [sgxByEnclave],
    binding: bound,
    now: NOW,
    ...over,
  });
}

describe("appraiseVerdict", () => {
  it("turns verified, bound, approved evidence into the verdict to sign", () => {
    const r = run();
    expect(r.verdict).toEqual({
      workloadId: h("77", 32),
      measurementHash: sgxByEnclave.hash,
      tee: "sgx",
      tcbStatus: "UpToDate",
      subject: h("5a", 20),
      evidenceHash: h("e1", 32),
      collateralHash: h("c1", 32),
      issuedAt: NOW,
      expiresAt: NOW + 7 * 86400,
      freshnessBlock: 42,
    });
    expect(r.insecure).toBe(false);
  });

  it("caps expiry at the evidence's own expiry", () => {
    const r = run({ evidence: sgxEvidence({ expiresAt: new Date((NOW + 100) * 1000) }) });
    expect(r.verdict.expiresAt).toBe(NOW + 100);
  });

  it("matches signer-based SGX measurements by product and minimum SVN, preferring the highest live version", () => {
    expect(run({ measurements: [sgxBySigner(5)] }).measurement.version).toBe(2);
    expect(run({ measurements: [sgxBySigner(4, 2), { ...sgxBySigner(5, 3), hash: h("a3", 32) }] }).measurement.version).toBe(3);
  });

  const table: Array<{ name: string; over: Partial<AppraiseVerdictOptions>; wantError: string }> = [
    { name: "TEE kind not allowed", over: { policy: policy({ allowedTees: ["tdx"] }) }, wantError: "POLICY_TEE_NOT_ALLOWED" },
    {
      name: "debug TEE under a production policy",
      over: { evidence: sgxEvidence({ debug: true }) },
      wantError: "POLICY_DEBUG_NOT_ALLOWED",
    },
    { name: "unknown measurement", over: { measurements: [] }, wantError: "POLICY_MEASUREMENT_NOT_APPROVED" },
    { name: "SVN below the minimum", over: { measurements: [sgxBySigner(6)] }, wantError: "POLICY_MEASUREMENT_NOT_APPROVED" },
    { name: "revoked measurement", over: { measurements: [{ ...sgxByEnclave, revoked: true }] }, wantError: "POLICY_MEASUREMENT_REVOKED" },
    {
      name: "OutOfDate TCB",
      over: { evidence: sgxEvidence({ tcb: { status: "OutOfDate", advisoryIds: ["INTEL-SA-00289"] } }) },
      wantError: "POLICY_TCB_STATUS_NOT_ACCEPTED",
    },
    {
      name: "denied advisory",
      over: {
        evidence: sgxEvidence({ tcb: { status: "SWHardeningNeeded", advisoryIds: ["INTEL-SA-00615"] } }),
        policy: policy({ acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded"], deniedAdvisories: ["INTEL-SA-00615"] }),
      },
      wantError: "POLICY_ADVISORY_DENIED",
    },
    { name: "denied FMSPC", over: { policy: policy({ deniedFmspcs: ["00606a000000"] }) }, wantError: "POLICY_FMSPC_DENIED" },
    {
      name: "denied AMD product line",
      over: { evidence: sgxEvidence({ platform: { amdProductLine: "Genoa" } }), policy: policy({ deniedAmdProductLines: ["Genoa"] }) },
      wantError: "POLICY_AMD_PRODUCT_DENIED",
    },
    {
      name: "report data binds another key",
      over: { binding: { ...bound, bindingHash: h("cd", 32) } as EvidenceBinding },
      wantError: "POLICY_BINDING_MISMATCH",
    },
    {
      name: "binding hash right but upper half not zero",
      over: { evidence: sgxEvidence({ claims: { ...sgxEvidence().claims, reportData: `0x${"ab".repeat(32)}${"01".repeat(32)}` } }) },
      wantError: "POLICY_BINDING_MISMATCH",
    },
    {
      name: "bound block older than the maximum age",
      over: { binding: { ...bound, freshnessBlock: { number: 1, timestamp: NOW - 3601 } } as EvidenceBinding },
      wantError: "POLICY_EVIDENCE_TOO_OLD",
    },
    {
      name: "unbound evidence under a production policy",
      over: { binding: { kind: "unbound", subject: h("99", 20) } },
      wantError: "POLICY_BINDING_REQUIRED",
    },
    {
      name: "collateral already expired",
      over: { evidence: sgxEvidence({ expiresAt: new Date(NOW * 1000) }) },
      wantError: "POLICY_VERDICT_WOULD_EXPIRE",
    },
  ];
  it.each(table)("refuses: $name", ({ over, wantError }) => {
    expect(() => run(over)).toThrow(expect.objectContaining({ code: wantError, stage: "policy" }));
  });

  it("accepts unbound debug evidence only under a dev policy, with the pseudo-subject and no freshness block", () => {
    const r = run({
      evidence: sgxEvidence({ debug: true }),
      policy: policy({ dev: true, allowUnboundEvidence: true }),
      binding: { kind: "unbound", subject: h("99", 20) },
    });
    expect(r.insecure).toBe(true);
    expect(r.verdict.subject).toBe(h("99", 20));
    expect(r.verdict.freshnessBlock).toBe(0);
  });

  it("reads the Nitro binding from user_data", () => {
    const nitro: VerifiedEvidence<"nitro"> = {
      ...sgxEvidence(),
      tee: "nitro",
      claims: {
        pcr0: h("01", 48),
        pcr1: h("02", 48),
        pcr2: h("03", 48),
        moduleId: "i-1",
        timestamp: NOW * 1000,
        publicKey: null,
        userData: BINDING,
        nonce: null,
      },
      tcb: { status: "NotApplicable", advisoryIds: [] },
      platform: {},
    };
    const m: ApprovedMeasurement = {
      hash: h("b1", 32),
      tee: "nitro",
      version: 1,
      revoked: false,
      value: `0x${"01".repeat(48)}${"02".repeat(48)}${"03".repeat(48)}`,
    };
    expect(run({ evidence: nitro, measurements: [m] }).verdict.tee).toBe("nitro");
    expect(() => run({ evidence: { ...nitro, claims: { ...nitro.claims, userData: null } }, measurements: [m] })).toThrow(
      expect.objectContaining({ code: "POLICY_BINDING_MISMATCH" }),
    );
  });
});
