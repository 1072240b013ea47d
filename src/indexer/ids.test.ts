import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { verdictId } from "../ids/verdict.ts";
import { eventId, measurementEntityId, policyEntityId, verdictIdOf } from "./ids.ts";

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}` as Hex);

describe("registry entity ids", () => {
  it("computes the same verdict id as src/ids (the EIP-712 struct hash) for any verdict", () => {
    fc.assert(
      fc.property(
        hex(32),
        hex(32),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        hex(20),
        hex(32),
        hex(32),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (workloadId, measurementHash, tee, tcbStatus, subject, evidenceHash, collateralHash, issuedAt, expiresAt, freshnessBlock) => {
          const v = { workloadId, measurementHash, tee, tcbStatus, subject: subject as Address, evidenceHash, collateralHash, issuedAt, expiresAt, freshnessBlock };
          expect(verdictIdOf(v)).toBe(verdictId(v));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("names measurements, policies and governance changes by lowercase hex ids", () => {
    const w = `0x${"AB".repeat(32)}`;
    expect(measurementEntityId(w, `0x${"CD".repeat(32)}`)).toBe(`0x${"ab".repeat(32)}${"cd".repeat(32)}`);
    expect(policyEntityId(w, 26)).toBe(`0x${"ab".repeat(32)}0000001a`);
    expect(eventId(`0x${"EF".repeat(32)}`, 3)).toBe(`0x${"ef".repeat(32)}00000003`);
  });
});
