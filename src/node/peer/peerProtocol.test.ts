import { describe, expect, it } from "vitest";
import { keccak256, stringToBytes } from "viem";
import { decodeSubmissions, encodeSubmissions } from "./peerProtocol.ts";

describe("submissions on the wire", () => {
  it("share each collateral file once and come back byte for byte", () => {
    const tcb = { name: "tcb.json", bytes: new Uint8Array(Buffer.from("{}")) };
    const s = (n: number) => ({
      workloadId: keccak256(stringToBytes("w")),
      evidence: Uint8Array.of(n),
      subjectPublicKey: null,
      freshnessBlock: 0n,
      context: "keep" as const,
      collateral: [tcb],
    });
    const { wire, blobs } = encodeSubmissions([s(1), s(2)]);
    expect(Object.keys(blobs)).toHaveLength(1);
    expect(decodeSubmissions(wire, blobs)).toEqual([s(1), s(2)]);
  });

  it("refuses a blob that does not hash to its key", () => {
    const { wire, blobs } = encodeSubmissions([
      {
        workloadId: keccak256("0x00"),
        evidence: Uint8Array.of(1),
        subjectPublicKey: null,
        freshnessBlock: 0n,
        context: "keep",
        collateral: [{ name: "a", bytes: Uint8Array.of(9) }],
      },
    ]);
    const [k] = Object.keys(blobs);
    expect(() => decodeSubmissions(wire, { [k!]: Buffer.from([8]).toString("base64") })).toThrowError(
      expect.objectContaining({ code: "NODE_REQUEST_INVALID" }),
    );
  });
});
