import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { concatBytes, fromHex, type Hex } from "@keepledger/sdk/internal/util/bytes";
import { keccak256Hex } from "@keepledger/sdk/internal/util/keccak256";
import type { ClaimsByKind, SnpTcbClaim, VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { checkLaunchPolicy } from "./checkLaunchPolicy.ts";
import { defaultLaunchPolicy, type LaunchPolicy } from "./types.ts";

const h = (byte: string, n: number): Hex => `0x${byte.repeat(n)}`;
const Z48 = h("00", 48);

function evidence<K extends "sgx" | "tdx" | "sev-snp">(
  tee: K,
  claims: ClaimsByKind[K],
  platform: VerifiedEvidence["platform"] = {},
): VerifiedEvidence {
  return {
    ok: true,
    tee,
    claims,
    tcb: { status: "UpToDate", advisoryIds: [] },
    debug: false,
    evidenceHash: h("e1", 32),
    collateralHash: h("c1", 32),
    expiresAt: new Date(Date.UTC(2030, 0, 1)),
    verifiedAt: new Date(Date.UTC(2025, 6, 1)),
    platform,
  } as VerifiedEvidence;
}

const tcb = (snp: number, over: Partial<SnpTcbClaim> = {}): SnpTcbClaim => ({
  raw: h("00", 8),
  bootloader: 4,
  tee: 0,
  snp,
  microcode: 213,
  ...over,
});

/** The dstack Milan report's launch facts (test/fixtures/sev-snp/dstack-milan): VMPL 0, SMT on, no migration agent, SNP SPL 23. */
const snp = (over: Partial<ClaimsByKind["sev-snp"]> = {}, productLine = "Milan") =>
  evidence(
    "sev-snp",
    {
      measurement: h("7f", 48),
      hostData: h("78", 32),
      reportData: h("00", 64),
      chipId: h("38", 64),
      policy: "0x30000",
      reportedTcb: h("00", 8),
      vmpl: 0,
      guestPolicy: { smt: true, migrateMa: false, debug: false, singleSocket: false },
      tcb: { reported: tcb(23), committed: tcb(24), current: tcb(24), launch: tcb(24) },
      ...over,
    },
    { amdProductLine: productLine },
  );

/** dcap-qvl's TDX quote (test/fixtures/tdx/dcapqvl-tdx): SEPT_VE_DISABLE, owner fields zero. */
const tdx = (over: Partial<ClaimsByKind["tdx"]> = {}) =>
  evidence("tdx", {
    mrtd: Z48,
    rtmr0: Z48,
    rtmr1: Z48,
    rtmr2: Z48,
    rtmr3: Z48,
    mrConfigId: Z48,
    mrOwner: Z48,
    mrOwnerConfig: Z48,
    xfam: "0x602e7",
    tdAttributes: "0x10000000",
    reportData: h("00", 64),
    ...over,
  });

/** dcap-qvl's SGX quote (test/fixtures/sgx/dcapqvl-sgx): INIT | MODE64BIT, ISVSVN 0. */
const sgx = (over: Partial<ClaimsByKind["sgx"]> = {}) =>
  evidence("sgx", {
    mrenclave: h("11", 32),
    mrsigner: h("22", 32),
    isvProdId: 0,
    isvSvn: 0,
    reportData: h("00", 64),
    attributes: "0x5",
    xfrm: "0xe7",
    ...over,
  });

const launch = (over: Partial<LaunchPolicy> = {}): LaunchPolicy => ({ ...defaultLaunchPolicy(), ...over });

const ownerDigest = keccak256Hex(concatBytes(fromHex(h("01", 48)), fromHex(h("02", 48)), fromHex(h("03", 48))));

interface Case {
  name: string;
  input: { evidence: VerifiedEvidence; launch: LaunchPolicy };
  wantError: string | null;
  wantDetails?: Record<string, unknown>;
}

const cases: Case[] = [
  // SEV-SNP
  { name: "snp: the real Milan launch under the default policy", input: { evidence: snp(), launch: launch() }, wantError: null },
  {
    name: "snp: VMPL 1 by default",
    input: { evidence: snp({ vmpl: 1 }), launch: launch() },
    wantError: "POLICY_SNP_VMPL_NOT_ALLOWED",
    wantDetails: { got: 1, allowed: [0] },
  },
  { name: "snp: VMPL 1 when allowed", input: { evidence: snp({ vmpl: 1 }), launch: launch({ snpAllowedVmpls: [0, 1] }) }, wantError: null },
  {
    name: "snp: MIGRATE_MA by default",
    input: { evidence: snp({ guestPolicy: { smt: true, migrateMa: true, debug: false, singleSocket: false } }), launch: launch() },
    wantError: "POLICY_SNP_MIGRATE_MA",
  },
  {
    name: "snp: MIGRATE_MA when allowed",
    input: {
      evidence: snp({ guestPolicy: { smt: true, migrateMa: true, debug: false, singleSocket: false } }),
      launch: launch({ snpAllowMigrateMa: true }),
    },
    wantError: null,
  },
  {
    name: "snp: SMT allowed when the policy requires it off",
    input: { evidence: snp(), launch: launch({ snpRequireSmtOff: true }) },
    wantError: "POLICY_SNP_SMT_ALLOWED",
  },
  {
    name: "snp: SMT off when the policy requires it off",
    input: {
      evidence: snp({ guestPolicy: { smt: false, migrateMa: false, debug: false, singleSocket: false } }),
      launch: launch({ snpRequireSmtOff: true }),
    },
    wantError: null,
  },
  {
    name: "snp: SNP SPL 23 below a Milan minimum of 24",
    input: { evidence: snp(), launch: launch({ minSnpTcb: { Milan: { bootloader: 4, tee: 0, snp: 24, microcode: 213 } } }) },
    wantError: "POLICY_SNP_TCB_BELOW_MINIMUM",
    wantDetails: { component: "snp", got: 23, min: 24, productLine: "Milan" },
  },
  {
    name: "snp: microcode below the minimum names the microcode",
    input: { evidence: snp(), launch: launch({ minSnpTcb: { Milan: { bootloader: 0, tee: 0, snp: 0, microcode: 214 } } }) },
    wantError: "POLICY_SNP_TCB_BELOW_MINIMUM",
    wantDetails: { component: "microcode", got: 213, min: 214 },
  },
  {
    name: "snp: at the minimum",
    input: { evidence: snp(), launch: launch({ minSnpTcb: { Milan: { bootloader: 4, tee: 0, snp: 23, microcode: 213 } } }) },
    wantError: null,
  },
  {
    name: "snp: a minimum for another product line does not apply",
    input: { evidence: snp(), launch: launch({ minSnpTcb: { Genoa: { bootloader: 9, tee: 9, snp: 99, microcode: 255 } } }) },
    wantError: null,
  },
  {
    name: "snp: Turin FMC below the minimum",
    input: {
      evidence: snp({ tcb: { reported: tcb(3, { fmc: 1 }), committed: tcb(3), current: tcb(3), launch: tcb(3) } }, "Turin"),
      launch: launch({ minSnpTcb: { Turin: { bootloader: 0, tee: 0, snp: 0, microcode: 0, fmc: 2 } } }),
    },
    wantError: "POLICY_SNP_TCB_BELOW_MINIMUM",
    wantDetails: { component: "fmc", got: 1, min: 2, productLine: "Turin" },
  },
  {
    name: "snp: a minimum while the product line is unknown",
    input: { evidence: snp({}, "Unknown"), launch: launch({ minSnpTcb: { Milan: { bootloader: 0, tee: 0, snp: 0, microcode: 0 } } }) },
    wantError: "POLICY_SNP_TCB_BELOW_MINIMUM",
  },
  // TDX
  { name: "tdx: SEPT_VE_DISABLE under the default policy", input: { evidence: tdx(), launch: launch() }, wantError: null },
  {
    name: "tdx: PKS under the default policy (oasis-tdx)",
    input: { evidence: tdx({ tdAttributes: "0x40000000" }), launch: launch() },
    wantError: null,
  },
  { name: "tdx: DEBUG is left to dev", input: { evidence: tdx({ tdAttributes: "0x10000001" }), launch: launch() }, wantError: null },
  {
    name: "tdx: MIGRATABLE by default",
    input: { evidence: tdx({ tdAttributes: "0x30000000" }), launch: launch() },
    wantError: "POLICY_TDX_TD_ATTRIBUTES",
    wantDetails: { refused: ["MIGRATABLE"] },
  },
  {
    name: "tdx: PERFMON by default",
    input: { evidence: tdx({ tdAttributes: "0x8000000010000000" }), launch: launch() },
    wantError: "POLICY_TDX_TD_ATTRIBUTES",
    wantDetails: { refused: ["PERFMON"] },
  },
  {
    name: "tdx: PERFMON when allowed",
    input: { evidence: tdx({ tdAttributes: "0x8000000010000000" }), launch: launch({ tdxAllowedTdAttributes: (1n << 63n) | (1n << 28n) }) },
    wantError: null,
  },
  {
    name: "tdx: XFAM outside the allowed mask",
    input: { evidence: tdx(), launch: launch({ tdxAllowedXfam: 0x3n }) },
    wantError: "POLICY_TDX_XFAM",
    wantDetails: { refused: "0x602e4" },
  },
  {
    name: "tdx: a non-zero MROWNER by default",
    input: { evidence: tdx({ mrOwner: h("02", 48) }), launch: launch() },
    wantError: "POLICY_TDX_OWNER_CONFIG",
    wantDetails: { field: "MROWNER" },
  },
  {
    name: "tdx: a non-zero MRCONFIGID by default",
    input: { evidence: tdx({ mrConfigId: h("01", 48) }), launch: launch() },
    wantError: "POLICY_TDX_OWNER_CONFIG",
    wantDetails: { field: "MRCONFIGID" },
  },
  {
    name: "tdx: owner config matching the policy's digest",
    input: {
      evidence: tdx({ mrConfigId: h("01", 48), mrOwner: h("02", 48), mrOwnerConfig: h("03", 48) }),
      launch: launch({ tdxOwnerConfigDigest: ownerDigest }),
    },
    wantError: null,
  },
  {
    name: "tdx: owner config not matching the policy's digest",
    input: {
      evidence: tdx({ mrConfigId: h("01", 48), mrOwner: h("02", 48), mrOwnerConfig: h("04", 48) }),
      launch: launch({ tdxOwnerConfigDigest: ownerDigest }),
    },
    wantError: "POLICY_TDX_OWNER_CONFIG",
  },
  {
    name: "tdx: all-zero owner fields when the policy names a digest",
    input: { evidence: tdx(), launch: launch({ tdxOwnerConfigDigest: ownerDigest }) },
    wantError: "POLICY_TDX_OWNER_CONFIG",
  },
  // SGX
  { name: "sgx: INIT | MODE64BIT under the default policy", input: { evidence: sgx(), launch: launch() }, wantError: null },
  { name: "sgx: DEBUG is left to dev", input: { evidence: sgx({ attributes: "0x7" }), launch: launch() }, wantError: null },
  {
    name: "sgx: PROVISIONKEY by default",
    input: { evidence: sgx({ attributes: "0x15" }), launch: launch() },
    wantError: "POLICY_SGX_ATTRIBUTES",
    wantDetails: { refused: ["PROVISIONKEY"] },
  },
  {
    name: "sgx: PROVISIONKEY when allowed",
    input: { evidence: sgx({ attributes: "0x15" }), launch: launch({ sgxAllowedAttributes: 0x15n }) },
    wantError: null,
  },
  {
    name: "sgx: ISVSVN below the minimum",
    input: { evidence: sgx({ isvSvn: 2 }), launch: launch({ sgxMinIsvSvn: 3 }) },
    wantError: "POLICY_SGX_ISVSVN_BELOW_MINIMUM",
    wantDetails: { got: 2, min: 3 },
  },
  { name: "sgx: ISVSVN at the minimum", input: { evidence: sgx({ isvSvn: 3 }), launch: launch({ sgxMinIsvSvn: 3 }) }, wantError: null },
];

describe("checkLaunchPolicy", () => {
  it.each(cases)("$name", ({ input, wantError, wantDetails }) => {
    let error: unknown;
    try {
      checkLaunchPolicy(input.evidence, input.launch);
    } catch (e) {
      error = e;
    }
    if (wantError === null) {
      expect(error).toBeUndefined();
      return;
    }
    expect(isKeepledgerError(error) && error.stage).toBe("policy");
    expect(isKeepledgerError(error) && error.code).toBe(wantError);
    if (wantDetails) expect(isKeepledgerError(error) && error.details).toMatchObject(wantDetails);
  });

  it("pins the messages users read", () => {
    const message = (e: VerifiedEvidence, l: LaunchPolicy): string => {
      try {
        checkLaunchPolicy(e, l);
      } catch (error) {
        return isKeepledgerError(error) ? error.shortMessage : String(error);
      }
      return "accepted";
    };
    expect(message(snp(), launch({ minSnpTcb: { Milan: { bootloader: 4, tee: 0, snp: 24, microcode: 213 } } }))).toBe(
      "REPORTED_TCB snp SPL 23 is below the Milan minimum 24",
    );
    expect(message(snp({ vmpl: 2 }), launch())).toBe("the report comes from VMPL 2, the policy allows VMPL 0");
    expect(message(tdx({ tdAttributes: "0x8000000030000000" }), launch())).toBe(
      "TD_ATTRIBUTES has bits the policy does not allow: MIGRATABLE, PERFMON",
    );
    expect(message(sgx({ attributes: "0x15" }), launch())).toBe("ATTRIBUTES.FLAGS has bits the policy does not allow: PROVISIONKEY");
  });
});
