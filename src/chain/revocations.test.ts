import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes } from "viem";
import { platformKindCode, platformKindFromCode, platformValue } from "./revocations.ts";

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
