import { describe, expect, it } from "vitest";
import { PolicyError } from "@keepledger/sdk/internal/errors/index";
import { redactLogFields, redactLogMessage, scrubText } from "./redactLogFields.ts";

const reportData = `0x${"ab".repeat(64)}`;
const evidenceHash = `0x${"cd".repeat(32)}`;
const subject = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf";
const bindingError = new PolicyError("POLICY_BINDING_MISMATCH", "the evidence does not bind this key, chain, registry and block", {
  details: { want: evidenceHash, got: reportData, claims: { reportData } },
});

describe("logging profiles", () => {
  const line = {
    verdictId: evidenceHash,
    subject,
    tee: "tdx",
    durationMs: 12,
    evidence: new Uint8Array(300),
    reportData,
    publicKey: `0x04${"11".repeat(64)}`,
    claims: { mrtd: "0x00" },
    err: bindingError,
  };

  it("production keeps ids, addresses, codes and numbers, and nothing else", () => {
    expect(redactLogFields("production", line)).toEqual({
      verdictId: evidenceHash,
      subject,
      tee: "tdx",
      durationMs: 12,
      err: { code: "POLICY_BINDING_MISMATCH", stage: "policy" },
    });
  });

  it("production drops an allowed field whose value has the wrong form (report data under an id's name)", () => {
    expect(
      redactLogFields("production", { verdictId: reportData, subject: `0x04${"11".repeat(64)}`, code: "a message with spaces" }),
    ).toEqual({});
  });

  it("staging adds the structured error, without report data", () => {
    const out = redactLogFields("staging", line);
    expect(out.err).toEqual({
      code: "POLICY_BINDING_MISMATCH",
      stage: "policy",
      message: "the evidence does not bind this key, chain, registry and block",
      details: { want: evidenceHash },
    });
    expect(JSON.stringify(out)).not.toContain("abab");
  });

  it("debug writes everything", () => {
    const out = redactLogFields("debug", line) as { evidence: string; reportData: string };
    expect(out.evidence).toBe(`0x${"00".repeat(300)}`);
    expect(out.reportData).toBe(reportData);
  });

  it("scrubs long hex and base64 runs out of message texts, keeping hashes", () => {
    const b64 = Buffer.alloc(120, 7).toString("base64");
    expect(scrubText(`bound ${reportData} and ${b64}; verdict ${evidenceHash}`)).toBe(
      `bound [redacted] and [redacted]; verdict ${evidenceHash}`,
    );
    expect(redactLogMessage("debug", reportData)).toBe(reportData);
  });
});
