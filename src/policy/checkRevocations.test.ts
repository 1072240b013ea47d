import { describe, expect, it } from "vitest";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { checkRevocations, platformEntriesOf, type RevocationState } from "./checkRevocations.ts";

const subject = "0x00000000000000000000000000000000000000aa";
const workloadId = `0x${"11".repeat(32)}` as const;
const chipId = `0x${"ab".repeat(64)}` as const;

describe("platformEntriesOf", () => {
  it("names the FMSPC of Intel evidence and its TEE kind", () => {
    const verified = { tee: "tdx", claims: {}, platform: { fmspc: "00806F050000" } } as unknown as VerifiedEvidence;
    expect(platformEntriesOf(verified)).toEqual([
      { kind: "fmspc", value: "00806f050000" },
      { kind: "tee", value: "tdx" },
    ]);
  });
  it("names the chip id and product line of SEV-SNP evidence", () => {
    const verified = { tee: "sev-snp", claims: { chipId }, platform: { amdProductLine: "Milan" } } as unknown as VerifiedEvidence;
    expect(platformEntriesOf(verified)).toEqual([
      { kind: "amdChipId", value: chipId },
      { kind: "amdProductLine", value: "Milan" },
      { kind: "tee", value: "sev-snp" },
    ]);
  });
});

describe("checkRevocations", () => {
  const none: RevocationState = { subjectRevoked: false, revokedPlatforms: [] };
  const rows: Array<{ name: string; state: RevocationState; wantError?: string; wantMessage?: string }> = [
    { name: "nothing revoked", state: none },
    {
      name: "subject revoked",
      state: { ...none, subjectRevoked: true },
      wantError: "POLICY_SUBJECT_REVOKED",
      wantMessage: `subject ${subject} is revoked in workload ${workloadId} (or in every workload)`,
    },
    {
      name: "FMSPC revoked",
      state: { ...none, revokedPlatforms: [{ kind: "fmspc", value: "00806f050000" }] },
      wantError: "POLICY_FMSPC_REVOKED",
      wantMessage: "FMSPC 00806f050000 is on the revocation list",
    },
    {
      name: "AMD chip revoked",
      state: { ...none, revokedPlatforms: [{ kind: "amdChipId", value: chipId }] },
      wantError: "POLICY_AMD_CHIP_REVOKED",
    },
    {
      name: "AMD product line revoked",
      state: { ...none, revokedPlatforms: [{ kind: "amdProductLine", value: "Genoa" }] },
      wantError: "POLICY_AMD_PRODUCT_LINE_REVOKED",
      wantMessage: "AMD product line Genoa is on the revocation list",
    },
    {
      name: "TEE kind revoked",
      state: { ...none, revokedPlatforms: [{ kind: "tee", value: "sgx" }] },
      wantError: "POLICY_TEE_KIND_REVOKED",
    },
    {
      name: "the subject before the platform",
      state: { subjectRevoked: true, revokedPlatforms: [{ kind: "tee", value: "sgx" }] },
      wantError: "POLICY_SUBJECT_REVOKED",
    },
  ];
  it.each(rows)("$name", ({ state, wantError, wantMessage }) => {
    const run = () => checkRevocations({ subject, workloadId, state });
    if (!wantError) return expect(run).not.toThrow();
    expect(run).toThrow(
      expect.objectContaining({ code: wantError, stage: "policy", ...(wantMessage ? { shortMessage: wantMessage } : {}) }),
    );
  });
});
