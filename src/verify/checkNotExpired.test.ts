import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import type { VerifiedEvidence } from "@keepledger/sdk/internal/tee/types";
import { checkNotExpired } from "./verifyEvidence.ts";

const AT = new Date("2025-07-01T00:00:00Z");

const result = (tee: VerifiedEvidence["tee"], expiresAt: Date): VerifiedEvidence =>
  ({
    ok: true,
    tee,
    claims: {},
    tcb: { status: "NotApplicable", advisoryIds: [] },
    debug: false,
    evidenceHash: `0x${"00".repeat(32)}`,
    collateralHash: `0x${"00".repeat(32)}`,
    expiresAt,
    verifiedAt: AT,
    platform: {},
  }) as unknown as VerifiedEvidence;

describe("checkNotExpired: no kind returns a result that has already lapsed", () => {
  const table: Array<{ name: string; input: VerifiedEvidence; wantError: string | null }> = [
    ...(["sgx", "tdx", "sev-snp", "nitro", "debug"] as const).flatMap((tee) => [
      { name: `${tee}: expiring after the verification time`, input: result(tee, new Date(AT.getTime() + 1_000)), wantError: null },
      { name: `${tee}: expiring at the verification time`, input: result(tee, AT), wantError: null },
      { name: `${tee}: expired a millisecond before`, input: result(tee, new Date(AT.getTime() - 1)), wantError: "VERIFY_RESULT_EXPIRED" },
      {
        name: `${tee}: expired 40 days before`,
        input: result(tee, new Date(AT.getTime() - 40 * 86_400_000)),
        wantError: "VERIFY_RESULT_EXPIRED",
      },
    ]),
    { name: "an invalid expiry", input: result("nitro", new Date(Number.NaN)), wantError: "VERIFY_RESULT_EXPIRED" },
  ];

  it.each(table)("$name", ({ input, wantError }) => {
    let error: unknown;
    try {
      checkNotExpired(input, AT);
    } catch (e) {
      error = e;
    }
    if (wantError === null) expect(error).toBeUndefined();
    else
      expect(isKeepledgerError(error) && { code: error.code, stage: error.stage, tee: error.details.tee }).toEqual({
        code: wantError,
        stage: "verification",
        tee: input.tee,
      });
  });
});
