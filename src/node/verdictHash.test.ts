import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToHex, getAddress, type Hex } from "viem";
import { batchProof, batchRoot, verdictId, type Verdict } from "../ids/index.ts";
import { fastBatchProof, fastBatchRoot, fastVerdictId, fastVerdictIdBytes } from "./verdictHash.ts";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(bytesToHex(b)));
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const verdict: fc.Arbitrary<Verdict> = fc.record({
  workloadId: bytes32,
  measurementHash: bytes32,
  tee: fc.integer({ min: 0, max: 255 }),
  tcbStatus: fc.integer({ min: 0, max: 255 }),
  subject: address,
  evidenceHash: bytes32,
  collateralHash: bytes32,
  issuedAt: u64,
  expiresAt: u64,
  freshnessBlock: u64,
});

describe("fast verdict hashing", () => {
  it("gives the verdict id of src/ids for any verdict", () => {
    fc.assert(
      fc.property(verdict, (v) => {
        expect(fastVerdictId(v)).toBe(verdictId(v));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the batch root of src/ids for any number of leaves", () => {
    fc.assert(
      fc.property(fc.array(verdict, { minLength: 1, maxLength: 40 }), (vs) => {
        const leaves = vs.map((v) => verdictId(v) as Hex);
        expect(fastBatchRoot(vs.map(fastVerdictIdBytes))).toBe(batchRoot(leaves));
        const index = vs.length - 1;
        expect(fastBatchProof(vs.map(fastVerdictIdBytes), index)).toEqual(batchProof(leaves, index));
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a field that does not fit its type", () => {
    const v: Verdict = { workloadId: `0x${"11".repeat(32)}`, measurementHash: `0x${"22".repeat(31)}`, tee: 1, tcbStatus: 1, subject: `0x${"33".repeat(20)}`, evidenceHash: `0x${"44".repeat(32)}`, collateralHash: `0x${"55".repeat(32)}`, issuedAt: 1n, expiresAt: 2n, freshnessBlock: 3n };
    expect(() => fastVerdictId(v)).toThrow("not 32 bytes of hex");
    expect(() => fastVerdictId({ ...v, measurementHash: `0x${"22".repeat(32)}`, issuedAt: 1n << 64n })).toThrow("out of uint64 range");
  });
});
