/**
 * Tampering with the real reports: every byte flipped, every truncation, and
 * fast-check mutations. The only acceptable outcomes are a typed
 * KeepledgerError, or success for bytes identical to the original.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { expectedOf, fixtureBytes, fixturePath } from "../../../test/support/fixtures.ts";
import { directoryCollateral } from "../../collateral/staticCollateral.ts";
import type { CollateralSet } from "../../collateral/types.ts";
import { KeepledgerError } from "@keepledger/sdk/internal/errors/KeepledgerError";
import { bytesEqual } from "@keepledger/sdk/internal/util/bytes";
import { parseCertificate } from "../../pki/x509/certificate.ts";
import { createSnpAdapter } from "./adapter.ts";

// No AMD Milan CRL is among the vectors (test/fixtures/VECTORS.md): these tests are about the report bytes,
// so the ASK is checked without one, explicitly. CRL handling has its own tests (snpAdapter.test.ts).
const snpAdapter = createSnpAdapter({ dangerouslyAllowMissingCrl: true });

const RUNS = Number(process.env.KEEPLEDGER_FUZZ_RUNS ?? 2000);
const SETS = ["dstack-milan", "go-sev-guest-milan-debug"] as const;
/** Big KEEPLEDGER_FUZZ_RUNS values get the time they need. */
const FUZZ_TIMEOUT = Math.max(60_000, RUNS * 10);

interface Vector {
  bytes: Uint8Array;
  collateral: CollateralSet;
  at: Date;
}
const vectors = new Map<string, Vector>();

beforeAll(async () => {
  for (const set of SETS) {
    vectors.set(set, {
      bytes: fixtureBytes("sev-snp", set, "report.bin"),
      collateral: (await directoryCollateral(fixturePath("sev-snp", set))).collateral,
      at: new Date(expectedOf("sev-snp", set).verify_at),
    });
  }
});

/** parse + verify through the adapter; returns "ok" or the error code, and fails the test on an untyped error. */
function outcome(v: Vector, bytes: Uint8Array): string {
  try {
    const report = snpAdapter.parse(bytes);
    snpAdapter.verify(report, { evidence: bytes, collateral: v.collateral, at: v.at });
    return "ok";
  } catch (e) {
    if (!(e instanceof KeepledgerError)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
    expect(["format", "verification"]).toContain(e.stage);
    return e.code;
  }
}

describe.each(SETS)("tampering with %s", (set) => {
  it("verifies untouched", () => {
    expect(outcome(vectors.get(set)!, vectors.get(set)!.bytes)).toBe("ok");
  });

  it("fails on every byte flipped, signed region (0x000..0x29F) and signature alike", () => {
    const v = vectors.get(set)!;
    const codes = new Map<string, number>();
    for (let o = 0; o < v.bytes.length; o++) {
      for (const mask of o < 0x2a0 ? [0x01, 0x80, 0xff] : [0x01, 0xff]) {
        const bad = v.bytes.slice();
        bad[o]! ^= mask;
        const code = outcome(v, bad);
        expect(code, `offset 0x${o.toString(16)} ^ 0x${mask.toString(16)}`).not.toBe("ok");
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    // The signature is what catches most flips; reserved fields, versions and policy bits fail earlier, typed.
    expect(codes.get("SNP_REPORT_SIGNATURE_INVALID")).toBeGreaterThan(500);
    expect(codes.has("SNP_RESERVED_NONZERO")).toBe(true);
    expect(codes.has("SNP_SIGNATURE_MALFORMED")).toBe(true);
  });

  it("fails typed at every truncation and extension", () => {
    const v = vectors.get(set)!;
    for (let n = 0; n < v.bytes.length; n++) expect(outcome(v, v.bytes.subarray(0, n))).toMatch(/^EVIDENCE_(TRUNCATED|EMPTY)$/);
    expect(outcome(v, Uint8Array.of(...v.bytes, 0))).toBe("EVIDENCE_TRAILING_BYTES");
  });

  it(
    `survives ${RUNS} random mutations: typed errors, ok only for the original bytes`,
    () => {
      const v = vectors.get(set)!;
      const mutation = fc.record({
        edits: fc.array(fc.tuple(fc.nat(v.bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        cut: fc.option(fc.nat(v.bytes.length + 8), { nil: undefined }),
        append: fc.uint8Array({ maxLength: 3 }),
      });
      fc.assert(
        fc.property(mutation, ({ edits, cut, append }) => {
          let bytes = v.bytes.slice();
          for (const [o, value] of edits) bytes[o] = value;
          if (cut !== undefined) bytes = bytes.slice(0, cut);
          if (append.length > 0) bytes = Uint8Array.of(...bytes, ...append);
          const code = outcome(v, bytes);
          if (code === "ok") expect(bytesEqual(bytes, v.bytes)).toBe(true);
        }),
        { numRuns: RUNS },
      );
    },
    FUZZ_TIMEOUT,
  );
});

it(
  `random 1184-byte inputs that pass detect fail typed (${RUNS} runs)`,
  () => {
    const v = vectors.get("dstack-milan")!;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1184, maxLength: 1184 }), fc.integer({ min: 2, max: 5 }), (bytes, version) => {
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        view.setUint32(0, version, true);
        view.setUint32(0x34, 1, true);
        expect(snpAdapter.detect(bytes)).toBe(true);
        expect(outcome(v, bytes)).not.toBe("ok");
      }),
      { numRuns: RUNS },
    );
  },
  FUZZ_TIMEOUT,
);

it(
  `a mutated VCEK certificate never verifies and never crashes (${RUNS} runs)`,
  () => {
    const v = vectors.get("dstack-milan")!;
    const der = fixtureBytes("sev-snp", "dstack-milan", "vcek.der");
    const others = v.collateral.certificates.filter((c) => !bytesEqual(c.der, der));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bad = der.slice();
        for (const [o, value] of edits) bad[o] = value;
        let code: string;
        try {
          const vcek = parseCertificate(bad);
          const report = snpAdapter.parse(v.bytes);
          snpAdapter.verify(report, { evidence: v.bytes, collateral: { ...v.collateral, certificates: [vcek, ...others] }, at: v.at });
          code = "ok";
        } catch (e) {
          if (!(e instanceof KeepledgerError)) throw new Error(`untyped failure: ${String(e)}`, { cause: e });
          code = e.code;
        }
        if (code === "ok") expect(bytesEqual(bad, der)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  },
  FUZZ_TIMEOUT,
);
