import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes } from "viem";
import { platformKindCode, platformKindFromCode, platformValue, RevocationLists } from "./revocations.ts";

describe("platform revocation encoding (docs/contracts.md)", () => {
  it("codes the kinds 1..4", () => {
    expect(["fmspc", "amdChipId", "amdProductLine", "tee"].map((k) => platformKindCode(k as never))).toEqual([1, 2, 3, 4]);
    expect(platformKindFromCode(3)).toBe("amdProductLine");
    expect(() => platformKindFromCode(5)).toThrow(expect.objectContaining({ code: "IDS_FIELD_RANGE" }));
  });
  it("encodes each kind's value as bytes32", () => {
    expect(platformValue({ kind: "fmspc", value: "00806F050000" })).toBe(`0x00806f050000${"0".repeat(52)}`);
    expect(platformValue({ kind: "amdChipId", value: `0x${"ab".repeat(64)}` })).toBe(keccak256(`0x${"ab".repeat(64)}`));
    expect(platformValue({ kind: "amdProductLine", value: "Milan" })).toBe(keccak256(stringToBytes("milan")));
    expect(platformValue({ kind: "tee", value: "debug" })).toBe(`0x${"0".repeat(63)}5`);
    expect(() => platformValue({ kind: "fmspc", value: "00806f" })).toThrow(expect.objectContaining({ code: "IDS_FIELD_LENGTH" }));
  });
});

describe("RevocationLists (what a node follows from the registry's events)", () => {
  const subject = "0x00000000000000000000000000000000000000AA" as const;
  const workload = `0x${"11".repeat(32)}` as const;
  const other = `0x${"22".repeat(32)}` as const;
  const zero = `0x${"00".repeat(32)}` as const;
  const chip = { kind: "amdChipId", value: `0x${"ab".repeat(64)}` } as const;

  it("applies revocations and lifts in log order, per workload and everywhere", () => {
    const lists = new RevocationLists();
    lists.apply({ eventName: "SubjectRevoked", args: { subject, workloadId: workload } });
    expect(lists.state(subject, workload, []).subjectRevoked).toBe(true);
    expect(lists.state(subject, other, []).subjectRevoked).toBe(false);
    lists.apply({ eventName: "SubjectRevoked", args: { subject: subject.toLowerCase(), workloadId: zero } });
    expect(lists.state(subject, other, []).subjectRevoked).toBe(true);
    lists.apply({ eventName: "SubjectRevocationLifted", args: { subject, workloadId: zero } });
    expect(lists.state(subject, other, []).subjectRevoked).toBe(false);
    expect(lists.state(subject, workload, []).subjectRevoked).toBe(true);
  });

  it("matches platform entries by their on-chain encoding", () => {
    const lists = new RevocationLists();
    lists.apply({ eventName: "PlatformRevoked", args: { kind: 2, value: platformValue(chip).toUpperCase().replace("0X", "0x") } });
    lists.apply({ eventName: "PlatformRevoked", args: { kind: 4, value: platformValue({ kind: "tee", value: "sgx" }) } });
    const entries = [chip, { kind: "tee", value: "sev-snp" } as const];
    expect(lists.state(subject, workload, entries).revokedPlatforms).toEqual([chip]);
    lists.apply({ eventName: "PlatformRevocationLifted", args: { kind: 2, value: platformValue(chip) } });
    expect(lists.state(subject, workload, entries).revokedPlatforms).toEqual([]);
  });
});
