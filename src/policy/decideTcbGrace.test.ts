import { describe, expect, it } from "vitest";
import { decideTcbGrace, type DecideTcbGraceInput } from "./decideTcbGrace.ts";

const base: DecideTcbGraceInput = {
  evaluationDataNumber: 17,
  status: "UpToDate",
  newest: { evaluationDataNumber: 18, issueDate: 1_000, status: "OutOfDate" },
  policy: { acceptedTcbStatuses: ["UpToDate"], tcbGracePeriod: 3_600 },
  now: 2_000,
};

describe("decideTcbGrace", () => {
  it.each<{ name: string; input: DecideTcbGraceInput; want: "grace" | "refused" | "unaffected" }>([
    { name: "inside the grace period", input: base, want: "grace" },
    { name: "the last second of the grace period", input: { ...base, now: 4_599 }, want: "grace" },
    { name: "the grace period's end", input: { ...base, now: 4_600 }, want: "refused" },
    { name: "no grace period", input: { ...base, policy: { ...base.policy, tcbGracePeriod: 0 } }, want: "refused" },
    { name: "the newest TCB Info is the evidence's", input: { ...base, evaluationDataNumber: 18, now: 99_999 }, want: "unaffected" },
    {
      name: "the policy accepts the new status",
      input: { ...base, policy: { ...base.policy, acceptedTcbStatuses: ["UpToDate", "OutOfDate"] }, now: 99_999 },
      want: "unaffected",
    },
    {
      name: "the new TCB Info fails the evidence (a code as status)",
      input: { ...base, newest: { ...base.newest, status: "DCAP_TCB_NOT_FOUND" }, now: 99_999 },
      want: "refused",
    },
  ])("$name: $want", ({ input, want }) => {
    expect(decideTcbGrace(input).decision).toBe(want);
  });

  it("gives the notice a validator shows, and refuses with NODE_TCB_DOWNGRADED and its message", () => {
    expect(decideTcbGrace(base)).toEqual({
      decision: "grace",
      notice: { newStatus: "OutOfDate", graceEndsAt: 4_600, evaluationDataNumber: 18 },
    });
    const r = decideTcbGrace({ ...base, now: 5_000, fmspc: "00906ed50000" });
    if (r.decision !== "refused") throw new Error("not refused");
    expect(r.error.code).toBe("NODE_TCB_DOWNGRADED");
    expect(r.error.stage).toBe("policy");
    expect(r.error.shortMessage ?? r.error.message).toContain("TCB Info 18 puts this platform at OutOfDate, and the grace period ended");
    expect(r.error.details).toEqual({
      fmspc: "00906ed50000",
      status: "UpToDate",
      newStatus: "OutOfDate",
      tcbEvaluationDataNumber: 17,
      newTcbEvaluationDataNumber: 18,
      graceEndsAt: 4_600,
    });
  });
});
