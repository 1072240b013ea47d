// The detection assertions that were in src/tee/dcap/parseDcapQuote.test.ts: they live beside the
// detector so that the evidence room's tests do not import the verifier.
import { describe, expect, it } from "vitest";
import { fixtureBytes, setsOf } from "../../../test/support/fixtures.ts";
import { detectDcapQuote } from "./detectDcapQuote.ts";

const SETS = (["sgx", "tdx"] as const).flatMap((kind) => setsOf(kind).map((name) => ({ kind, name })));

describe("detectDcapQuote", () => {
  for (const { kind, name } of SETS) {
    it(`${kind}/${name}: detected as ${kind}`, () => {
      expect(detectDcapQuote(fixtureBytes(kind, name, "quote.bin"))).toBe(kind);
    });
  }

  it("keeps the kinds apart", () => {
    const sgx = fixtureBytes("sgx", "dcapqvl-sgx", "quote.bin");
    const edit = (b: Uint8Array, f: (v: DataView) => void) => {
      const c = new Uint8Array(b);
      f(new DataView(c.buffer));
      return c;
    };
    expect(detectDcapQuote(sgx.subarray(0, 47))).toBeUndefined();
    expect(detectDcapQuote(edit(sgx, (v) => v.setUint16(2, 3, true)))).toBeUndefined();
    expect(detectDcapQuote(fixtureBytes("sev-snp", "dstack-milan", "report.bin"))).toBeUndefined();
  });
});
