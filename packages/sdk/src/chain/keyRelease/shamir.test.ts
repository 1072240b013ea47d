// Shamir's scheme as key release uses it: any t shares recombine the secret, and t − 1 shares carry no
// information about it — the distribution of t − 1 shares is the same whatever the secret.
import { describe, expect, it } from "vitest";
import { combineShares, splitSecret } from "./shamir.ts";

describe("splitSecret / combineShares", () => {
  it("recombines from every t-subset of a 3-of-5 split", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const shares = await splitSecret(secret, 5, 3);
    for (let a = 0; a < 5; a++)
      for (let b = a + 1; b < 5; b++)
        for (let c = b + 1; c < 5; c++) expect(await combineShares([shares[a]!, shares[b]!, shares[c]!])).toEqual(secret);
  });

  it("t − 1 shares reveal nothing: their values are uniform whatever the secret (2-of-3, 4,096 splits each)", async () => {
    // For t = 2 a share is secret + a·x with a uniform: each byte of one share is uniform over 0..255
    // for any secret. Compare two opposite secrets with a chi-square test over the first byte.
    const histogram = async (secretByte: number) => {
      const counts = new Array<number>(256).fill(0);
      for (let i = 0; i < 4096; i++) {
        const [first] = await splitSecret(new Uint8Array([secretByte]), 3, 2);
        counts[first![0]!]! += 1;
      }
      return counts;
    };
    const chiSquare = (counts: number[]) => counts.reduce((sum, c) => sum + (c - 16) ** 2 / 16, 0);
    for (const secretByte of [0x00, 0xff]) {
      // 255 degrees of freedom: 99.99th percentile ≈ 345. A share that leaked its secret would put
      // (almost) all 4,096 samples in a few buckets (χ² in the tens of thousands).
      expect(chiSquare(await histogram(secretByte))).toBeLessThan(345);
    }
  });

  it("t − 1 shares recombine to something other than the secret", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const shares = await splitSecret(secret, 3, 3);
    expect(await combineShares(shares.slice(0, 2))).not.toEqual(secret);
  });

  it.each([
    { name: "t below 2", n: 3, t: 1 },
    { name: "t above n", n: 2, t: 3 },
    { name: "n above 255", n: 256, t: 2 },
  ])("refuses $name with KEY_REQUEST_INVALID", async ({ n, t }) => {
    await expect(splitSecret(new Uint8Array(32), n, t)).rejects.toMatchObject({ code: "KEY_REQUEST_INVALID" });
  });
});
