import { recoverTypedDataAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import { amdProductLineMask, tcbStatusCode, tcbStatusesOfMask, tcbStatusFromCode, tcbStatusMask, teeKindCode, teeKindFromCode, teeKindMask, teeKindsOfMask, loggingProfileCode, loggingProfileFromCode } from "./enums.ts";
import { keepledgerDomain, normalizeVerdict, unboundSubject, verdictDigest, verdictId, verdictTypedData, type Verdict } from "./verdict.ts";

const verdict: Verdict = {
  workloadId: `0x${"01".repeat(32)}`,
  measurementHash: `0x${"02".repeat(32)}`,
  tee: 1,
  tcbStatus: 1,
  subject: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
  evidenceHash: `0x${"03".repeat(32)}`,
  collateralHash: `0x${"04".repeat(32)}`,
  issuedAt: 1_767_225_600n,
  expiresAt: 1_767_830_400n,
  freshnessBlock: 99n,
};
const domain = keepledgerDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

describe("verdicts", () => {
  it("a validator's EIP-712 signature recovers to the validator", async () => {
    const validator = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    const signature = await validator.signTypedData(verdictTypedData(verdict, domain));
    expect(await recoverTypedDataAddress({ ...verdictTypedData(verdict, domain), signature })).toBe(validator.address);
  });

  it("the id ignores the domain, the digest does not", () => {
    const other = keepledgerDomain(1, domain.verifyingContract);
    expect(verdictDigest(verdict, other)).not.toBe(verdictDigest(verdict, domain));
    expect(verdictId({ ...verdict, subject: verdict.subject.toLowerCase() as Hex })).toBe(verdictId(verdict));
  });

  it("unbound pseudo-subjects differ per evidence", () => {
    expect(unboundSubject(`0x${"00".repeat(32)}`)).not.toBe(unboundSubject(`0x${"01".repeat(32)}`));
  });

  const errors: { name: string; input: Verdict; wantError: string; wantMessage: string }[] = [
    { name: "tee above uint8", input: { ...verdict, tee: 256 }, wantError: "IDS_FIELD_RANGE", wantMessage: "tee must be an integer in 0..2^8-1 (tee)" },
    { name: "negative issuedAt", input: { ...verdict, issuedAt: -1n }, wantError: "IDS_FIELD_RANGE", wantMessage: "issuedAt must be an integer in 0..2^64-1 (issuedAt)" },
    { name: "freshnessBlock above uint64", input: { ...verdict, freshnessBlock: 1n << 64n }, wantError: "IDS_FIELD_RANGE", wantMessage: "freshnessBlock must be an integer in 0..2^64-1 (freshnessBlock)" },
    { name: "short evidence hash", input: { ...verdict, evidenceHash: "0x00" }, wantError: "IDS_FIELD_LENGTH", wantMessage: "evidenceHash must be 32 bytes, got 1 (evidenceHash)" },
    { name: "subject not hex", input: { ...verdict, subject: "0xnope" as Hex }, wantError: "IDS_NOT_HEX", wantMessage: "subject is not 0x-prefixed hex of whole bytes (subject)" },
  ];
  it.each(errors)("rejects $name", ({ input, wantError, wantMessage }) => {
    try {
      normalizeVerdict(input);
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && e.code).toBe(wantError);
      expect((e as Error).message).toBe(wantMessage);
    }
  });
});

describe("enums", () => {
  it("map names to the contract codes and back", () => {
    expect(teeKindCode("sev-snp")).toBe(3);
    expect(teeKindFromCode(4)).toBe("nitro");
    expect(tcbStatusCode("NotApplicable")).toBe(8);
    expect(tcbStatusFromCode(7)).toBe("Revoked");
    expect(loggingProfileCode("staging")).toBe(1);
    expect(loggingProfileFromCode(2)).toBe("debug");
  });

  it("build the policy masks of the contracts", () => {
    expect(teeKindMask(["sgx", "tdx", "sev-snp", "nitro"])).toBe(0x1e);
    expect(teeKindsOfMask(0x22)).toEqual(["sgx", "debug"]);
    expect(tcbStatusMask(["UpToDate", "NotApplicable"])).toBe(0x102);
    expect(tcbStatusesOfMask(0x102)).toEqual(["UpToDate", "NotApplicable"]);
    expect(amdProductLineMask(["Milan", "Turin"])).toBe(5);
  });

  const errors: { name: string; run: () => unknown; wantError: string; wantMessage: string }[] = [
    { name: "TEE code 0", run: () => teeKindFromCode(0), wantError: "IDS_UNKNOWN_TEE_KIND", wantMessage: "unknown TEE kind code 0" },
    { name: "TEE code 6", run: () => teeKindFromCode(6), wantError: "IDS_UNKNOWN_TEE_KIND", wantMessage: "unknown TEE kind code 6" },
    { name: "TCB code 0", run: () => tcbStatusFromCode(0), wantError: "IDS_UNKNOWN_TCB_STATUS", wantMessage: "unknown TCB status code 0" },
    { name: "TCB name", run: () => tcbStatusCode("Fine" as never), wantError: "IDS_UNKNOWN_TCB_STATUS", wantMessage: 'unknown TCB status "Fine"' },
    { name: "profile code 3", run: () => loggingProfileFromCode(3), wantError: "IDS_UNKNOWN_LOGGING_PROFILE", wantMessage: "unknown logging profile code 3" },
    { name: "AMD line", run: () => amdProductLineMask(["Naples" as never]), wantError: "IDS_UNKNOWN_AMD_PRODUCT_LINE", wantMessage: 'unknown AMD product line "Naples"' },
  ];
  it.each(errors)("reject $name", ({ run, wantError, wantMessage }) => {
    try {
      run();
      expect.unreachable();
    } catch (e) {
      expect(isKeepledgerError(e) && e.code).toBe(wantError);
      expect((e as Error).message).toBe(wantMessage);
    }
  });
});
