// The verdict codec (packages/sdk/src/ids/verdictCodec.ts) against the deployed AttestationRegistry: for random
// verdicts and batches, the struct hash, the verdict digest and the batch digest the contract computes
// (hashVerdict, verdictDigest, batchDigest) are the codec's. The golden vectors pin a few fixed values;
// this covers the whole field ranges, both casings of hex, and the domain of a real deployment.
import fc from "fast-check";
import { bytesToHex, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeVerdict, verdictBatchDigest, verdictDigest, verdictId, type Verdict } from "@keepledger/sdk/internal/ids/index";
import { startTestbed, type Testbed } from "../support/contracts-testbed.ts";

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestbed({ validators: 0, workload: false });
});
afterAll(async () => {
  await tb?.close();
});

const hexArb = (n: number) =>
  fc.tuple(fc.uint8Array({ minLength: n, maxLength: n }), fc.boolean()).map(([b, upper]) => {
    const h = bytesToHex(b);
    return (upper ? `0x${h.slice(2).toUpperCase()}` : h) as Hex;
  });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const verdictArb: fc.Arbitrary<Verdict> = fc.record({
  workloadId: hexArb(32),
  measurementHash: hexArb(32),
  tee: fc.integer({ min: 0, max: 255 }),
  tcbStatus: fc.integer({ min: 0, max: 255 }),
  subject: hexArb(20),
  evidenceHash: hexArb(32),
  collateralHash: hexArb(32),
  issuedAt: u64,
  expiresAt: u64,
  freshnessBlock: u64,
});

describe("verdict codec = AttestationRegistry", () => {
  it("hashVerdict, verdictDigest and batchDigest of random verdicts and batches are the codec's (property)", async () => {
    const domain = tb.client.domain;
    await fc.assert(
      fc.asyncProperty(verdictArb, hexArb(32), fc.integer({ min: 0, max: 0xffffffff }), async (v, root, count) => {
        const onChain = normalizeVerdict(v);
        expect(await tb.read<Hex>("attestationRegistry", "hashVerdict", [onChain])).toBe(verdictId(v));
        expect(await tb.read<Hex>("attestationRegistry", "verdictDigest", [onChain])).toBe(verdictDigest(v, domain));
        expect(await tb.read<Hex>("attestationRegistry", "batchDigest", [root.toLowerCase(), count])).toBe(
          verdictBatchDigest(root, count, domain),
        );
      }),
      { numRuns: 50 },
    );
  });
});
