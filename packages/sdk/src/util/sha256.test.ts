import fc from "fast-check";
import * as viem from "viem";
import { describe, expect, it } from "vitest";
import { isKeepledgerError } from "../errors/index.ts";
import { sha256 } from "./sha256.ts";

describe("sha256", () => {
  it("equals viem's sha256 on bytes and on hex", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(sha256(b)).toBe(viem.sha256(b));
        expect(sha256(viem.bytesToHex(b))).toBe(viem.sha256(viem.bytesToHex(b)));
      }),
      { numRuns: 300 },
    );
    expect(sha256(new Uint8Array(0))).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("refuses hex that is not whole bytes with a typed error", () => {
    let err: unknown;
    try {
      sha256("0xabc");
    } catch (e) {
      err = e;
    }
    expect(isKeepledgerError(err) && err.code).toBe("HEX_INVALID");
  });
});
