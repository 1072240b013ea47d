import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "@keepledger/sdk/internal/errors/index";
import {
  buildScenario,
  defaultLevels,
  signIntelJson,
  tcbInfoValue,
  qeIdentityValue,
  DEFAULT_FMSPC,
  DEFAULT_PCE_ID,
  SCENARIO_AT,
} from "../../../test/support/dcapTestSigner.ts";
import { intelDocumentStamp, type CollateralStamp } from "../../pki/freshness/collateralStamp.ts";
import { selectQeIdentity, selectTcbInfo } from "./selectIntelDocuments.ts";

const d = (s: string) => new Date(`${s}T00:00:00Z`);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (isKeepledgerError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("TCB Info and QE Identity selection with a floor", async () => {
  const s = await buildScenario({ tee: "sgx" });
  const tcbInfo = (number: number, issued: string) =>
    signIntelJson(
      s.pki.tcbSigning,
      "tcbInfo",
      {
        ...tcbInfoValue({ id: "SGX", issueDate: d(issued), nextUpdate: d("2025-06-30"), levels: defaultLevels("sgx") }),
        tcbEvaluationDataNumber: number,
      },
      [s.pki.tcbSigning, s.pki.root],
    );
  const qe = (number: number, issued: string) =>
    signIntelJson(
      s.pki.tcbSigning,
      "enclaveIdentity",
      { ...qeIdentityValue({ id: "QE", issueDate: d(issued), nextUpdate: d("2025-06-30") }), tcbEvaluationDataNumber: number },
      [s.pki.tcbSigning, s.pki.root],
    );
  const t17 = await tcbInfo(17, "2025-05-15");
  const t17later = await tcbInfo(17, "2025-05-25");
  const t18 = await tcbInfo(18, "2025-05-20");
  const set = (...docs: Awaited<ReturnType<typeof tcbInfo>>[]) => ({ certificates: [], crls: [], intelDocuments: docs });
  const floorOf = (stamp: CollateralStamp) => ({ floor: new Map([[stamp.key, stamp]]) });
  const pick = (docs: ReturnType<typeof set>, floor?: ReturnType<typeof floorOf>) =>
    selectTcbInfo(docs, "SGX", DEFAULT_FMSPC, DEFAULT_PCE_ID, SCENARIO_AT, floor);
  const stampOf = (docs: ReturnType<typeof set>) => {
    const chosen = pick(docs);
    return intelDocumentStamp("tcbInfo", chosen.value, chosen.bodyHash);
  };

  it("takes the newest evaluation, then the latest issue, of what it is given", () => {
    expect(pick(set(t17, t18, t17later)).value.tcbEvaluationDataNumber).toBe(18);
    expect(pick(set(t17, t17later)).value.issueDate).toEqual(d("2025-05-25"));
  });

  it("refuses the newest it is given when the floor holds a newer one", () => {
    expect(codeOf(() => pick(set(t17, t17later), floorOf(stampOf(set(t18)))))).toBe("DCAP_TCB_INFO_STALE");
    expect(codeOf(() => pick(set(t17), floorOf(stampOf(set(t17later)))))).toBe("DCAP_TCB_INFO_STALE");
    expect(pick(set(t17, t18), floorOf(stampOf(set(t18)))).value.tcbEvaluationDataNumber).toBe(18);
  });

  it("refuses a QE Identity below the floor", async () => {
    const q17 = await qe(17, "2025-05-15");
    const q18 = await qe(18, "2025-05-20");
    const chosen = selectQeIdentity(set(q18), "QE", SCENARIO_AT)!;
    const floor = floorOf(intelDocumentStamp("qeIdentity", chosen.value, chosen.bodyHash));
    expect(codeOf(() => selectQeIdentity(set(q17), "QE", SCENARIO_AT, floor))).toBe("DCAP_QE_IDENTITY_STALE");
    expect(selectQeIdentity(set(q17, q18), "QE", SCENARIO_AT, floor)?.value.tcbEvaluationDataNumber).toBe(18);
  });

  it("refuses a TCB Info issued longer ago than maxCollateralAgeSeconds", () => {
    expect(
      codeOf(() => selectTcbInfo(set(t17), "SGX", DEFAULT_FMSPC, DEFAULT_PCE_ID, SCENARIO_AT, { maxCollateralAgeSeconds: 7 * 86_400 })),
    ).toBe("COLLATERAL_TOO_OLD");
    expect(
      selectTcbInfo(set(t17later), "SGX", DEFAULT_FMSPC, DEFAULT_PCE_ID, SCENARIO_AT, { maxCollateralAgeSeconds: 7 * 86_400 }).value
        .tcbEvaluationDataNumber,
    ).toBe(17);
  });
});
