import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import {
  amdProductLineMask,
  tcbStatusCode,
  tcbStatusesOfMask,
  tcbStatusFromCode,
  tcbStatusMask,
  teeKindCode,
  teeKindFromCode,
  teeKindMask,
  teeKindsOfMask,
  loggingProfileCode,
  loggingProfileFromCode,
} from "./enums.ts";

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
    { name: "TEE code 10", run: () => teeKindFromCode(10), wantError: "IDS_UNKNOWN_TEE_KIND", wantMessage: "unknown TEE kind code 10" },
    { name: "TCB code 0", run: () => tcbStatusFromCode(0), wantError: "IDS_UNKNOWN_TCB_STATUS", wantMessage: "unknown TCB status code 0" },
    {
      name: "TCB name",
      run: () => tcbStatusCode("Fine" as never),
      wantError: "IDS_UNKNOWN_TCB_STATUS",
      wantMessage: 'unknown TCB status "Fine"',
    },
    {
      name: "profile code 3",
      run: () => loggingProfileFromCode(3),
      wantError: "IDS_UNKNOWN_LOGGING_PROFILE",
      wantMessage: "unknown logging profile code 3",
    },
    {
      name: "AMD line",
      run: () => amdProductLineMask(["Naples" as never]),
      wantError: "IDS_UNKNOWN_AMD_PRODUCT_LINE",
      wantMessage: 'unknown AMD product line "Naples"',
    },
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
