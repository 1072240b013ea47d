import { describe, expect, it } from "vitest";
import { encodeAbiParameters, keccak256, stringToBytes, type Hex } from "viem";
import { REQUEST_DOMAIN, requestIdOf } from "./requestId.ts";

describe("request id", () => {
  it("is keccak256(abi.encode(tag, workloadId, evidenceHash, keccak256(key) or 0, freshnessBlock, context))", () => {
    const r = {
      workloadId: keccak256(stringToBytes("w")),
      evidenceHash: keccak256(stringToBytes("e")),
      subjectPublicKey: `0x${"ab".repeat(64)}` as Hex,
      freshnessBlock: 123_456n,
      context: "validator" as const,
    };
    const want = keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint64" }, { type: "uint8" }],
        [REQUEST_DOMAIN, r.workloadId, r.evidenceHash, keccak256(r.subjectPublicKey), r.freshnessBlock, 1],
      ),
    );
    expect(requestIdOf(r)).toBe(want);
    expect(requestIdOf({ ...r, subjectPublicKey: null, freshnessBlock: 0n, context: "keep" })).toBe(
      keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint64" }, { type: "uint8" }],
          [REQUEST_DOMAIN, r.workloadId, r.evidenceHash, `0x${"00".repeat(32)}`, 0n, 0],
        ),
      ),
    );
  });
});
